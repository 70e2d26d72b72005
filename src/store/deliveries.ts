/**
 * Deliveries as people see them: finding and listing them, counting them by status, and sending them again by
 * hand (one resend, or the dead letters of an application at once). The queue that workers claim from is in
 * delivery-queue.ts.
 */
import { sql, type ExpressionBuilder, type Kysely, type Selectable } from 'kysely';
import { newId } from '../util/ids.js';
import type { Connection } from './dialect.js';
import { hasChannel, paged, pageOf } from './rows.js';
import type { Database, DeliveryTable } from './schema.js';
import { blockedSequences, lockSequences, settleSequences, type BlockedSequence } from './sequences.js';
import {
  DeliveryStatus,
  TriggerType,
  type DeadLetterFilter,
  type Delivery,
  type DeliveryFilter,
  type MessageFilter,
  type Page,
  type PageQuery,
} from './types.js';

export interface DeliveryQueries {
  /** Finds a delivery by its id, in any application. */
  deliveryGet(id: string): Promise<Delivery | undefined>;
  /** Deliveries filtered by application, endpoint, status, and their messages' type and channel. */
  deliveryList(filter: DeliveryFilter, page: PageQuery): Promise<Page<Delivery>>;
  /** An endpoint's deliveries, filtered by status and by their messages' type and channel. */
  /**
   * An endpoint's deliveries. A `status` filter reads statuses as Svix reports them: `sending` (3) is a delivery
   * in flight or tried and waiting for its next attempt; `pending` (1) one not tried yet.
   */
  deliveryListByEndpoint(
    endpointId: string,
    filter: MessageFilter & { status?: DeliveryStatus | undefined },
    page: PageQuery,
  ): Promise<Page<Delivery>>;
  /** A message's deliveries, one per endpoint it went to, paged by endpoint id. */
  deliveryListByMessage(msgId: string, page: PageQuery): Promise<Page<Delivery>>;
  /**
   * An endpoint's deliveries counted by status as Svix reports them (a delivery tried and waiting for a retry is
   * `sending`), optionally only those created in [since, until).
   */
  deliveryStats(endpointId: string, since?: number, until?: number): Promise<Record<DeliveryStatus, number>>;
  /** How many deliveries wait in the queue (pending) for each of the given endpoints. */
  deliveryCountPending(endpointIds: string[]): Promise<Map<string, number>>;
  /**
   * Queues a message for one endpoint again, now, as a manual attempt with a fresh retry schedule. Creates
   * the delivery if the message never went to that endpoint. Returns false while the delivery is in flight.
   */
  deliveryResend(appId: string, msgId: string, endpointId: string, now?: number): Promise<boolean>;
  /**
   * Dead letters (failed deliveries) of an application matching the filter. With `dryRun` only counts them;
   * otherwise queues them all again, now, as manual attempts with a fresh retry schedule, or with `once` for
   * one attempt only (they keep their attempt count, so a failure ends them again, as Svix's recovery does).
   * Returns how many.
   */
  deliveryRequeueFailed(
    filter: DeadLetterFilter,
    dryRun: boolean,
    now?: number,
    options?: { once?: boolean },
  ): Promise<number>;
  /** An ordered endpoint's sequences held by a given-up delivery, by key, at most `limit`. */
  deliveryBlockedSequences(endpointId: string, limit: number): Promise<BlockedSequence[]>;
  /**
   * Lets the sequence that a given-up delivery holds move on without it (the delivery stays failed). False if
   * the message's delivery to the endpoint holds no sequence.
   */
  deliverySkipBlocking(msgId: string, endpointId: string, now?: number): Promise<boolean>;
}

