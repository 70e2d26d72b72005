/**
 * Reading an application's messages as a search or as a feed, with a bound on the work of each call. Both walk
 * the `message_by_app` index (application, id) over an id range that stands for a time window (ids start with
 * their creation time), look at most `scanLimit` messages of it, and filter those. A filter that matches
 * little therefore cannot make one call read a whole application: the page comes back short, not done, with an
 * iterator where the walk stopped, and the next call goes on from there.
 */
import { sql } from 'kysely';
import { idFloor } from '../util/ids.js';
import type { Connection } from './dialect.js';
import { toMessage } from './messages.js';
import type { Message } from './types.js';

/** Slack between a message's id time and its `created_at`, so the id range never cuts off a message inside the window. */
const ID_TIME_SLACK_MS = 60_000;

export interface MessageFeedFilter {
  eventTypes?: string[] | undefined;
  /** Messages with at least one of these channels. */
  channels?: string[] | undefined;
  /** Created at or after (ms). */
  after?: number | undefined;
  /** Created before (ms). */
  before?: number | undefined;
}

export interface MessageFeedQuery {
  /** `descending`: newest first, continuing below `iterator`; `ascending`: oldest first, above it. */
  order: 'ascending' | 'descending';
  /** The id the previous page ended at (exclusive). */
  iterator?: string | undefined;
  limit: number;
  /** How many messages of the window one call looks at, at most. */
  scanLimit: number;
}

export interface MessageFeedPage {
  data: Message[];
  /** Where the next call continues; null when nothing was read and no iterator was given. */
  iterator: string | null;
  done: boolean;
}

export interface MessageFeedQueries {
  /** A page of an application's messages matching `filter`, reading at most `query.scanLimit` of them. */
  messageFeed(appId: string, filter: MessageFeedFilter, query: MessageFeedQuery): Promise<MessageFeedPage>;
}

export function messageFeedQueries(connection: Connection): MessageFeedQueries {
  const { db } = connection;
  const position = sql.raw(connection.profile.substringPositionFn);
  return {
    async messageFeed(appId, filter, query) {
      const forward = query.order === 'ascending';
      // The walk: the window's part of the index, after the iterator, in order, at most scanLimit rows.
      let walk = db.selectFrom('message').select('id').where('app_id', '=', appId);
      if (filter.after !== undefined)
        walk = walk.where('id', '>=', idFloor('message', filter.after - ID_TIME_SLACK_MS));
      if (filter.before !== undefined)
        walk = walk.where('id', '<', idFloor('message', filter.before + ID_TIME_SLACK_MS));
      if (query.iterator !== undefined) walk = walk.where('id', forward ? '>' : '<', query.iterator);
      walk = walk.orderBy('id', forward ? 'asc' : 'desc').limit(query.scanLimit);

      let matching = db.selectFrom('message').selectAll().where('app_id', '=', appId).where('id', 'in', walk);
      if (filter.eventTypes !== undefined && filter.eventTypes.length > 0)
        matching = matching.where('event_type', 'in', filter.eventTypes);
      if (filter.channels !== undefined && filter.channels.length > 0) {
        // Channels are stored as a JSON array of restricted names: `"name"` appears only for that channel.
        const anyOf = filter.channels.map(
          (channel) => sql<boolean>`${position}(channels, ${JSON.stringify(channel)}) > 0`,
        );
        matching = matching.where(sql<boolean>`(${sql.join(anyOf, sql` or `)})`);
      }
      if (filter.after !== undefined) matching = matching.where('created_at', '>=', filter.after);
      if (filter.before !== undefined) matching = matching.where('created_at', '<', filter.before);
      const rows = await matching
        .orderBy('id', forward ? 'asc' : 'desc')
        .limit(query.limit + 1)
        .execute();
      if (rows.length > query.limit) {
        const data = rows.slice(0, query.limit).map(toMessage);
        return { data, iterator: data.at(-1)!.id, done: false };
      }
      // Fewer than a page matched: the walk either reached the window's end or stopped at scanLimit.
      const walked = await walk.execute();
      const stoppedAt = walked.length === query.scanLimit ? walked.at(-1)!.id : undefined;
      const data = rows.map(toMessage);
      return {
        data,
        iterator: stoppedAt ?? data.at(-1)?.id ?? query.iterator ?? null,
        done: stoppedAt === undefined,
      };
    },
  };
}
