import { sql, type Kysely, type Selectable } from 'kysely';
import { idFloor } from '../util/ids.js';
import type { Connection } from './dialect.js';
import { fromJsonOrNull, paged, pageOf, toJsonOrNull, type Page } from './rows.js';
import type { Database, DeliveryTable, MessageTable } from './schema.js';
import {
  DeliveryStatus,
  type Delivery,
  type DeliveryFilter,
  TriggerType,
  type Message,
  type MessageFilter,
  type PageQuery,
  type JsonObject,
} from './types.js';

export function toMessage(row: Selectable<MessageTable>): Message {
  return {
    id: row.id,
    appId: row.app_id,
    eventType: row.event_type,
    eventId: row.event_id,
    payload: fromJsonOrNull<JsonObject>(row.payload),
    channels: fromJsonOrNull(row.channels),
    createdAt: row.created_at,
  };
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
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Channels are stored as a JSON array of restricted names, so `"name"` appears only for that exact channel. */
export function hasChannel(connection: Connection, column: string, channel: string) {
  const position = sql.raw(connection.profile.substringPositionFn);
  return sql<boolean>`${position}(${sql.ref(column)}, ${JSON.stringify(channel)}) > 0`;
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

export interface NewMessage {
  message: Message;
  /** One delivery per matching endpoint: `[deliveryId, endpointId]`. */
  deliveries: Array<{ id: string; endpointId: string; triggerType?: TriggerType }>;
}

/** The delivery rows of the messages that were inserted. */
function deliveryRows(inputs: NewMessage[], inserted: Set<string>) {
  return inputs
    .filter(({ message }) => inserted.has(message.id))
    .flatMap(({ message, deliveries }) =>
      deliveries.map((delivery) => ({
        id: delivery.id,
        app_id: message.appId,
        msg_id: message.id,
        endpoint_id: delivery.endpointId,
        status: DeliveryStatus.Pending,
        attempt_count: 0,
        trigger_type: delivery.triggerType ?? TriggerType.Scheduled,
        next_attempt_at: message.createdAt,
        created_at: message.createdAt,
        updated_at: message.createdAt,
      })),
    );
}

/**
 * Inserts in multi-row statements of at most INSERT_CHUNK rows, within the caller's transaction; returns the
 * ids of the messages inserted (not those whose eventId was taken).
 */
async function insertInChunks(trx: Kysely<Database>, inputs: NewMessage[]): Promise<Set<string>> {
  const inserted = new Set<string>();
  for (const chunk of chunks(inputs, INSERT_CHUNK)) {
    // The insert itself claims each eventId: a select first would let two concurrent requests both see
    // nothing and the later insert fail on the unique key instead of returning the original.
    const rows = await trx
      .insertInto('message')
      .values(
        chunk.map(({ message }) => ({
          id: message.id,
          app_id: message.appId,
          event_type: message.eventType,
          event_id: message.eventId,
          payload: toJsonOrNull(message.payload),
          channels: toJsonOrNull(message.channels),
          created_at: message.createdAt,
        })),
      )
      .onConflict((oc) => oc.columns(['app_id', 'event_id']).doNothing())
      .returning('id')
      .execute();
    for (const row of rows) inserted.add(row.id);
  }
  for (const chunk of chunks(deliveryRows(inputs, inserted), INSERT_CHUNK))
    await trx.insertInto('delivery').values(chunk).execute();
  return inserted;
}

/**
 * PostgreSQL: the messages and their deliveries in one statement, each column bound as one array (so the
 * statement's size does not grow with the rows). Deliveries are kept only for the messages inserted.
 */
async function insertAtOnce(db: Kysely<Database>, inputs: NewMessage[]): Promise<Set<string>> {
  const messages = inputs.map(({ message }) => message);
  const deliveries = inputs.flatMap(({ message, deliveries }) =>
    deliveries.map((delivery) => ({ message, delivery })),
  );
  const result = await sql<{ id: string }>`
    with m as (
      insert into message (id, app_id, event_type, event_id, payload, channels, created_at)
      select * from unnest(
        ${messages.map((m) => m.id)}::text[], ${messages.map((m) => m.appId)}::text[],
        ${messages.map((m) => m.eventType)}::text[], ${messages.map((m) => m.eventId)}::text[],
        ${messages.map((m) => toJsonOrNull(m.payload))}::text[],
        ${messages.map((m) => toJsonOrNull(m.channels))}::text[],
        ${messages.map((m) => m.createdAt)}::bigint[])
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

export function messageQueries(connection: Connection) {
  const { db } = connection;
  return {
    /**
     * The outbox write: messages and their deliveries atomically, so nothing is lost between "accepted" and
     * "queued". A repeated `eventId` in the same application (even within one batch) returns the original
     * message and creates nothing. On PostgreSQL it is one statement, whatever the number of rows (one round
     * trip, no BEGIN or COMMIT of its own); on SQLite, multi-row statements in chunks in one transaction.
     */
    async messageCreateMany(inputs: NewMessage[]): Promise<Array<{ message: Message; created: boolean }>> {
      if (inputs.length === 0) return [];
      // In eventId order, so that concurrent writes claiming some of the same eventIds take their locks in the
      // same order and cannot deadlock.
      const ordered = inputs.some(({ message }) => message.eventId !== null)
        ? [...inputs].sort(byEventKey)
        : inputs;
      const write = async (executor: Kysely<Database>) => {
        const inserted =
          connection.profile.name === 'postgres'
            ? await insertAtOnce(executor, ordered)
            : await insertInChunks(executor, ordered);
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
      // PostgreSQL's single statement is atomic by itself, and the original of a repeated eventId, committed
      // by the time the statement ends, is read after it.
      return connection.profile.name === 'postgres' ? write(db) : db.transaction().execute(write);
    },

    async messageCreate(input: NewMessage): Promise<{ message: Message; created: boolean }> {
      const [result] = await this.messageCreateMany([input]);
      return result!;
    },

    /** Finds a message of one application by its id or its `eventId`. */
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
      if (filter.after !== undefined) query = query.where('created_at', '>', filter.after);
      const rows = await paged(query, 'id', page).execute();
      return pageOf(rows.map(toMessage), page, (message) => message.id);
    },

    /**
     * Retention: removes the payloads of messages, and the request and response bodies of attempts, created
     * before `before`, in chunks so that no single statement holds the database for long. Returns how many rows
     * lost their content.
     */
    async contentPrune(before: number, chunk = 5000): Promise<{ messages: number; attempts: number }> {
      const prune = async (
        table: 'message' | 'attempt',
        columns: ['payload'] | ['response_body', 'request_body'],
      ) => {
        let total = 0;
        for (;;) {
          const result = await db
            .updateTable(table)
            .set(Object.fromEntries(columns.map((column) => [column, null])))
            .where('id', 'in', (eb) =>
              eb
                .selectFrom(table)
                .select('id')
                // Ids sort by creation time, so the primary key finds old rows without a scan.
                .where('id', '<', idFloor(table === 'message' ? 'message' : 'attempt', before))
                .where((row) => row.or(columns.map((column) => row(column, 'is not', null))))
                .limit(chunk),
            )
            .executeTakeFirst();
          const pruned = Number(result.numUpdatedRows);
          total += pruned;
          if (pruned < chunk) return total;
        }
      };
      return {
        messages: await prune('message', ['payload']),
        attempts: await prune('attempt', ['response_body', 'request_body']),
      };
    },

    /** Deletes a message's payload, and the templated or converted copies of it that its attempts sent. */
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

    /** Deliveries filtered by application, endpoint, status, and their messages' type and channel. */
    async deliveryList(filter: DeliveryFilter, page: PageQuery): Promise<Page<Delivery>> {
      let query = db.selectFrom('delivery').selectAll('delivery');
      if (filter.appId !== undefined) query = query.where('delivery.app_id', '=', filter.appId);
      if (filter.endpointId !== undefined)
        query = query.where('delivery.endpoint_id', '=', filter.endpointId);
      if (filter.status !== undefined) query = query.where('delivery.status', '=', filter.status);
      if (filter.before !== undefined) query = query.where('delivery.created_at', '<', filter.before);
      if (filter.after !== undefined) query = query.where('delivery.created_at', '>', filter.after);
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

    /** An endpoint's deliveries, filtered by status and by their messages' type and channel. */
    async deliveryListByEndpoint(
      endpointId: string,
      filter: MessageFilter & { status?: DeliveryStatus | undefined },
      page: PageQuery,
    ): Promise<Page<Delivery>> {
      return this.deliveryList({ ...filter, endpointId }, page);
    },

    async deliveryListByMessage(msgId: string, page: PageQuery): Promise<Page<Delivery>> {
      const query = db.selectFrom('delivery').selectAll().where('msg_id', '=', msgId);
      const rows = await paged(query, 'id', page).execute();
      return pageOf(rows.map(toDelivery), page, (delivery) => delivery.id);
    },
  };
}
