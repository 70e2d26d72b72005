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
import { Empty, ErrorMessage } from '../components/states';
import type { Column } from '../components/DataTable';
import { ListView } from '../components/ListView';
import { failingReason } from '../endpoints/health';
import { AppHeader } from './AppHeader';
import { PortalLink } from './PortalLink';
import { SlaCard } from '../sla/SlaCard';

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
      <ListView
        resource={rows}
        loading="Loading endpoints"
        lead={
          failing.length > 0 && (
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
          )
        }
        empty={
          <Empty title="No endpoints yet.">
            <p>
              An endpoint is a URL that receives this application&apos;s webhooks.{' '}
              <Link to={`${base}/endpoints/new`}>Add the first endpoint</Link>
            </p>
          </Empty>
        }
        caption="Endpoints"
        columns={endpointColumns(base)}
        rowKey={(row) => row.endpoint.id}
      />
      <SlaCard appId={appId} />
    </>
  );
}

function endpointColumns(base: string): Array<Column<Row>> {
  return [
    {
      header: 'URL',
      className: 'url-cell',
      cell: ({ endpoint }) => (
        <>
          <Link to={`${base}/endpoints/${enc(endpoint.id)}`}>{endpoint.url}</Link>
          {endpoint.description && <div className="muted small">{endpoint.description}</div>}
        </>
      ),
    },
    {
      header: 'Event types',
      cell: ({ endpoint }) =>
        endpoint.eventTypes ? endpoint.eventTypes.join(', ') : <span className="muted">all</span>,
    },
    {
      header: 'State',
      cell: ({ endpoint, health }) =>
        endpoint.disabled ? (
          <Badge tone="warn">Disabled</Badge>
        ) : failingReason(endpoint, health) ? (
          <Badge tone="bad">Failing</Badge>
        ) : (
          <Badge tone="ok">Enabled</Badge>
        ),
    },
    { header: 'Success rate', cell: ({ health }) => percent(health?.recent.successRate) },
    { header: 'Last attempt', cell: ({ health }) => timeAgo(health?.recent.lastAttemptAt) },
  ];
}
