/**
 * The delivery queue: claiming due deliveries with a lease, renewing and giving back leases, writing the results
 * of attempts, and rescuing the leases of workers that died. Deliveries are claimed in batches, fairly across
 * endpoints: each claim takes at most `perEndpoint` due deliveries from each endpoint, walking endpoints
 * round-robin from a cursor, so a flooded endpoint cannot crowd out the others. Where the database has
 * `FOR UPDATE SKIP LOCKED` (PostgreSQL) several workers claim at once without waiting on each other; SQLite has
 * one writer, which serialises claims by itself.
 */
import { sql, type Selectable } from 'kysely';
import { attemptRows } from './attempts.js';
import { toDelivery } from './deliveries.js';
import type { Connection } from './dialect.js';
import type { DeliveryTable } from './schema.js';
import { endedInSequences, lockEnded, settleEnded, type SequenceRef } from './sequences.js';
import { slaRollupAddIn, slaRollupInsert, type SlaRollupDelta } from './slas.js';
import { DeliveryStatus, TriggerType, type Attempt, type Delivery } from './types.js';

/** What one claim of due deliveries asks for. */
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
  /** Endpoints with pending deliveries to look at, at most: a claim's cost grows with it, not with the queue. */
  walk: number;
}

export interface ClaimResult {
  deliveries: Delivery[];
  /**
   * The last endpoint walked when the walk stopped at its bound (endpoints beyond it were not looked at), or
   * null when it went all the way round: the next claim's cursor.
   */
  resumeAfter: string | null;
}

/** The new state of a delivery after an attempt (or a decision not to attempt). */
export interface DeliveryUpdate {
  id: string;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: number | null;
  lastAttemptAt: number | null;
  /** The delivery's sequence, on an ordered endpoint: a result that ends the delivery settles it. */
  sequence?: SequenceRef;
}

/** The queue's depth, for metrics. */
export interface QueueStats {
  pending: number;
  due: number;
  oldestDueAt: number | null;
  sending: number;
}

export interface DeliveryQueueQueries {
  /** Wakes the workers of every process (PostgreSQL NOTIFY); a no-op with one process. */
  deliveryAnnounce(): Promise<void>;
  /** Calls `onDue` whenever any process announces deliveries. Returns the unsubscribe function. */
  deliveryListen(onDue: () => void): Promise<() => Promise<void>>;
  /**
   * Claims due deliveries of enabled endpoints whose circuit is not open, leasing them to `request.worker` until
   * `now + leaseMs`, walking at most `request.walk` endpoints with pending deliveries from the cursor.
   */
  deliveryClaim(request: ClaimRequest): Promise<ClaimResult>;
  /**
   * The results writer's group commit: the attempts and the deliveries' new states in one transaction.
   * A delivery is only updated while `worker` still holds its lease. A delivery of an ordered endpoint that
   * ended settles its sequence (and holds it, given up at an endpoint that blocks); resolves how many
   * deliveries were made due by that.
   */
  deliveryRecordResults(
    worker: string,
    updates: DeliveryUpdate[],
    attempts: Attempt[],
    now?: number,
    /** SLA rollup counts these results add to (for scopes with an SLA), written in the same transaction. */
    rollups?: SlaRollupDelta[],
  ): Promise<number>;
  /** Puts leased deliveries back in the queue untouched, as on shutdown. */
  deliveryRelease(worker: string, ids: string[], now?: number): Promise<void>;
  /** Puts leased deliveries back in the queue to be tried at `at`, without counting an attempt. */
  deliveryPostpone(worker: string, ids: string[], at: number, now?: number): Promise<void>;
  /**
   * Extends to `until` the leases that `worker` still holds among `ids`, and returns those ids: a delivery
   * missing from the answer was taken back (its lease ran out and was rescued) and must not be sent.
   */
  deliveryRenewLeases(worker: string, ids: string[], until: number): Promise<Set<string>>;
  /**
   * The deliveries leased to `worker` now. A worker whose claim failed compares them with what it holds: a claim
   * that committed but whose answer was lost with its connection leased deliveries the worker never saw.
   */
  deliveryLeasedTo(worker: string): Promise<string[]>;
  /**
   * Returns deliveries whose lease expired (their worker died) to the queue. With `everyLease`, returns all
   * leased deliveries: right for a single-process database at start, where no live worker can hold one.
   * Returns how many.
   */
  deliveryRescueExpired(now?: number, everyLease?: boolean): Promise<number>;
  /** The earliest time a pending delivery falls due, so an idle dispatcher knows when to wake. */
  deliveryNextDueAt(): Promise<number | null>;
  /** How many deliveries are pending, due and leased, and the oldest due time. */
  deliveryQueueStats(now?: number): Promise<QueueStats>;
}

