/**
 * What a metrics scrape reads of the queue and the endpoints (docs/observability.md#metrics): the endpoints with
 * the most pending deliveries, and the circuits that are not closed. Each answers at most `limit` endpoints, so
 * that a scrape's cost and the metrics' label count stay bounded however many endpoints there are.
 */
import { DeliveryStatus } from './types.js';
import type { Connection } from './dialect.js';

/** One endpoint's part of the queue. */
export interface EndpointQueue {
  appId: string;
  endpointId: string;
  pending: number;
  /** Pending deliveries due now. */
  due: number;
  /** When the earliest pending delivery is or was due. */
  oldestDueAt: number | null;
}

export type CircuitState = 'open' | 'half_open';

export interface CircuitsReport {
  /** Enabled endpoints whose circuit is open (nothing sent until it ends) or half open (probing), in all. */
  counts: Record<CircuitState, number>;
  /** At most `limit` of those endpoints: the half-open ones first, then those whose circuit ends soonest. */
  endpoints: Array<{ appId: string; endpointId: string; state: CircuitState }>;
}

export interface ObservabilityQueries {
  /** The `limit` endpoints with the most pending deliveries, most first. */
  deliveryQueueByEndpoint(limit: number, now?: number): Promise<EndpointQueue[]>;
  /** The circuits that are not closed: how many, and at most `limit` of them by endpoint. */
  endpointCircuits(limit: number, now?: number): Promise<CircuitsReport>;
}

export function observabilityQueries({ db }: Connection): ObservabilityQueries {
  return {
    async deliveryQueueByEndpoint(limit, now = Date.now()) {
      // Grouped over the pending-deliveries index (endpoint_id, next_attempt_at); applications are looked up
      // for the few endpoints kept.
      const rows = await db
        .selectFrom('delivery')
        .select((eb) => [
          'endpoint_id',
          eb.fn.countAll<number>().as('pending'),
          eb.fn.sum<number>(eb.case().when('next_attempt_at', '<=', now).then(1).else(0).end()).as('due'),
          eb.fn.min('next_attempt_at').as('oldest'),
        ])
        .where('status', '=', DeliveryStatus.Pending)
        .groupBy('endpoint_id')
        .orderBy('pending', 'desc')
        .orderBy('endpoint_id')
        .limit(limit)
        .execute();
      if (rows.length === 0) return [];
      const apps = await db
        .selectFrom('endpoint')
        .select(['id', 'app_id'])
        .where(
          'id',
          'in',
          rows.map((row) => row.endpoint_id),
        )
        .execute();
      const appOf = new Map(apps.map((row) => [row.id, row.app_id]));
      return rows.map((row) => ({
        appId: appOf.get(row.endpoint_id) ?? '',
        endpointId: row.endpoint_id,
        pending: Number(row.pending),
        due: Number(row.due ?? 0),
        oldestDueAt: row.oldest === null ? null : Number(row.oldest),
      }));
    },

    async endpointCircuits(limit, now = Date.now()) {
      const enabled = db
        .selectFrom('endpoint')
        .where('circuit_open_until', 'is not', null)
        .where('disabled', '=', 0)
        .where('deleted_at', 'is', null);
      const [counts, rows] = await Promise.all([
        enabled
          .select((eb) => [
            eb.fn.countAll<number>().as('all'),
            eb.fn
              .sum<number>(eb.case().when('circuit_open_until', '>', now).then(1).else(0).end())
              .as('open'),
          ])
          .executeTakeFirstOrThrow(),
        enabled
          .select(['id', 'app_id', 'circuit_open_until'])
          .orderBy('circuit_open_until')
          .orderBy('id')
          .limit(limit)
          .execute(),
      ]);
      const open = Number(counts.open ?? 0);
      return {
        counts: { open, half_open: Number(counts.all) - open },
        endpoints: rows.map((row) => ({
          appId: row.app_id,
          endpointId: row.id,
          state: (row.circuit_open_until ?? 0) > now ? ('open' as const) : ('half_open' as const),
        })),
      };
    },
  };
}
