/**
 * Polling endpoints (Svix's poller API): reading an endpoint's stream of messages in the order Herald accepted
 * them, and the durable positions of its named consumers. A position is a message id, or the floor of the id
 * space at a time (`idFloor`): ids sort in creation order, so "after this position" is `id > position`.
 */
import type { Connection } from './dialect.js';
import { fromJsonOrNull, hasChannel } from './rows.js';
import { toMessage } from './messages.js';
import type { Message } from './types.js';

/** Which messages of an application a poll reads: a window of the id space and the endpoint's filters. */
export interface PollWindow {
  appId: string;
  /** Messages whose id sorts after this one. */
  after: string;
  /** …and before this one: messages younger than the settle time are not read yet. */
  before: string;
  /** Only these event types; null for any. */
  eventTypes: readonly string[] | null;
  /** Only messages with one of these channels; null for any. */
  channels: readonly string[] | null;
  limit: number;
}

/** A consumer's stored state; see migration 0011 for what each part means. */
export interface PollerConsumer {
  position: string;
  nextOffset: number;
  /** Offsets handed out by the leasing poll and not yet committed, with their message ids, oldest first. */
  leased: Array<[number, string]>;
  leaseEnd: string | null;
  leaseUntil: number | null;
  /** Counts writes; a save names the revision it read. */
  revision: number;
}

export type PollerConsumerState = Omit<PollerConsumer, 'revision'>;

export interface PollerQueries {
  /** Up to `limit` messages in the window, oldest first. */
  messagePollPage(window: PollWindow): Promise<Message[]>;
  /** A consumer's stored state, or undefined when it has none yet. */
  pollerConsumerGet(endpointId: string, consumerId: string): Promise<PollerConsumer | undefined>;
  /**
   * Sets a consumer's position and drops its lease, creating the consumer when it is new (a seek, or an
   * iterator passed on).
   */
  pollerConsumerSetPosition(
    endpointId: string,
    consumerId: string,
    position: string,
    now: number,
  ): Promise<void>;
  /**
   * Saves a consumer's state if it is still at `revision` (undefined: if it does not exist yet); false when
   * another request changed it first.
   */
  pollerConsumerSave(
    endpointId: string,
    consumerId: string,
    state: PollerConsumerState,
    revision: number | undefined,
    now: number,
  ): Promise<boolean>;
}

export function pollerQueries(connection: Connection): PollerQueries {
  const { db } = connection;
  return {
    async messagePollPage(window: PollWindow): Promise<Message[]> {
      let query = db
        .selectFrom('message')
        .selectAll()
        .where('app_id', '=', window.appId)
        .where('id', '>', window.after)
        .where('id', '<', window.before);
      if (window.eventTypes !== null) {
        if (window.eventTypes.length === 0) return [];
        query = query.where('event_type', 'in', [...window.eventTypes]);
      }
      const channels = window.channels;
      if (channels !== null) {
        if (channels.length === 0) return [];
        query = query.where((eb) =>
          eb.or(channels.map((channel) => hasChannel(connection, 'channels', channel))),
        );
      }
      const rows = await query.orderBy('id', 'asc').limit(window.limit).execute();
      return rows.map(toMessage);
    },

    async pollerConsumerGet(endpointId: string, consumerId: string): Promise<PollerConsumer | undefined> {
      const row = await db
        .selectFrom('poller_consumer')
        .selectAll()
        .where('endpoint_id', '=', endpointId)
        .where('consumer_id', '=', consumerId)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        position: row.position,
        nextOffset: Number(row.next_offset),
        leased: fromJsonOrNull<Array<[number, string]>>(row.leased) ?? [],
        leaseEnd: row.lease_end,
        leaseUntil: row.lease_until === null ? null : Number(row.lease_until),
        revision: Number(row.revision),
      };
    },

    async pollerConsumerSetPosition(
      endpointId: string,
      consumerId: string,
      position: string,
      now: number,
    ): Promise<void> {
      const values = { position, leased: null, lease_end: null, lease_until: null, updated_at: now };
      await db
        .insertInto('poller_consumer')
        .values({ endpoint_id: endpointId, consumer_id: consumerId, ...values })
        .onConflict((oc) =>
          oc
            .columns(['endpoint_id', 'consumer_id'])
            .doUpdateSet((eb) => ({ ...values, revision: eb('poller_consumer.revision', '+', 1) })),
        )
        .execute();
    },

    async pollerConsumerSave(
      endpointId: string,
      consumerId: string,
      state: PollerConsumerState,
      revision: number | undefined,
      now: number,
    ): Promise<boolean> {
      const values = {
        position: state.position,
        next_offset: state.nextOffset,
        leased: state.leased.length === 0 ? null : JSON.stringify(state.leased),
        lease_end: state.leaseEnd,
        lease_until: state.leaseUntil,
        updated_at: now,
      };
      if (revision === undefined) {
        const inserted = await db
          .insertInto('poller_consumer')
          .values({ endpoint_id: endpointId, consumer_id: consumerId, ...values })
          .onConflict((oc) => oc.columns(['endpoint_id', 'consumer_id']).doNothing())
          .executeTakeFirst();
        return Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
      }
      const updated = await db
        .updateTable('poller_consumer')
        .set({ ...values, revision: revision + 1 })
        .where('endpoint_id', '=', endpointId)
        .where('consumer_id', '=', consumerId)
        .where('revision', '=', revision)
        .executeTakeFirst();
      return updated.numUpdatedRows > 0n;
    },
  };
}
