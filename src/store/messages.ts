/**
 * Messages: the outbox write that stores them with their deliveries, and reading them back. A repeated
 * `eventId` in an application is claimed by the insert itself, so it never creates a second message.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Connection } from './dialect.js';
import {
  distinctSequences,
  sequenceName,
  settleSequences,
  takePlaces,
  type SequenceRef,
} from './sequences.js';
import { fromJsonOrNull, hasChannel, paged, pageOf, toJsonOrNull } from './rows.js';
import type { Database, MessageTable } from './schema.js';
import {
  DeliveryStatus,
  TriggerType,
  type JsonObject,
  type Message,
  type MessageFilter,
  type NewMessage,
  type Page,
  type PageQuery,
} from './types.js';

export interface MessageQueries {
  /**
   * The outbox write: messages and their deliveries atomically, so nothing is lost between "accepted" and
   * "queued". A repeated `eventId` in the same application (even within one batch) returns the original
   * message (`created: false`) and creates nothing. Results are in the order of `inputs`.
   */
  messageCreateMany(inputs: NewMessage[]): Promise<Array<{ message: Message; created: boolean }>>;
  /** `messageCreateMany` for one message. */
  messageCreate(input: NewMessage): Promise<{ message: Message; created: boolean }>;
  /** Finds a message of one application by its id or its `eventId`; an id wins over an equal eventId. */
  messageGet(appId: string, idOrEventId: string): Promise<Message | undefined>;
  /** The messages among `ids` that exist, in any application, by id, in one query. */
  messageGetMany(ids: string[]): Promise<Map<string, Message>>;
  /** A page of an application's messages by id, filtered by event type, channel and creation time. */
  messageList(appId: string, filter: MessageFilter, page: PageQuery): Promise<Page<Message>>;
  /**
   * Deletes a message's payload, and the templated or converted copies of it that its attempts sent. False if
   * the application has no such message.
   */
  messageExpungeContent(appId: string, id: string): Promise<boolean>;
}

export function toMessage(row: Selectable<MessageTable>): Message {
  return {
    id: row.id,
    appId: row.app_id,
    eventType: row.event_type,
    eventId: row.event_id,
    payload: fromJsonOrNull<JsonObject>(row.payload),
    channels: fromJsonOrNull(row.channels),
    orderingKey: row.ordering_key,
    createdAt: row.created_at,
    ...(row.trace_context !== null && { traceContext: row.trace_context }),
  };
}

/** Rows per multi-row insert: well inside SQLite's and PostgreSQL's limits on bound parameters. */
const INSERT_CHUNK = 500;

/** A message's application and eventId as one string. */
function eventKey(message: { appId: string; eventId: string | null }): string {
  return `${message.appId}\u0000${message.eventId ?? ''}`;
}

