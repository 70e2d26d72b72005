/**
 * Deployment-wide aggregates for Svix's usage statistics, and the purge of an application's contents: the
 * work of background tasks that may touch many rows, done in chunks so that no statement holds the database
 * for long.
 */
import { expungeInChunks } from './content.js';
import type { Connection } from './dialect.js';
import { fromJsonOrNull } from './rows.js';

export interface EndpointSubscription {
  appId: string;
  /** The event types it subscribed to; null: every event type. */
  eventTypes: string[] | null;
}

export interface UsageQueries {
  /**
   * Message destinations (deliveries: one message to one endpoint) created in [since, until), per application;
   * only the applications in `appIds` when given. Applications with none are left out.
   */
  deliveryCountByApp(since: number, until: number, appIds?: string[]): Promise<Map<string, number>>;
  /** The event-type subscriptions of every endpoint that is not deleted, by application. */
  endpointSubscriptions(): Promise<EndpointSubscription[]>;
  /**
   * Removes the payload of every message of the application, and the request bodies their attempts sent (as an
   * expunge does), `chunk` messages at a time. Returns how many messages lost a payload.
   */
  messageExpungeAll(appId: string, chunk?: number): Promise<number>;
}

export function usageQueries({ db }: Connection): UsageQueries {
  return {
    async deliveryCountByApp(since, until, appIds) {
      let query = db
        .selectFrom('delivery')
        .select(['app_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('created_at', '>=', since)
        .where('created_at', '<', until);
      if (appIds !== undefined) {
        if (appIds.length === 0) return new Map();
        query = query.where('app_id', 'in', appIds);
      }
      const rows = await query.groupBy('app_id').execute();
      return new Map(rows.map((row) => [row.app_id, Number(row.n)]));
    },

    async endpointSubscriptions() {
      const rows = await db
        .selectFrom('endpoint')
        .select(['app_id', 'event_types'])
        .where('deleted_at', 'is', null)
        .orderBy('app_id')
        .execute();
      return rows.map((row) => ({
        appId: row.app_id,
        eventTypes: fromJsonOrNull<string[]>(row.event_types),
      }));
    },

    async messageExpungeAll(appId, chunk = 1000) {
      return expungeInChunks(db, chunk, async (trx) => {
        const rows = await trx
          .selectFrom('message')
          .select('id')
          .where('app_id', '=', appId)
          .where('payload', 'is not', null)
          .limit(chunk)
          .execute();
        return rows.map((row) => row.id);
      });
    },
  };
}