/**
 * The endpoints with pending deliveries, in the claim's fair order: those after the cursor, then from the start
 * up to the cursor, at most `walk` of them. Each is found by hopping along the pending-deliveries index from one
 * endpoint id to the next (a loose index scan): one index seek per endpoint, and endpoints with nothing queued
 * (usually most of them) cost nothing. The second pass is walked only if the first ended short of `walk`.
 */
function walkSql(after: string, walk: number) {
  const next = (from: ReturnType<typeof sql>) =>
    sql`(select min(endpoint_id) from delivery where status = ${DeliveryStatus.Pending} and endpoint_id > ${from})`;
  return sql<{ id: string; pass: number }>`
    with recursive ahead (id, n) as (
      select ${next(sql`${after}`)}, 1
      union all
      select ${next(sql`ahead.id`)}, n + 1 from ahead where ahead.id is not null and n < ${walk}
    ), behind (id, n) as (
      select (select min(endpoint_id) from delivery where status = ${DeliveryStatus.Pending}), 1
      where (select count(id) from ahead) < ${walk}
      union all
      select ${next(sql`behind.id`)}, n + 1 from behind
      where behind.id is not null and behind.id < ${after} and n < ${walk} - (select count(id) from ahead)
    )
    select id, 0 as pass from ahead where id is not null
    union all
    select id, 1 as pass from behind where id is not null and id <= ${after}
    order by pass, id`;
}

/** Claims up to `perEndpoint` due deliveries from each of `endpoints` in their order, `limit` in all. */
export function claimSql(connection: Connection, request: ClaimRequest, endpoints: string[]) {
  const lease = sql`status = ${DeliveryStatus.Sending}, lease_expires_at = ${request.now + request.leaseMs},
    leased_by = ${request.worker}, updated_at = ${request.now}`;
  const open = sql`e.disabled = 0 and (e.circuit_open_until is null or e.circuit_open_until <= ${request.now})`;
  const due = sql`endpoint_id = e.id and status = ${DeliveryStatus.Pending} and next_attempt_at <= ${request.now}
    order by next_attempt_at limit ${request.perEndpoint}`;
  if (connection.profile.supportsSkipLocked) {
    // Lists are bound as arrays, so the statement's text is the same for every claim.
    return sql<Selectable<DeliveryTable>>`
      with picked as (
        select d.id from (
          select e.id, c.pos from unnest(${endpoints}::text[]) with ordinality as c (id, pos)
          join endpoint e on e.id = c.id
          where ${open} and not (e.id = any(${[...request.exclude]}::text[]))
          order by c.pos
        ) e
        cross join lateral (select id from delivery where ${due} for update skip locked) d
        limit ${request.limit}
      )
      update delivery set ${lease} where id in (select id from picked)
      returning *`;
  }
  // SQLite has no LATERAL. Each endpoint's first due deliveries are gathered into a JSON array by a correlated
  // subquery (an index range scan of at most `perEndpoint` rows) and unnested with json_each, in walk order.
  // Lists are bound as JSON arrays, so the statement's text is the same for every claim.
  return sql<Selectable<DeliveryTable>>`
    update delivery set ${lease}
    where id in (
      select j.value from (
        select c.key as pos, (select json_group_array(id) from (select id from delivery where ${due})) as due
        from json_each(${JSON.stringify(endpoints)}) c
        join endpoint e on e.id = c.value
        where ${open} and e.id not in (select value from json_each(${JSON.stringify(request.exclude)}))
      ) e, json_each(e.due) j
      order by e.pos, j.key
      limit ${request.limit}
    )
    returning *`;
}

/** The channel on which processes announce newly queued deliveries to each other's workers. */
const DUE_CHANNEL = 'herald_deliveries_due';
/** Deliveries per lease-renewal statement: well inside SQLite's limit on bound values. */
const RENEW_CHUNK = 500;

