/**
 * Deliveries (a message and its state at one endpoint) for the log. The API lists them per endpoint; the log
 * merges several endpoints' lists, newest first.
 */
import type { Api } from '../lib/api';
import { enc } from '../lib/api';
import type { Delivery, Endpoint, Page, Status } from '../lib/types';

/** How often a live list looks for new deliveries. */
export const LIVE_POLL_MS = 3000;

export interface DeliveryFilters {
  status?: Status | undefined;
  eventTypes?: string[] | undefined;
  after?: string | undefined;
  before?: string | undefined;
}

export interface DeliveryRow {
  key: string;
  delivery: Delivery;
  endpoint: Endpoint;
}

export async function loadDeliveries(
  api: Api,
  appId: string,
  endpoints: Endpoint[],
  filters: DeliveryFilters,
  limit: number,
): Promise<DeliveryRow[]> {
  const pages = await Promise.all(
    endpoints.map((endpoint) =>
      api.get<Page<Delivery>>(`/app/${enc(appId)}/endpoint/${enc(endpoint.id)}/msg`, {
        limit: Math.min(limit, 250),
        with_content: false,
        status: filters.status,
        event_types: filters.eventTypes?.join(','),
        after: filters.after,
        before: filters.before,
      }),
    ),
  );
  return pages
    .flatMap((page, i) =>
      page.data.map((delivery) => ({
        key: `${delivery.id}:${endpoints[i]!.id}`,
        delivery,
        endpoint: endpoints[i]!,
      })),
    )
    .sort(
      (a, b) =>
        b.delivery.timestamp.localeCompare(a.delivery.timestamp) ||
        b.delivery.id.localeCompare(a.delivery.id),
    )
    .slice(0, limit);
}
