/**
 * Replays of an endpoint's messages, run by background tasks: sending again what it already had (Svix's
 * bulk-replay), and sending what it never had (replay-missing). Both queue manual attempts with a fresh retry
 * schedule; deliveries pending or in flight are left alone.
 */
import { sql, type ExpressionBuilder } from 'kysely';
import { manualDelivery, requeued, requeueMatching, type WhereBuilder } from './deliveries.js';
import type { Connection } from './dialect.js';
import { fromJsonOrNull, hasChannel } from './rows.js';
import type { Database } from './schema.js';
import { DeliveryStatus, type JsonObject } from './types.js';

/** Which deliveries of one endpoint a bulk replay sends again. */
export interface ReplayFilter {
  appId: string;
  endpointId: string;
  /** Creation time in [since, until). */
  since: number;
  until?: number | undefined;
  /** Only deliveries in these states; settled ones (succeeded or failed) when omitted. */
  statuses?: DeliveryStatus[] | undefined;
  eventTypes?: string[] | undefined;
  channel?: string | undefined;
  /** Only deliveries whose last attempt's response status is in this class (100, 200, …; 0: no response). */
  statusCodeClass?: number | undefined;
}

/** A message the endpoint never had a delivery of, with what routing needs to know of it. */
export interface MissingMessage {
  id: string;
  eventType: string;
  channels: string[] | null;
  payload: JsonObject;
}

export interface ReplayQueries {
  /** Queues again the matching settled deliveries (never pending or in-flight ones); returns how many. */
  deliveryReplay(filter: ReplayFilter, now?: number): Promise<number>;
  /**
   * Up to `limit` messages of the application created in [since, until), after `afterId` in id order, that
   * have no delivery to the endpoint and still have their payload.
   */
  messageListMissing(
    filter: { appId: string; endpointId: string; since: number; until?: number | undefined },
    afterId: string | null,
    limit: number,
  ): Promise<MissingMessage[]>;
  /** Creates a delivery of each message to the endpoint, unless it has one already; returns how many it made. */
  deliveryAddMissing(appId: string, endpointId: string, msgIds: string[], now?: number): Promise<number>;
}

const SETTLED: DeliveryStatus[] = [DeliveryStatus.Success, DeliveryStatus.Fail];

export function replayQueries(connection: Connection): ReplayQueries {
  const { db } = connection;
  return {
    async deliveryReplay(filter, now = Date.now()) {
      const statuses = (filter.statuses ?? SETTLED).filter((status) => SETTLED.includes(status));
      if (statuses.length === 0) return 0;
      const match = <QB extends WhereBuilder>(query: QB): QB => {
        let q = query
          .where('delivery.app_id', '=', filter.appId)
          .where('delivery.endpoint_id', '=', filter.endpointId)
          .where('delivery.status', 'in', statuses)
          .where('delivery.created_at', '>=', filter.since);
        if (filter.until !== undefined) q = q.where('delivery.created_at', '<', filter.until);
        if (filter.eventTypes !== undefined || filter.channel !== undefined)
          q = q.where('delivery.msg_id', 'in', (eb: ExpressionBuilder<Database, 'delivery'>) => {
            let messages = eb
              .selectFrom('message')
              .select('message.id')
              .where('message.app_id', '=', filter.appId);
            if (filter.eventTypes !== undefined)
              messages = messages.where('message.event_type', 'in', filter.eventTypes);
            if (filter.channel !== undefined)
              messages = messages.where(hasChannel(connection, 'message.channels', filter.channel));
            return messages;
          });
        if (filter.statusCodeClass !== undefined) {
          const low = filter.statusCodeClass;
          const high = low === 0 ? 0 : low + 99;
          q = q.where(
            sql<number>`(select a.response_status_code from attempt a where a.delivery_id = delivery.id
              order by a.id desc limit 1)`,
            'between',
            sql`${low} and ${high}`,
          );
        }
        return q as QB;
      };
      return requeueMatching(connection, match, requeued(now), now);
    },

    async messageListMissing(filter, afterId, limit) {
      let query = db
        .selectFrom('message')
        .select(['id', 'event_type', 'channels', 'payload'])
        .where('app_id', '=', filter.appId)
        .where('created_at', '>=', filter.since)
        .where('payload', 'is not', null)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('delivery')
                .select('delivery.id')
                .whereRef('delivery.msg_id', '=', 'message.id')
                .where('delivery.endpoint_id', '=', filter.endpointId),
            ),
          ),
        );
      if (filter.until !== undefined) query = query.where('created_at', '<', filter.until);
      if (afterId !== null) query = query.where('id', '>', afterId);
      const rows = await query.orderBy('id').limit(limit).execute();
      return rows.map((row) => ({
        id: row.id,
        eventType: row.event_type,
        channels: fromJsonOrNull<string[]>(row.channels),
        payload: fromJsonOrNull<JsonObject>(row.payload) ?? {},
      }));
    },

    async deliveryAddMissing(appId, endpointId, msgIds, now = Date.now()) {
      if (msgIds.length === 0) return 0;
      const result = await db
        .insertInto('delivery')
        .values(msgIds.map((msgId) => manualDelivery(appId, msgId, endpointId, now)))
        .onConflict((oc) => oc.columns(['msg_id', 'endpoint_id']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n);
    },
  };
}