/** Orders new messages by (application, eventId), those without an eventId first. */
function byEventKey(a: NewMessage, b: NewMessage): number {
  const [x, y] = [eventKey(a.message), eventKey(b.message)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The stored messages holding the eventIds of `repeats`, by `eventKey`: one query per application and chunk. */
async function originalsOf(db: Kysely<Database>, repeats: Message[]): Promise<Map<string, Message>> {
  const byApp = new Map<string, string[]>();
  for (const { appId, eventId } of repeats) {
    if (eventId === null) continue;
    const list = byApp.get(appId);
    if (list) list.push(eventId);
    else byApp.set(appId, [eventId]);
  }
  const originals = new Map<string, Message>();
  for (const [appId, eventIds] of byApp)
    for (const chunk of chunks([...new Set(eventIds)], INSERT_CHUNK)) {
      const rows = await db
        .selectFrom('message')
        .selectAll()
        .where('app_id', '=', appId)
        .where('event_id', 'in', chunk)
        .execute();
      for (const row of rows)
        originals.set(eventKey({ appId: row.app_id, eventId: row.event_id }), toMessage(row));
    }
  return originals;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The delivery rows of the messages that were inserted. A delivery in a sequence gets its place from `places`
 * (the next one of its sequence each time) and waits, with no time to be tried, until its sequence is settled.
 */
function deliveryRows(inputs: NewMessage[], inserted: Set<string>, places?: Map<string, number>) {
  return inputs
    .filter(({ message }) => inserted.has(message.id))
    .flatMap(({ message, deliveries }) =>
      deliveries.map((delivery) => {
        const seqKey = delivery.seqKey ?? null;
        let seq: number | null = null;
        if (seqKey !== null && places !== undefined) {
          const name = sequenceName({ endpointId: delivery.endpointId, key: seqKey });
          seq = places.get(name)!;
          places.set(name, seq + 1);
        }
        const row = {
          id: delivery.id,
          app_id: message.appId,
          msg_id: message.id,
          endpoint_id: delivery.endpointId,
          status: DeliveryStatus.Pending,
          attempt_count: 0,
          trigger_type: delivery.triggerType ?? TriggerType.Scheduled,
          next_attempt_at: seqKey === null ? message.createdAt : null,
          created_at: message.createdAt,
          updated_at: message.createdAt,
        };
        // A write with no delivery in a sequence leaves the sequence columns out (they default to null).
        return places === undefined ? row : { ...row, seq_key: seqKey, seq };
      }),
    );
}

/** The sequences the inserted messages' deliveries join, with how many places each takes, in lock order. */
function sequencesJoined(inputs: NewMessage[], inserted: Set<string>) {
  const counts = new Map<string, { ref: SequenceRef; count: number }>();
  for (const { message, deliveries } of inputs) {
    if (!inserted.has(message.id)) continue;
    for (const delivery of deliveries) {
      if ((delivery.seqKey ?? null) === null) continue;
      const ref = { endpointId: delivery.endpointId, key: delivery.seqKey! };
      const name = sequenceName(ref);
      counts.set(name, { ref, count: (counts.get(name)?.count ?? 0) + 1 });
    }
  }
  return distinctSequences([...counts.values()].map(({ ref }) => ref)).map((ref) =>
    counts.get(sequenceName(ref))!,
  );
}

/**
 * Inserts in multi-row statements of at most INSERT_CHUNK rows, within the caller's transaction; returns the
 * ids of the messages inserted (not those whose eventId was taken).
 */
async function insertInChunks(
  trx: Kysely<Database>,
  inputs: NewMessage[],
  acceptedOrder: NewMessage[] = inputs,
  sequenced = true,
): Promise<Set<string>> {
  const inserted = new Set<string>();
  // Without an ordering key in the write the column is left out (it defaults to null).
  const keyed = inputs.some(({ message }) => message.orderingKey !== null);
  for (const chunk of chunks(inputs, INSERT_CHUNK)) {
    // The insert itself claims each eventId: a select first would let two concurrent requests both see
    // nothing and the later insert fail on the unique key instead of returning the original.
    const rows = await trx
      .insertInto('message')
      .values(
        chunk.map(({ message, payloadExpiresAt }) => ({
          id: message.id,
          app_id: message.appId,
          event_type: message.eventType,
          event_id: message.eventId,
          payload: toJsonOrNull(message.payload),
          channels: toJsonOrNull(message.channels),
          ...(keyed && { ordering_key: message.orderingKey }),
          payload_expires_at: payloadExpiresAt ?? null,
          trace_context: message.traceContext ?? null,
          created_at: message.createdAt,
        })),
      )
      .onConflict((oc) => oc.columns(['app_id', 'event_id']).doNothing())
      .returning('id')
      .execute();
    for (const row of rows) inserted.add(row.id);
  }
  // Places in sequences follow the order the messages were accepted in (`inputs` may be sorted for locking).
  const joined = sequenced ? sequencesJoined(acceptedOrder, inserted) : [];
  const places = joined.length > 0 ? await takePlaces(trx, joined) : undefined;
  for (const chunk of chunks(deliveryRows(acceptedOrder, inserted, places), INSERT_CHUNK))
    await trx.insertInto('delivery').values(chunk).execute();
  if (joined.length > 0)
    await settleSequences(
      trx,
      joined.map(({ ref }) => ref),
      Math.max(...acceptedOrder.map(({ message }) => message.createdAt)),
    );
  return inserted;
}

/**
 * With writable CTEs (PostgreSQL): the messages and their deliveries in one statement, each column bound as one
 * array (so the statement's size does not grow with the rows). Deliveries are kept only for the messages
 * inserted.
 */
async function insertAtOnce(db: Kysely<Database>, inputs: NewMessage[]): Promise<Set<string>> {
  const messages = inputs.map(({ message }) => message);
  const deliveries = inputs.flatMap(({ message, deliveries }) =>
    deliveries.map((delivery) => ({ message, delivery })),
  );
  // Without an ordering key in the write the column is left out (it defaults to null).
  const keyed = messages.some((m) => m.orderingKey !== null);
  const result = await sql<{ id: string }>`
    with m as (
      insert into message (id, app_id, event_type, event_id, payload, channels,
        ${keyed ? sql`ordering_key, ` : sql``}created_at, payload_expires_at, trace_context)
      select * from unnest(
        ${messages.map((m) => m.id)}::text[], ${messages.map((m) => m.appId)}::text[],
        ${messages.map((m) => m.eventType)}::text[], ${messages.map((m) => m.eventId)}::text[],
        ${messages.map((m) => toJsonOrNull(m.payload))}::text[],
        ${messages.map((m) => toJsonOrNull(m.channels))}::text[],
        ${keyed ? sql`${messages.map((m) => m.orderingKey)}::text[],` : sql``}
        ${messages.map((m) => m.createdAt)}::bigint[],
        ${inputs.map((input) => input.payloadExpiresAt ?? null)}::bigint[],
        ${messages.map((m) => m.traceContext ?? null)}::text[])
      on conflict (app_id, event_id) do nothing
      returning id
    ), d as (
      insert into delivery (id, app_id, msg_id, endpoint_id, status, attempt_count, trigger_type,
        next_attempt_at, created_at, updated_at)
      select v.id, v.app_id, v.msg_id, v.endpoint_id, ${DeliveryStatus.Pending}, 0, v.trigger_type, v.at, v.at, v.at
      from unnest(
        ${deliveries.map((d) => d.delivery.id)}::text[], ${deliveries.map((d) => d.message.appId)}::text[],
        ${deliveries.map((d) => d.message.id)}::text[], ${deliveries.map((d) => d.delivery.endpointId)}::text[],
        ${deliveries.map((d) => d.delivery.triggerType ?? TriggerType.Scheduled)}::integer[],
        ${deliveries.map((d) => d.message.createdAt)}::bigint[]
      ) as v (id, app_id, msg_id, endpoint_id, trigger_type, at)
      where v.msg_id in (select id from m)
    )
    select id from m`.execute(db);
  return new Set(result.rows.map((row) => row.id));
}

export function messageQueries(connection: Connection): MessageQueries {
  const { db } = connection;
  return {
    // Where the database has writable CTEs (PostgreSQL) it is one statement, whatever the number of rows (one
    // round trip, no BEGIN or COMMIT of its own); elsewhere (SQLite), multi-row statements in chunks in one
    // transaction.
    async messageCreateMany(inputs: NewMessage[]): Promise<Array<{ message: Message; created: boolean }>> {
      if (inputs.length === 0) return [];
      // In eventId order, so that concurrent writes claiming some of the same eventIds take their locks in the
      // same order and cannot deadlock.
      const ordered = inputs.some(({ message }) => message.eventId !== null)
        ? [...inputs].sort(byEventKey)
        : inputs;
      // Deliveries that join a sequence need its lock and a settle after the insert: several statements.
      const sequenced = inputs.some(({ deliveries }) => deliveries.some((d) => (d.seqKey ?? null) !== null));
      const atOnce = connection.profile.supportsWritableCtes && !sequenced;
      const write = async (executor: Kysely<Database>) => {
        const inserted = atOnce
          ? await insertAtOnce(executor, ordered)
          : await insertInChunks(executor, ordered, inputs, sequenced);
        const repeated = inputs.filter(({ message }) => !inserted.has(message.id));
        const originals = await originalsOf(
          executor,
          repeated.map(({ message }) => message),
        );
        return inputs.map(({ message }) => {
          if (inserted.has(message.id)) return { message, created: true };
          const original = originals.get(eventKey(message));
          if (original === undefined)
            throw new Error(`message ${message.id}: its eventId's original is gone`);
          return { message: original, created: false };
        });
      };
      // The single statement is atomic by itself, and the original of a repeated eventId, committed by the time
      // the statement ends, is read after it.
      return atOnce ? write(db) : db.transaction().execute(write);
    },

    async messageCreate(input: NewMessage): Promise<{ message: Message; created: boolean }> {
      const [result] = await this.messageCreateMany([input]);
      return result!;
    },

    async messageGet(appId: string, idOrEventId: string): Promise<Message | undefined> {
      const row = await db
        .selectFrom('message')
        .selectAll()
        .where('app_id', '=', appId)
        .where((eb) => eb.or([eb('id', '=', idOrEventId), eb('event_id', '=', idOrEventId)]))
        // An id wins over a event_id that happens to equal it.
        .orderBy(sql`case when id = ${idOrEventId} then 0 else 1 end`)
        .limit(1)
        .executeTakeFirst();
      return row && toMessage(row);
    },

    async messageList(appId: string, filter: MessageFilter, page: PageQuery): Promise<Page<Message>> {
      let query = db.selectFrom('message').selectAll().where('app_id', '=', appId);
      if (filter.eventTypes !== undefined && filter.eventTypes.length > 0)
        query = query.where('event_type', 'in', filter.eventTypes);
      if (filter.channel !== undefined)
        query = query.where(hasChannel(connection, 'channels', filter.channel));
      if (filter.before !== undefined) query = query.where('created_at', '<', filter.before);
      if (filter.after !== undefined) query = query.where('created_at', '>=', filter.after);
      const rows = await paged(query, 'id', page).execute();
      return pageOf(rows.map(toMessage), page, (message) => message.id);
    },

    async messageExpungeContent(appId: string, id: string): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('message')
          .set({ payload: null })
          .where('app_id', '=', appId)
          .where('id', '=', id)
          .executeTakeFirst();
        if (result.numUpdatedRows === 0n) return false;
        await trx
          .updateTable('attempt')
          .set({ request_body: null })
          .where('msg_id', '=', id)
          .where('request_body', 'is not', null)
          .execute();
        return true;
      });
    },

    async messageGetMany(ids: string[]): Promise<Map<string, Message>> {
      if (ids.length === 0) return new Map();
      const rows = await db.selectFrom('message').selectAll().where('id', 'in', ids).execute();
      return new Map(rows.map((row) => [row.id, toMessage(row)]));
    },
  };
}
