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
import { Empty, ErrorMessage, Loading } from '../components/states';

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
  return (
    <section className="card" aria-labelledby="rates-title">
      <h2 id="rates-title">Rate limits</h2>
      <p className="muted small">
        Each endpoint&apos;s limit (set on its Edit page), the tokens free in its bucket now, and the
        deliveries waiting. Updates every {POLL_MS / 1000} seconds.
      </p>
      {rates.error && <ErrorMessage error={rates.error} retry={rates.reload} />}
      {rates.loading && !rates.data && <Loading what="Loading rate limits" />}
      {rates.data && rates.data.length === 0 && <Empty title="No endpoints yet, so no rate limits." />}
      {rates.data && rates.data.length > 0 && (
        <div className="table-wrap">
          <table className="rates">
            <caption className="sr-only">Rate limits by endpoint</caption>
            <thead>
              <tr>
                <th scope="col">Endpoint</th>
                <th scope="col">Limit</th>
                <th scope="col">Tokens now</th>
                <th scope="col">Next token</th>
                <th scope="col">Waiting</th>
              </tr>
            </thead>
            <tbody>
              {rates.data.map((rate) => (
                <tr key={rate.endpointId}>
                  <td className="url-cell">
                    <Link to={`/apps/${enc(appId)}/endpoints/${enc(rate.endpointId)}`}>
                      {urls.get(rate.endpointId) ?? rate.endpointUid ?? rate.endpointId}
                    </Link>
                  </td>
                  <td>
                    {rate.throttleRate === null ? (
                      <span className="muted">none</span>
                    ) : (
                      `${rate.throttleRate} a second`
                    )}
                  </td>
                  <td>
                    {tokensText(rate)} {throttled(rate) && <Badge tone="warn">Throttled</Badge>}
                  </td>
                  <td>{nextToken(rate)}</td>
                  <td>{rate.pending}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
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
