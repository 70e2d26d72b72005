/**
 * Where endpoints stand against their rate limits, live: each limited endpoint has a token bucket holding one
 * second's worth, a delivery takes a token, and deliveries wait in the queue while the bucket is empty.
 */
import type { Endpoint, EndpointRate } from '../lib/types';
import { enc } from '../lib/api';
import { Link } from '../lib/router';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { Badge } from '../components/StatusBadge';
import type { Column } from '../components/DataTable';
import { ListView } from '../components/ListView';
import { Empty } from '../components/states';

const POLL_MS = 2000;

function nextToken(rate: EndpointRate): string {
  if (rate.nextTokenAt === null) return '–';
  const ms = Date.parse(rate.nextTokenAt) - Date.now();
  return ms <= 0 ? 'now' : `in ${ms} ms`;
}

const tokensText = (rate: EndpointRate) =>
  rate.tokens === null ? '–' : `${rate.tokens.toFixed(rate.tokens % 1 === 0 ? 0 : 1)} of ${rate.capacity}`;

/** Limited and out of tokens, with deliveries waiting: the limit is what holds them back. */
const throttled = (rate: EndpointRate) => rate.tokens !== null && rate.tokens < 1 && rate.pending > 0;

export function RateLimitTable({ appId }: { appId: string }) {
  const { api } = useSession();
  const base = `/app/${enc(appId)}`;
  const endpoints = useResource(`endpoints-by-id:${appId}`, () => api.all<Endpoint>(`${base}/endpoint`));
  const rates = useResource(`rates:${appId}`, () => api.all<EndpointRate>(`${base}/rate-limit`), POLL_MS);
  const urls = new Map((endpoints.data ?? []).map((e) => [e.id, e.url]));
  const columns: Array<Column<EndpointRate>> = [
    {
      header: 'Endpoint',
      className: 'url-cell',
      cell: (rate) => (
        <Link to={`/apps/${enc(appId)}/endpoints/${enc(rate.endpointId)}`}>
          {urls.get(rate.endpointId) ?? rate.endpointUid ?? rate.endpointId}
        </Link>
      ),
    },
    {
      header: 'Limit',
      cell: (rate) =>
        rate.throttleRate === null ? <span className="muted">none</span> : `${rate.throttleRate} a second`,
    },
    {
      header: 'Tokens now',
      cell: (rate) => (
        <>
          {tokensText(rate)} {throttled(rate) && <Badge tone="warn">Throttled</Badge>}
        </>
      ),
    },
    { header: 'Next token', cell: nextToken },
    { header: 'Waiting', cell: (rate) => rate.pending },
  ];
  return (
    <section className="card" aria-labelledby="rates-title">
      <h2 id="rates-title">Rate limits</h2>
      <p className="muted small">
        Each endpoint&apos;s limit (set on its Edit page), the tokens free in its bucket now, and the
        deliveries waiting. Updates every {POLL_MS / 1000} seconds.
      </p>
      <ListView
        resource={rates}
        loading="Loading rate limits"
        empty={<Empty title="No endpoints yet, so no rate limits." />}
        caption="Rate limits by endpoint"
        className="rates"
        columns={columns}
        rowKey={(rate) => rate.endpointId}
      />
    </section>
  );
}

/** One endpoint's rate-limit status, in a line. */
export function RateLimitLine({ appId, endpointId }: { appId: string; endpointId: string }) {
  const { api } = useSession();
  const rates = useResource(
    `rates:${appId}`,
    () => api.all<EndpointRate>(`/app/${enc(appId)}/rate-limit`),
    POLL_MS * 2.5,
  );
  const rate = rates.data?.find((r) => r.endpointId === endpointId);
  if (!rate) return null;
  return (
    <p className="small rate-line">
      {rate.throttleRate === null ? (
        <>No rate limit</>
      ) : (
        <>
          Rate limit {rate.throttleRate} a second · {tokensText(rate)} tokens free
          {throttled(rate) && (
            <>
              {' '}
              <Badge tone="warn">Throttled</Badge>
            </>
          )}
        </>
      )}{' '}
      · {rate.pending} waiting · <Link to={`/apps/${enc(appId)}/security`}>All rate limits</Link>
    </p>
  );
}
