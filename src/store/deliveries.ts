/**
 * The delivery queue. Deliveries are claimed in batches with a lease, fairly across endpoints: each claim takes
 * at most `perEndpoint` due deliveries from each endpoint, walking endpoints round-robin from a cursor, so a
 * flooded endpoint cannot crowd out the others. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several workers
 * claim at once without waiting on each other; SQLite has one writer, which serialises claims by itself.
 */
import { sql, type Selectable } from 'kysely';
import type { Connection } from './dialect.js';
import { toDelivery } from './messages.js';
import type { DeliveryTable } from './schema.js';
import { DeliveryStatus, type Attempt, type Delivery } from './types.js';
import { attemptRows } from './attempts.js';

export interface ClaimRequest {
  now: number;
  leaseMs: number;
  worker: string;
  limit: number;
  perEndpoint: number;
  /** Endpoints not to claim for (saturated in this worker, or with an open circuit). */
  exclude: readonly string[];
  /** Round-robin cursor: endpoints after this id come first. */
  after: string;
}

/** The new state of a delivery after an attempt (or a decision not to attempt). */
export interface DeliveryUpdate {
  id: string;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: number | null;
  lastAttemptAt: number | null;
}

export interface QueueStats {
  pending: number;
  due: number;
  oldestDueAt: number | null;
  sending: number;
}

function claimSql(connection: Connection, request: ClaimRequest) {
  const exclude = request.exclude.length > 0 ? request.exclude : [''];
  const excluded = sql.join(exclude.map((id) => sql`${id}`));
  const order = sql`order by case when e.id > ${request.after} then 0 else 1 end, e.id`;
  if (connection.profile.supportsSkipLocked) {
    return sql<Selectable<DeliveryTable>>`
      with picked as (
        select d.id from (
          select e.id from endpoint e where e.disabled = 0 and e.id not in (${excluded}) ${order}
        ) e
        cross join lateral (
          select id from delivery
          where endpoint_id = e.id and status = ${DeliveryStatus.Pending} and next_attempt_at <= ${request.now}
          order by next_attempt_at
          limit ${request.perEndpoint}
          for update skip locked
        ) d
        limit ${request.limit}
      )
      update delivery set status = ${DeliveryStatus.Sending}, lease_expires_at = ${request.now + request.leaseMs},
        leased_by = ${request.worker}, updated_at = ${request.now}
      where id in (select id from picked)
      returning *`;
  }
  return sql<Selectable<DeliveryTable>>`
    update delivery set status = ${DeliveryStatus.Sending}, lease_expires_at = ${request.now + request.leaseMs},
      leased_by = ${request.worker}, updated_at = ${request.now}
    where id in (
      select d.id from (
        select e.id from endpoint e where e.disabled = 0 and e.id not in (${excluded}) ${order}
      ) e
      join delivery d on d.id in (
        select id from delivery
        where endpoint_id = e.id and status = ${DeliveryStatus.Pending} and next_attempt_at <= ${request.now}
        order by next_attempt_at
        limit ${request.perEndpoint}
      )
      limit ${request.limit}
    )
    returning *`;
}

/** The channel on which processes announce newly queued deliveries to each other's workers. */
const DUE_CHANNEL = 'herald_deliveries_due';

export function deliveryQueries(connection: Connection) {
  const { db } = connection;
  return {
    /** Wakes the workers of every process (PostgreSQL NOTIFY); a no-op with one process. */
    async deliveryAnnounce(): Promise<void> {
      if (connection.listen) await sql`select pg_notify(${DUE_CHANNEL}, '')`.execute(db);
    },

    /** Calls `onDue` whenever any process announces deliveries. Returns the unsubscribe function. */
    async deliveryListen(onDue: () => void): Promise<() => Promise<void>> {
      return connection.listen ? connection.listen(DUE_CHANNEL, onDue) : async () => {};
    },

    async deliveryClaim(request: ClaimRequest): Promise<Delivery[]> {
      const result = await claimSql(connection, request).execute(db);
      return result.rows.map(toDelivery);
    },

    /**
     * The results writer's group commit: the attempts and the deliveries' new states in one transaction.
     * A delivery is only updated while `worker` still holds its lease.
     */
    async deliveryRecordResults(
      worker: string,
      updates: DeliveryUpdate[],
      attempts: Attempt[],
      now = Date.now(),
    ) {
      if (updates.length === 0 && attempts.length === 0) return;
      await db.transaction().execute(async (trx) => {
        if (attempts.length > 0) await trx.insertInto('attempt').values(attemptRows(attempts)).execute();
        if (updates.length === 0) return;
        const values = sql.join(
          updates.map(
            (u) =>
              sql`select cast(${u.id} as text) as id, cast(${u.status} as integer) as status,
                cast(${u.attemptCount} as integer) as attempt_count, cast(${u.nextAttemptAt} as bigint) as next_at,
                cast(${u.lastAttemptAt} as bigint) as last_at`,
          ),
          sql` union all `,
        );
        await sql`
          update delivery set status = v.status, attempt_count = v.attempt_count, next_attempt_at = v.next_at,
            last_attempt_at = v.last_at, lease_expires_at = null, leased_by = null, updated_at = ${now}
          from (${values}) as v
          where delivery.id = v.id and delivery.leased_by = ${worker}`.execute(trx);
      });
    },

    /** Puts leased deliveries back in the queue untouched, as on shutdown. */
    async deliveryRelease(worker: string, ids: string[], now = Date.now()): Promise<void> {
      if (ids.length === 0) return;
      await db
        .updateTable('delivery')
        .set({ status: DeliveryStatus.Pending, lease_expires_at: null, leased_by: null, updated_at: now })
        .where('id', 'in', ids)
        .where('leased_by', '=', worker)
        .execute();
    },

    /** Returns deliveries whose lease expired (their worker died) to the queue. */
    async deliveryRescueExpired(now = Date.now()): Promise<number> {
      const result = await db
        .updateTable('delivery')
        .set({ status: DeliveryStatus.Pending, lease_expires_at: null, leased_by: null, updated_at: now })
        .where('status', '=', DeliveryStatus.Sending)
        .where('lease_expires_at', '<', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /** The earliest time a pending delivery falls due, so an idle dispatcher knows when to wake. */
    async deliveryNextDueAt(): Promise<number | null> {
      const row = await db
        .selectFrom('delivery')
        .select((eb) => eb.fn.min('next_attempt_at').as('next'))
        .where('status', '=', DeliveryStatus.Pending)
        .executeTakeFirst();
      return row?.next === null || row?.next === undefined ? null : Number(row.next);
    },

    async deliveryQueueStats(now = Date.now()): Promise<QueueStats> {
      const row = await db
        .selectFrom('delivery')
        .select((eb) => [
          eb.fn.countAll<number>().as('pending'),
          eb.fn.sum<number>(eb.case().when('next_attempt_at', '<=', now).then(1).else(0).end()).as('due'),
          eb.fn.min('next_attempt_at').as('oldest'),
        ])
        .where('status', '=', DeliveryStatus.Pending)
        .executeTakeFirstOrThrow();
      const sending = await db
        .selectFrom('delivery')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', DeliveryStatus.Sending)
        .executeTakeFirstOrThrow();
      return {
        pending: Number(row.pending),
        due: Number(row.due ?? 0),
        oldestDueAt: row.oldest === null ? null : Number(row.oldest),
        sending: Number(sending.n),
      };
    },

    async deliveryGet(id: string): Promise<Delivery | undefined> {
      const row = await db.selectFrom('delivery').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toDelivery(row);
    },
  };
}
