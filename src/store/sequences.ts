/**
 * Sequences of ordered endpoints. Every delivery of an endpoint with `ordering` other than `none` belongs to a
 * sequence (the endpoint and the message's ordering key, or '' for the whole endpoint) and has its place in it,
 * numbered by the sequence's counter in the write that accepted the message.
 *
 * At most one delivery of a sequence is active: due (pending, with a time to be tried) or in flight. The
 * others wait, pending with no time (`next_attempt_at` null), which the claim never takes. Whenever something
 * may change which delivery should be active (messages accepted, a result written, a delivery sent again or
 * skipped), the writer settles the sequence: with the sequence's row locked, the lowest-placed delivery that is
 * pending or blocking wins; if it is pending it is made active, and every other one waits. Nothing is settled
 * while a delivery of the sequence is in flight: its result settles it. Settling reads the sequence afresh, so
 * it is right whatever happened before, and it costs nothing for unordered endpoints, which have no sequences.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectProfile } from './dialect.js';
import type { Database } from './schema.js';
import { DeliveryStatus } from './types.js';

export interface SequenceRef {
  endpointId: string;
  key: string;
}

/** Each sequence once, in one order for every writer, so that writers lock them without deadlocking. */
export function distinctSequences(refs: Iterable<SequenceRef>): SequenceRef[] {
  const byName = new Map<string, SequenceRef>();
  for (const ref of refs) byName.set(sequenceName(ref), ref);
  return [...byName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, ref]) => ref);
}

/**
 * Takes `count` places in each sequence, creating the sequences that are new; returns the first place taken in
 * each, by sequence name. The sequences' rows stay locked until the transaction ends (PostgreSQL; SQLite has
 * one writer), so places are handed out in the order writes commit.
 */
export async function takePlaces(
  trx: Kysely<Database>,
  counts: Array<{ ref: SequenceRef; count: number }>,
): Promise<Map<string, number>> {
  const first = new Map<string, number>();
  for (const { ref, count } of counts) {
    const row = await trx
      .insertInto('delivery_sequence')
      .values({ endpoint_id: ref.endpointId, seq_key: ref.key, last_seq: count })
      .onConflict((oc) =>
        oc
          .columns(['endpoint_id', 'seq_key'])
          .doUpdateSet({ last_seq: sql`delivery_sequence.last_seq + ${count}` }),
      )
      .returning('last_seq')
      .executeTakeFirstOrThrow();
    first.set(sequenceName(ref), Number(row.last_seq) - count + 1);
  }
  return first;
}

export function sequenceName(ref: SequenceRef): string {
  return `${ref.endpointId}\u0000${ref.key}`;
}

/** Locks the sequences' rows for the rest of the transaction (PostgreSQL; SQLite has one writer at a time). */
export async function lockSequences(
  trx: Kysely<Database>,
  profile: DialectProfile,
  refs: SequenceRef[],
): Promise<void> {
  if (!profile.supportsSkipLocked) return;
  for (const ref of distinctSequences(refs))
    await trx
      .selectFrom('delivery_sequence')
      .select('last_seq')
      .where('endpoint_id', '=', ref.endpointId)
      .where('seq_key', '=', ref.key)
      .forUpdate()
      .execute();
}

/**
 * Makes the right delivery of each sequence active (see the top of this file). The caller holds the
 * sequences' locks, taken before it changed any of their deliveries. Returns how many were made due.
 */
export async function settleSequences(
  trx: Kysely<Database>,
  refs: SequenceRef[],
  now: number,
): Promise<number> {
  let madeDue = 0;
  for (const ref of distinctSequences(refs)) madeDue += await settle(trx, ref, now);
  return madeDue;
}

