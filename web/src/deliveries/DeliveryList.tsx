/** A live list of deliveries, newest first, each of which opens to its attempts. */
import { Fragment, useEffect, useRef, useState } from 'react';
import type { Endpoint } from '../lib/types';
import { formatTime, timeAgo } from '../lib/format';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { StatusBadge } from '../components/StatusBadge';
import { Empty, ErrorMessage, Loading } from '../components/states';
import { DeliveryDetail } from './DeliveryDetail';
import { LIVE_POLL_MS, loadDeliveries, type DeliveryFilters } from './load';

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
  const [open, setOpen] = useState<string | null>(null);
  const key = `deliveries:${appId}:${endpoints.map((e) => e.id).join(',')}:${JSON.stringify(filters)}:${limit}`;
  const rows = useResource(
    key,
    () => loadDeliveries(api, appId, endpoints, filters, limit),
    live ? LIVE_POLL_MS : undefined,
  );
  const seen = useRef<Set<string> | null>(null);
  const [fresh, setFresh] = useState<Set<string>>(new Set());

  const { reload } = rows;
  useEffect(() => {
    if (version > 0) void reload();
  }, [version, reload]);

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

  if (rows.error && !rows.data) return <ErrorMessage error={rows.error} retry={rows.reload} />;
  if (!rows.data) return <Loading what="Loading deliveries" />;
  if (rows.data.length === 0)
    return (
      <Empty title="No deliveries match.">
        <p className="muted">
          {live ? 'New deliveries appear here as they happen. ' : ''}Send a test event from an endpoint&apos;s
          page, or widen the filters.
        </p>
      </Empty>
    );
  const many = endpoints.length > 1;
  return (
    <>
      {rows.error && <ErrorMessage error={rows.error} retry={rows.reload} />}
      <p className="sr-only" aria-live="polite">
        {fresh.size > 0 ? `${fresh.size} new deliveries` : ''}
      </p>
      <div className="table-wrap">
        <table className="deliveries">
          <caption className="sr-only">Deliveries{live ? ', updated live' : ''}</caption>
          <thead>
            <tr>
              <th scope="col" className="col-time">
                Time
              </th>
              <th scope="col">Event type</th>
              {many && (
                <th scope="col" className="phone-collapse">
                  Endpoint
                </th>
              )}
              <th scope="col" className="col-status">
                Status
              </th>
              <th scope="col" className="phone-collapse">
                Next retry
              </th>
              <th scope="col" className="col-details">
                <span className="sr-only">Details</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.data.map(({ key: rowKey, delivery, endpoint }) => (
              <Fragment key={rowKey}>
                <tr className={fresh.has(rowKey) ? 'fresh' : undefined}>
                  <td title={formatTime(delivery.timestamp)}>{timeAgo(delivery.timestamp)}</td>
                  {/* On a phone the endpoint and the next retry show under the event type and the status. */}
                  <td>
                    <code>{delivery.eventType}</code>
                    {many && <span className="phone-inline url-cell muted small">{endpoint.url}</span>}
                  </td>
                  {many && <td className="url-cell phone-collapse">{endpoint.url}</td>}
                  <td>
                    <StatusBadge status={delivery.statusText} />
                    {delivery.nextAttempt && (
                      <span className="phone-inline muted small">retry {timeAgo(delivery.nextAttempt)}</span>
                    )}
                  </td>
                  <td className="phone-collapse">
                    {delivery.nextAttempt ? timeAgo(delivery.nextAttempt) : <span className="muted">–</span>}
                  </td>
                  <td className="col-details">
                    <button
                      type="button"
                      className="small"
                      aria-expanded={open === rowKey}
                      onClick={() => setOpen(open === rowKey ? null : rowKey)}
                    >
                      {open === rowKey ? 'Close' : 'Details'}
                      <span className="sr-only"> of message {delivery.id}</span>
                    </button>
                  </td>
                </tr>
                {open === rowKey && (
                  <tr className="detail-row">
                    <td colSpan={many ? 6 : 5}>
                      <DeliveryDetail
                        appId={appId}
                        msgId={delivery.id}
                        endpoint={endpoint}
                        nextAttempt={delivery.nextAttempt}
                        onResent={() => void rows.reload()}
                      />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
      {rows.data.length >= limit && limit < 250 && (
        <button type="button" onClick={() => setLimit(limit + pageSize)}>
          Show older deliveries
        </button>
      )}
    </>
  );
}
