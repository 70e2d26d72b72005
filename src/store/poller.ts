/**
 * Polling endpoints (Svix's poller API): reading an endpoint's stream of messages in the order Herald accepted
 * them, and the durable positions of its named consumers. A position is a message id, or the floor of the id
 * space at a time (`idFloor`): ids sort in creation order, so "after this position" is `id > position`.
 */
import type { Connection } from './dialect.js';
import { hasChannel } from './rows.js';
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

export interface PollerQueries {
  /** Up to `limit` messages in the window, oldest first. */
  messagePollPage(window: PollWindow): Promise<Message[]>;
  /** A consumer's stored position, or undefined when it has none yet. */
  pollerConsumerPosition(endpointId: string, consumerId: string): Promise<string | undefined>;
  /** Stores a consumer's position, creating the consumer when it is new. */
  pollerConsumerSetPosition(
    endpointId: string,
    consumerId: string,
    position: string,
    now: number,
  ): Promise<void>;
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

    async pollerConsumerPosition(endpointId: string, consumerId: string): Promise<string | undefined> {
      const row = await db
        .selectFrom('poller_consumer')
        .select('position')
        .where('endpoint_id', '=', endpointId)
        .where('consumer_id', '=', consumerId)
        .executeTakeFirst();
      return row?.position;
    },

    async pollerConsumerSetPosition(
      endpointId: string,
      consumerId: string,
      position: string,
      now: number,
    ): Promise<void> {
      await db
        .insertInto('poller_consumer')
        .values({ endpoint_id: endpointId, consumer_id: consumerId, position, updated_at: now })
        .onConflict((oc) =>
          oc.columns(['endpoint_id', 'consumer_id']).doUpdateSet({ position, updated_at: now }),
        )
        .execute();
    },
  };
}