export function toDelivery(row: Selectable<DeliveryTable>): Delivery {
  return {
    id: row.id,
    appId: row.app_id,
    msgId: row.msg_id,
    endpointId: row.endpoint_id,
    status: row.status as DeliveryStatus,
    attemptCount: row.attempt_count,
    triggerType: row.trigger_type as TriggerType,
    nextAttemptAt: row.next_attempt_at,
    leaseExpiresAt: row.lease_expires_at,
    leasedBy: row.leased_by,
    lastAttemptAt: row.last_attempt_at,
    seqKey: row.seq_key,
    seq: row.seq === null ? null : Number(row.seq),
    blocking: row.blocking === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The columns that put a delivery back in the queue as a manual attempt with a fresh schedule. */
export function requeued(now: number) {
  return {
    status: DeliveryStatus.Pending,
    attempt_count: 0,
    trigger_type: TriggerType.Manual,
    next_attempt_at: now,
    lease_expires_at: null,
    leased_by: null,
    blocking: 0,
    updated_at: now,
  };
}

/** A new delivery of the message to the endpoint, queued now as a manual attempt. */
export function manualDelivery(appId: string, msgId: string, endpointId: string, now: number) {
  return {
    id: newId('delivery', now),
    app_id: appId,
    msg_id: msgId,
    endpoint_id: endpointId,
    created_at: now,
    ...requeued(now),
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- shared filter for a select and an update
export type WhereBuilder = { where: (...args: any[]) => any };

/**
 * Puts the deliveries `match` selects back in the queue with `columns`, in one transaction: the sequences of
 * ordered endpoints among them are locked first, and settled after. Returns how many it queued.
 */
export function requeueMatching(
  connection: Connection,
  match: <QB extends WhereBuilder>(query: QB) => QB,
  columns: Partial<ReturnType<typeof requeued>>,
  now: number,
): Promise<number> {
  return connection.db.transaction().execute(async (trx) => {
    const sequences = (
      await match(trx.selectFrom('delivery').select(['endpoint_id', 'seq_key']).distinct())
        .where('seq_key', 'is not', null)
        .execute()
    ).map((row) => ({ endpointId: row.endpoint_id, key: row.seq_key! }));
    await lockSequences(trx, connection.profile, sequences);
    const result = await match(trx.updateTable('delivery').set(columns)).executeTakeFirst();
    await settleSequences(trx, sequences, now);
    return Number(result.numUpdatedRows);
  });
}

export function deliveryQueries(connection: Connection): DeliveryQueries {
  const { db } = connection;
  return {
    async deliveryGet(id: string): Promise<Delivery | undefined> {
      const row = await db.selectFrom('delivery').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toDelivery(row);
    },

    async deliveryList(filter: DeliveryFilter, page: PageQuery): Promise<Page<Delivery>> {
      let query = db.selectFrom('delivery').selectAll('delivery');
      if (filter.appId !== undefined) query = query.where('delivery.app_id', '=', filter.appId);
      if (filter.endpointId !== undefined)
        query = query.where('delivery.endpoint_id', '=', filter.endpointId);
      if (filter.status === DeliveryStatus.Sending)
        query = query.where((eb) =>
          eb.or([
            eb('delivery.status', '=', DeliveryStatus.Sending),
            eb.and([
              eb('delivery.status', '=', DeliveryStatus.Pending),
              eb('delivery.attempt_count', '>', 0),
            ]),
          ]),
        );
      else if (filter.status === DeliveryStatus.Pending)
        query = query
          .where('delivery.status', '=', DeliveryStatus.Pending)
          .where('delivery.attempt_count', '=', 0);
      else if (filter.status !== undefined) query = query.where('delivery.status', '=', filter.status);
      if (filter.before !== undefined) query = query.where('delivery.created_at', '<', filter.before);
      if (filter.after !== undefined) query = query.where('delivery.created_at', '>=', filter.after);
      if (filter.channel !== undefined || (filter.eventTypes?.length ?? 0) > 0) {
        let joined = query.innerJoin('message', 'message.id', 'delivery.msg_id');
        if (filter.eventTypes !== undefined && filter.eventTypes.length > 0)
          joined = joined.where('message.event_type', 'in', filter.eventTypes);
        if (filter.channel !== undefined)
          joined = joined.where(hasChannel(connection, 'message.channels', filter.channel));
        query = joined;
      }
      const rows = await paged(query, 'delivery.id', page).execute();
      return pageOf(rows.map(toDelivery), page, (delivery) => delivery.id);
    },

    async deliveryListByEndpoint(
      endpointId: string,
      filter: MessageFilter & { status?: DeliveryStatus | undefined },
      page: PageQuery,
    ): Promise<Page<Delivery>> {
      return this.deliveryList({ ...filter, endpointId }, page);
    },

    async deliveryListByMessage(msgId: string, page: PageQuery): Promise<Page<Delivery>> {
      // Paged by endpoint id, as Svix pages a message's destinations: a message goes to an endpoint once.
      const query = db.selectFrom('delivery').selectAll().where('msg_id', '=', msgId);
      const rows = await paged(query, 'endpoint_id', page).execute();
      return pageOf(rows.map(toDelivery), page, (delivery) => delivery.endpointId);
    },

    async deliveryResend(
      appId: string,
      msgId: string,
      endpointId: string,
      now = Date.now(),
    ): Promise<boolean> {
      // Insert first: a delivery the message never had is created; an existing one is left to the update,
      // which skips it while it is in flight. Neither step can race a concurrent resend or claim.
      const inserted = await db
        .insertInto('delivery')
        .values(manualDelivery(appId, msgId, endpointId, now))
        .onConflict((oc) => oc.columns(['msg_id', 'endpoint_id']).doNothing())
        .executeTakeFirst();
      if ((inserted.numInsertedOrUpdatedRows ?? 0n) > 0n) return true;
      const requeue = (executor: Kysely<Database>) =>
        executor
          .updateTable('delivery')
          .set(requeued(now))
          .where('msg_id', '=', msgId)
          .where('endpoint_id', '=', endpointId)
          .where('status', '!=', DeliveryStatus.Sending)
          .executeTakeFirst();
      const existing = await db
        .selectFrom('delivery')
        .select('seq_key')
        .where('msg_id', '=', msgId)
        .where('endpoint_id', '=', endpointId)
        .executeTakeFirst();
      if (existing?.seq_key === null || existing?.seq_key === undefined)
        return (await requeue(db)).numUpdatedRows > 0n;
      // In a sequence: it takes its place again, ahead of what was accepted after it.
      const ref = { endpointId, key: existing.seq_key };
      return db.transaction().execute(async (trx) => {
        await lockSequences(trx, connection.profile, [ref]);
        const result = await requeue(trx);
        await settleSequences(trx, [ref], now);
        return result.numUpdatedRows > 0n;
      });
    },

    async deliveryRequeueFailed(
      filter: DeadLetterFilter,
      dryRun: boolean,
      now = Date.now(),
      options: { once?: boolean } = {},
    ): Promise<number> {
      const match = <QB extends WhereBuilder>(query: QB): QB => {
        let q = query.where('app_id', '=', filter.appId).where('status', '=', DeliveryStatus.Fail) as QB;
        if (filter.endpointId !== undefined) q = q.where('endpoint_id', '=', filter.endpointId) as QB;
        if (filter.since !== undefined) q = q.where('created_at', '>=', filter.since) as QB;
        if (filter.until !== undefined) q = q.where('created_at', '<', filter.until) as QB;
        if (filter.eventTypes !== undefined && filter.eventTypes.length > 0)
          q = q.where('msg_id', 'in', (eb: ExpressionBuilder<Database, 'delivery'>) =>
            eb
              .selectFrom('message')
              .select('message.id')
              .where('message.app_id', '=', filter.appId)
              .where('message.event_type', 'in', filter.eventTypes!),
          ) as QB;
        return q;
      };
      if (dryRun) {
        const row = await match(
          db.selectFrom('delivery').select((eb) => eb.fn.countAll<number>().as('n')),
        ).executeTakeFirstOrThrow();
        return Number(row.n);
      }
      const { attempt_count, ...once } = requeued(now);
      return requeueMatching(connection, match, options.once ? once : { ...once, attempt_count }, now);
    },

    deliveryBlockedSequences: (endpointId, limit) => blockedSequences(db, endpointId, limit),

    async deliverySkipBlocking(msgId: string, endpointId: string, now = Date.now()): Promise<boolean> {
      const head = await db
        .selectFrom('delivery')
        .select(['id', 'seq_key'])
        .where('msg_id', '=', msgId)
        .where('endpoint_id', '=', endpointId)
        .where('blocking', '=', 1)
        .executeTakeFirst();
      if (head?.seq_key === null || head?.seq_key === undefined) return false;
      const ref = { endpointId, key: head.seq_key };
      return db.transaction().execute(async (trx) => {
        await lockSequences(trx, connection.profile, [ref]);
        const cleared = await trx
          .updateTable('delivery')
          .set({ blocking: 0, updated_at: now })
          .where('id', '=', head.id)
          .where('blocking', '=', 1)
          .executeTakeFirst();
        await settleSequences(trx, [ref], now);
        return cleared.numUpdatedRows > 0n;
      });
    },

    async deliveryStats(
      endpointId: string,
      since?: number,
      until?: number,
    ): Promise<Record<DeliveryStatus, number>> {
      const tried = sql<number>`case when attempt_count > 0 then 1 else 0 end`;
      let query = db
        .selectFrom('delivery')
        .select((eb) => ['status', tried.as('tried'), eb.fn.countAll<number>().as('n')])
        .where('endpoint_id', '=', endpointId)
        .groupBy(['status', tried]);
      if (since !== undefined) query = query.where('created_at', '>=', since);
      if (until !== undefined) query = query.where('created_at', '<', until);
      const counts: Record<DeliveryStatus, number> = { 0: 0, 1: 0, 2: 0, 3: 0, 4: 0 };
      for (const row of await query.execute()) {
        const status =
          row.status === DeliveryStatus.Pending && Number(row.tried) === 1
            ? DeliveryStatus.Sending
            : row.status;
        counts[status as DeliveryStatus] += Number(row.n);
      }
      return counts;
    },

    async deliveryCountPending(endpointIds: string[]): Promise<Map<string, number>> {
      if (endpointIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('delivery')
        .select((eb) => ['endpoint_id', eb.fn.countAll<number>().as('n')])
        .where('endpoint_id', 'in', endpointIds)
        .where('status', '=', DeliveryStatus.Pending)
        .groupBy('endpoint_id')
        .execute();
      return new Map(rows.map((row) => [row.endpoint_id, Number(row.n)]));
    },
  };
}