async function settle(trx: Kysely<Database>, ref: SequenceRef, now: number): Promise<number> {
  // Written as the partial index's own condition, so that both databases use it.
  const members = trx
    .selectFrom('delivery')
    .where('endpoint_id', '=', ref.endpointId)
    .where('seq_key', '=', ref.key)
    .where(
      sql<boolean>`seq_key is not null and status in (${sql.lit(DeliveryStatus.Pending)}, ${sql.lit(DeliveryStatus.Sending)})`,
    );
  // Due or in flight: normally one at most; two after a delivery placed earlier was sent again. Written as
  // its partial index's condition.
  const active = await trx
    .selectFrom('delivery')
    .select(['id', 'status', 'seq'])
    .where('endpoint_id', '=', ref.endpointId)
    .where('seq_key', '=', ref.key)
    .where(
      sql<boolean>`seq_key is not null and (status = ${sql.lit(DeliveryStatus.Sending)} or (status = ${sql.lit(DeliveryStatus.Pending)} and next_attempt_at is not null))`,
    )
    .execute();
  const wait = async (id: string) =>
    trx.updateTable('delivery').set({ next_attempt_at: null }).where('id', '=', id).execute();
  if (active.some((row) => row.status === DeliveryStatus.Sending)) {
    for (const row of active) if (row.status === DeliveryStatus.Pending) await wait(row.id);
    return 0;
  }
  const nextWaiting = await members
    .select(['id', 'seq'])
    .where('status', '=', DeliveryStatus.Pending)
    .where('next_attempt_at', 'is', null)
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst();
  const firstBlocking = await firstHolder(trx, ref);
  const place = (row: { seq: number | null } | undefined) =>
    row === undefined ? Number.POSITIVE_INFINITY : Number(row.seq);
  const head = Math.min(...active.map(place), place(nextWaiting), place(firstBlocking));
  for (const row of active) if (place(row) !== head) await wait(row.id);
  if (nextWaiting === undefined || place(nextWaiting) !== head) return 0;
  await trx
    .updateTable('delivery')
    .set({ next_attempt_at: now, updated_at: now })
    .where('id', '=', nextWaiting.id)
    .execute();
  return 1;
}

/** A result of a delivery in a sequence that ended it (anything but pending again): its sequence moves on. */
export interface EndedInSequence {
  id: string;
  status: DeliveryStatus;
  sequence: SequenceRef;
}

/**
 * The results among `updates` that end a delivery of a sequence, or null when there are none: always for
 * unordered endpoints' deliveries, which carry no sequence, so a write of their results allocates nothing here.
 */
export function endedInSequences(
  updates: ReadonlyArray<{ id: string; status: DeliveryStatus; sequence?: SequenceRef }>,
): EndedInSequence[] | null {
  let ended: EndedInSequence[] | null = null;
  for (const update of updates)
    if (update.sequence !== undefined && update.status !== DeliveryStatus.Pending)
      (ended ??= []).push(update as EndedInSequence);
  return ended;
}

/** Locks the sequences of the ended deliveries, before the write changes any of their deliveries. */
export function lockEnded(
  trx: Kysely<Database>,
  profile: DialectProfile,
  ended: EndedInSequence[],
): Promise<void> {
  return lockSequences(
    trx,
    profile,
    ended.map((u) => u.sequence),
  );
}

/**
 * After the ended deliveries' results are written: those given up at an endpoint that blocks hold their
 * sequence, and every sequence is settled. Resolves how many deliveries were made due.
 */
export async function settleEnded(
  trx: Kysely<Database>,
  ended: EndedInSequence[],
  now: number,
): Promise<number> {
  const givenUp = ended.filter((u) => u.status === DeliveryStatus.Fail).map((u) => u.id);
  if (givenUp.length > 0)
    await trx
      .updateTable('delivery')
      .set({ blocking: 1 })
      .where('id', 'in', givenUp)
      .where('status', '=', DeliveryStatus.Fail)
      .where('endpoint_id', 'in', (eb) =>
        eb.selectFrom('endpoint').select('id').where('ordering_after_give_up', '=', 'block'),
      )
      .execute();
  return settleSequences(
    trx,
    ended.map((u) => u.sequence),
    now,
  );
}

/** The first given-up delivery that holds the sequence (placed after `after`, when given), if any. */
export async function firstHolder(
  trx: Kysely<Database>,
  ref: SequenceRef,
  after?: number,
): Promise<{ seq: number | null } | undefined> {
  let query = trx
    .selectFrom('delivery')
    .select('seq')
    .where('endpoint_id', '=', ref.endpointId)
    .where('seq_key', '=', ref.key)
    .where('blocking', '=', 1);
  if (after !== undefined) query = query.where('seq', '>', after);
  return query.orderBy('seq').limit(1).executeTakeFirst();
}