export function deliveryQueueQueries(connection: Connection): DeliveryQueueQueries {
  const { db } = connection;
  return {
    async deliveryAnnounce(): Promise<void> {
      if (connection.listen) await sql`select pg_notify(${DUE_CHANNEL}, '')`.execute(db);
    },

    async deliveryListen(onDue: () => void): Promise<() => Promise<void>> {
      return connection.listen ? connection.listen(DUE_CHANNEL, onDue) : async () => {};
    },

    async deliveryClaim(request: ClaimRequest): Promise<ClaimResult> {
      // One endpoint more than the walk, to tell a walk cut short from one that ended exactly at its bound.
      const walked = (await walkSql(request.after, request.walk + 1).execute(db)).rows;
      const endpoints = walked.slice(0, request.walk).map((row) => row.id);
      const resumeAfter = walked.length > request.walk ? endpoints.at(-1)! : null;
      if (endpoints.length === 0) return { deliveries: [], resumeAfter };
      const result = await claimSql(connection, request, endpoints).execute(db);
      return { deliveries: result.rows.map(toDelivery), resumeAfter };
    },

    async deliveryRecordResults(
      worker: string,
      updates: DeliveryUpdate[],
      attempts: Attempt[],
      now = Date.now(),
      rollups: SlaRollupDelta[] = [],
    ): Promise<number> {
      if (updates.length === 0 && attempts.length === 0) return 0;
      // Unordered deliveries (every one, at an endpoint with `ordering: none`) take no part in what follows:
      // one look at each update, and nothing allocated, locked or queried for them.
      const ended = endedInSequences(updates);
      return db.transaction().execute(async (trx) => {
        // Sequences first, as every writer to a sequence locks it before its deliveries.
        if (ended !== null) await lockEnded(trx, connection.profile, ended);
        if (attempts.length > 0) await trx.insertInto('attempt').values(attemptRows(attempts)).execute();
        if (updates.length === 0) {
          await slaRollupAddIn(trx, rollups);
          return 0;
        }
        const values = sql.join(
          updates.map(
            (u) =>
              sql`select cast(${u.id} as text) as id, cast(${u.status} as integer) as status,
                cast(${u.attemptCount} as integer) as attempt_count, cast(${u.nextAttemptAt} as bigint) as next_at,
                cast(${u.lastAttemptAt} as bigint) as last_at`,
          ),
          sql` union all `,
        );
        // With writable CTEs the rollups ride in the update: no round trip of their own inside the transaction.
        const rollupsInUpdate = connection.profile.supportsWritableCtes && rollups.length > 0;
        const withRollups = rollupsInUpdate ? sql`with sla_added as (${slaRollupInsert(rollups)}) ` : sql``;
        await sql`${withRollups}
          update delivery set status = v.status, attempt_count = v.attempt_count, next_attempt_at = v.next_at,
            trigger_type = ${TriggerType.Scheduled},
            last_attempt_at = v.last_at, lease_expires_at = null, leased_by = null, updated_at = ${now}
          from (${values}) as v
          where delivery.id = v.id and delivery.leased_by = ${worker}`.execute(trx);
        // After the deliveries: a busy application's rollup row is shared by every writer, so it is locked late.
        if (!rollupsInUpdate) await slaRollupAddIn(trx, rollups);
        return ended === null ? 0 : settleEnded(trx, ended, now);
      });
    },

    async deliveryRelease(worker: string, ids: string[], now = Date.now()): Promise<void> {
      if (ids.length === 0) return;
      await db
        .updateTable('delivery')
        .set({ status: DeliveryStatus.Pending, lease_expires_at: null, leased_by: null, updated_at: now })
        .where('id', 'in', ids)
        .where('leased_by', '=', worker)
        .execute();
    },

    async deliveryPostpone(worker: string, ids: string[], at: number, now = Date.now()): Promise<void> {
      if (ids.length === 0) return;
      await db
        .updateTable('delivery')
        .set({
          status: DeliveryStatus.Pending,
          next_attempt_at: at,
          lease_expires_at: null,
          leased_by: null,
          updated_at: now,
        })
        .where('id', 'in', ids)
        .where('leased_by', '=', worker)
        .execute();
    },

    async deliveryRenewLeases(worker: string, ids: string[], until: number): Promise<Set<string>> {
      const held = new Set<string>();
      for (let at = 0; at < ids.length; at += RENEW_CHUNK) {
        const rows = await db
          .updateTable('delivery')
          .set({ lease_expires_at: until })
          .where('id', 'in', ids.slice(at, at + RENEW_CHUNK))
          .where('leased_by', '=', worker)
          .returning('id')
          .execute();
        for (const row of rows) held.add(row.id);
      }
      return held;
    },

    async deliveryLeasedTo(worker: string): Promise<string[]> {
      const rows = await db
        .selectFrom('delivery')
        .select('id')
        .where('status', '=', DeliveryStatus.Sending)
        .where('leased_by', '=', worker)
        .execute();
      return rows.map((row) => row.id);
    },

    async deliveryRescueExpired(now = Date.now(), everyLease = false): Promise<number> {
      let query = db
        .updateTable('delivery')
        .set({ status: DeliveryStatus.Pending, lease_expires_at: null, leased_by: null, updated_at: now })
        .where('status', '=', DeliveryStatus.Sending);
      if (!everyLease) query = query.where('lease_expires_at', '<', now);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

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
  };
}
