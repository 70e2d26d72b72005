/** An application: its endpoints with their health, which of them are failing, and admin actions. */
import type { Endpoint, EndpointHealth } from '../lib/types';
import { enc } from '../lib/api';
import { Link, navigate } from '../lib/router';
import { percent, timeAgo } from '../lib/format';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/use-action';
import { Badge } from '../components/StatusBadge';
import { ConfirmButton } from '../components/ConfirmButton';
import { Empty, ErrorMessage, Loading } from '../components/states';
import { failingReason } from '../endpoints/health';
import { AppHeader } from './AppHeader';
import { PortalLink } from './PortalLink';

const HEALTH_POLL_MS = 10_000;

interface Row {
  endpoint: Endpoint;
  health?: EndpointHealth;
}

export function AppOverview({ appId }: { appId: string }) {
  const { api, session } = useSession();
  const base = `/apps/${enc(appId)}`;
  const rows = useResource(
    `endpoints:${appId}`,
    async (): Promise<Row[]> => {
      const endpoints = await api.all<Endpoint>(`/app/${enc(appId)}/endpoint`);
      const health = await Promise.all(
        endpoints.map((endpoint) =>
          api
            .get<EndpointHealth>(`/app/${enc(appId)}/endpoint/${enc(endpoint.id)}/health`)
            .catch(() => undefined),
        ),
      );
      return endpoints.map((endpoint, i) => ({ endpoint, health: health[i] }));
    },
    HEALTH_POLL_MS,
  );
  const failing = (rows.data ?? [])
    .map((row) => ({ ...row, reason: failingReason(row.endpoint, row.health) }))
    .filter((row) => row.reason !== null);

  const deletion = useAction();
  const remove = () =>
    deletion.run(async () => {
      await api.del(`/app/${enc(appId)}`);
      navigate('/');
    });

  return (
    <>
      <AppHeader
        appId={appId}
        section="endpoints"
        actions={
          <>
            <Link to={`${base}/endpoints/new`} className="button primary">
              Add endpoint
            </Link>
            {!session.scoped && (
              <>
                <Link to={`${base}/edit`} className="button">
                  Edit application
                </Link>
                <ConfirmButton
                  label="Delete application"
                  question="Delete this application with all its endpoints and messages?"
                  confirmLabel="Delete for good"
                  danger
                  onConfirm={remove}
                />
              </>
            )}
          </>
        }
      />
      {deletion.error && <ErrorMessage error={deletion.error} />}
      {!session.scoped && <PortalLink appId={appId} />}
      {rows.error && <ErrorMessage error={rows.error} retry={rows.reload} />}
      {rows.loading && !rows.data && <Loading what="Loading endpoints" />}
      {failing.length > 0 && (
        <section className="card attention" aria-labelledby="failing-title">
          <h2 id="failing-title">Failing endpoints ({failing.length})</h2>
          <ul>
            {failing.map(({ endpoint, reason }) => (
              <li key={endpoint.id}>
                <Link to={`${base}/endpoints/${enc(endpoint.id)}`}>{endpoint.url}</Link>: {reason}
              </li>
            ))}
          </ul>
        </section>
      )}
      {rows.data && rows.data.length === 0 && (
        <Empty title="No endpoints yet.">
          <p>
            An endpoint is a URL that receives this application&apos;s webhooks.{' '}
            <Link to={`${base}/endpoints/new`}>Add the first endpoint</Link>
          </p>
        </Empty>
      )}
      {rows.data && rows.data.length > 0 && <EndpointTable rows={rows.data} base={base} />}
    </>
  );
}

function EndpointTable({ rows, base }: { rows: Row[]; base: string }) {
  return (
    <div className="table-wrap">
      <table>
        <caption className="sr-only">Endpoints</caption>
        <thead>
          <tr>
            <th scope="col">URL</th>
            <th scope="col">Event types</th>
            <th scope="col">State</th>
            <th scope="col">Success rate</th>
            <th scope="col">Last attempt</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ endpoint, health }) => {
            const reason = failingReason(endpoint, health);
            return (
              <tr key={endpoint.id}>
                <td className="url-cell">
                  <Link to={`${base}/endpoints/${enc(endpoint.id)}`}>{endpoint.url}</Link>
                  {endpoint.description && <div className="muted small">{endpoint.description}</div>}
                </td>
                <td>
                  {endpoint.eventTypes ? endpoint.eventTypes.join(', ') : <span className="muted">all</span>}
                </td>
                <td>
                  {endpoint.disabled ? (
                    <Badge tone="warn">Disabled</Badge>
                  ) : reason ? (
                    <Badge tone="bad">Failing</Badge>
                  ) : (
                    <Badge tone="ok">Enabled</Badge>
                  )}
                </td>
                <td>{percent(health?.recent.successRate)}</td>
                <td>{timeAgo(health?.recent.lastAttemptAt)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
