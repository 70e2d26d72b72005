/** A live list of deliveries, newest first, each of which opens to its attempts. */
import { useEffect, useRef, useState } from 'react';
import type { Endpoint } from '../lib/types';
import { formatTime, timeAgo } from '../lib/format';
import { useReloadOn, useResource } from '../lib/use-resource';
import { useOpenItem } from '../lib/use-open-item';
import { useSession } from '../lib/session-context';
import { StatusBadge } from '../components/StatusBadge';
import { ToggleButton } from '../components/ToggleButton';
import { Empty } from '../components/states';
import type { Column } from '../components/DataTable';
import { ListView } from '../components/ListView';
import { DeliveryDetail } from './DeliveryDetail';
import { LIVE_POLL_MS, loadDeliveries, type DeliveryFilters, type DeliveryRow } from './load';

/** Shown when the list merges several endpoints' deliveries. */
const ENDPOINT_COLUMN: Column<DeliveryRow> = {
  header: 'Endpoint',
  className: 'url-cell',
  phone: 'collapse',
  cell: ({ endpoint }) => endpoint.url,
};

interface Props {
  appId: string;
  endpoints: Endpoint[];
  filters: DeliveryFilters;
  live: boolean;
  limit?: number;
  /** Changes when something else changed deliveries, to reload at once. */
  version?: number;
}

export function DeliveryList({ appId, endpoints, filters, live, limit: pageSize = 50, version = 0 }: Props) {
  const { api } = useSession();
  const [limit, setLimit] = useState(pageSize);
  const { open, toggle } = useOpenItem<string>();
  const key = `deliveries:${appId}:${endpoints.map((e) => e.id).join(',')}:${JSON.stringify(filters)}:${limit}`;
  const rows = useResource(
    key,
    () => loadDeliveries(api, appId, endpoints, filters, limit),
    live ? LIVE_POLL_MS : undefined,
  );
  const seen = useRef<Set<string> | null>(null);
  const [fresh, setFresh] = useState<Set<string>>(new Set());

  useReloadOn(rows, version);

  // Rows that appeared since the list first loaded are marked, so live arrivals stand out.
  useEffect(() => {
    if (!rows.data) return;
    const keys = rows.data.map((row) => row.key);
    if (seen.current) {
      const added = keys.filter((k) => !seen.current!.has(k));
      if (added.length > 0) setFresh((previous) => new Set([...previous, ...added]));
    }
    seen.current = new Set(keys);
  }, [rows.data]);
  useEffect(() => {
    seen.current = null;
    setFresh(new Set());
  }, [key]);

  const many = endpoints.length > 1;
  // On a phone the endpoint and the next retry collapse; they show under the event type and the status.
  const columns: Array<Column<DeliveryRow>> = [
    {
      header: 'Time',
      headerClassName: 'col-time',
      title: ({ delivery }) => formatTime(delivery.timestamp),
      cell: ({ delivery }) => timeAgo(delivery.timestamp),
    },
    {
      header: 'Event type',
      cell: ({ delivery, endpoint }) => (
        <>
          <code>{delivery.eventType}</code>
          {many && <span className="phone-inline url-cell muted small">{endpoint.url}</span>}
        </>
      ),
    },
    ...(many ? [ENDPOINT_COLUMN] : []),
    {
      header: 'Status',
      headerClassName: 'col-status',
      cell: ({ delivery }) => (
        <>
          <StatusBadge status={delivery.statusText} />
          {delivery.nextAttempt && (
            <span className="phone-inline muted small">retry {timeAgo(delivery.nextAttempt)}</span>
          )}
        </>
      ),
    },
    {
      header: 'Next retry',
      phone: 'collapse',
      cell: ({ delivery }) =>
        delivery.nextAttempt ? timeAgo(delivery.nextAttempt) : <span className="muted">–</span>,
    },
    {
      header: <span className="sr-only">Details</span>,
      headerClassName: 'col-details',
      className: 'col-details',
      cell: ({ key: rowKey, delivery }) => (
        <ToggleButton
          open={open === rowKey}
          onToggle={() => toggle(rowKey)}
          labels={['Details', 'Close']}
          of={` of message ${delivery.id}`}
        />
      ),
    },
  ];

  return (
    <ListView
      resource={rows}
      loading="Loading deliveries"
      empty={
        <Empty title="No deliveries match.">
          <p className="muted">
            {live ? 'New deliveries appear here as they happen. ' : ''}Send a test event from an
            endpoint&apos;s page, or widen the filters.
          </p>
        </Empty>
      }
      lead={
        <p className="sr-only" aria-live="polite">
          {fresh.size > 0 ? `${fresh.size} new deliveries` : ''}
        </p>
      }
      caption={`Deliveries${live ? ', updated live' : ''}`}
      className="deliveries"
      columns={columns}
      rowKey={(row) => row.key}
      rowClassName={(row) => (fresh.has(row.key) ? 'fresh' : undefined)}
      detail={({ key: rowKey, delivery, endpoint }) =>
        open === rowKey && (
          <DeliveryDetail
            appId={appId}
            msgId={delivery.id}
            endpoint={endpoint}
            nextAttempt={delivery.nextAttempt}
            onResent={() => void rows.reload()}
          />
        )
      }
      pager={
        rows.data && rows.data.length >= limit && limit < 250
          ? [{ label: 'Show older deliveries', go: () => setLimit(limit + pageSize) }]
          : []
      }
    />
  );
}