/**
 * The endpoint is no longer ordered as it was: every delivery still waiting in one of its sequences becomes an
 * ordinary delivery, due now, and the sequences are dropped. (New messages join new sequences.)
 */
export async function releaseSequences(
  trx: Kysely<Database>,
  endpointId: string,
  now: number,
): Promise<void> {
  await trx
    .updateTable('delivery')
    .set({ next_attempt_at: now, updated_at: now })
    .where('endpoint_id', '=', endpointId)
    .where('seq_key', 'is not', null)
    .where('status', '=', DeliveryStatus.Pending)
    .where('next_attempt_at', 'is', null)
    .execute();
  await trx
    .updateTable('delivery')
    .set({ seq_key: null, seq: null, blocking: 0 })
    .where('endpoint_id', '=', endpointId)
    .where((eb) =>
      eb.or([
        eb('blocking', '=', 1),
        eb.and([
          eb('seq_key', 'is not', null),
          eb('status', 'in', [DeliveryStatus.Pending, DeliveryStatus.Sending]),
        ]),
      ]),
    )
    .execute();
  await trx.deleteFrom('delivery_sequence').where('endpoint_id', '=', endpointId).execute();
}

/** The endpoint no longer blocks after a give-up: the sequences its given-up deliveries held move on. */
export async function unblockSequences(
  trx: Kysely<Database>,
  profile: DialectProfile,
  endpointId: string,
  now: number,
): Promise<number> {
  const blocked = await trx
    .selectFrom('delivery')
    .select('seq_key')
    .distinct()
    .where('endpoint_id', '=', endpointId)
    .where('blocking', '=', 1)
    .execute();
  const refs = blocked.map((row) => ({ endpointId, key: row.seq_key! }));
  if (refs.length === 0) return 0;
  await lockSequences(trx, profile, refs);
  await trx
    .updateTable('delivery')
    .set({ blocking: 0 })
    .where('endpoint_id', '=', endpointId)
    .where('blocking', '=', 1)
    .execute();
  return settleSequences(trx, refs, now);
}

export interface BlockedSequence {
  /** The ordering key ('' for the whole endpoint, or for messages without a key). */
  key: string;
  /** The given-up delivery that holds the sequence. */
  head: { deliveryId: string; msgId: string; attemptCount: number; lastAttemptAt: number | null };
  /** Deliveries waiting behind it. */
  waiting: number;
}

/** The endpoint's sequences held by a given-up delivery (`block`), by key, at most `limit`. */
export async function blockedSequences(
  db: Kysely<Database>,
  endpointId: string,
  limit: number,
): Promise<BlockedSequence[]> {
  const heads = await db
    .selectFrom('delivery')
    .select(['id', 'msg_id', 'seq_key', 'attempt_count', 'last_attempt_at'])
    .where('endpoint_id', '=', endpointId)
    .where('blocking', '=', 1)
    .orderBy('seq_key')
    .orderBy('seq')
    .limit(limit)
    .execute();
  const blocked: BlockedSequence[] = [];
  for (const head of heads) {
    if (blocked.at(-1)?.key === head.seq_key) continue;
    const waiting = await db
      .selectFrom('delivery')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('endpoint_id', '=', endpointId)
      .where('seq_key', '=', head.seq_key)
      .where(
        sql<boolean>`seq_key is not null and status in (${sql.lit(DeliveryStatus.Pending)}, ${sql.lit(DeliveryStatus.Sending)})`,
      )
      .executeTakeFirstOrThrow();
    blocked.push({
      key: head.seq_key!,
      head: {
        deliveryId: head.id,
        msgId: head.msg_id,
        attemptCount: head.attempt_count,
        lastAttemptAt: head.last_attempt_at === null ? null : Number(head.last_attempt_at),
      },
      waiting: Number(waiting.n),
    });
  }
  return blocked;
}
