/**
 * Reading an endpoint's messages by polling (Svix's poller API). An endpoint's stream is its application's
 * messages since the endpoint was created that its filters let through (event types, channels, content filter,
 * as they are when read), in the order Herald accepted them: message ids sort in creation order, so a position
 * in the stream is an id, and the iterator a client passes back is that id. Messages younger than the settle
 * time (`HERALD_POLLER_SETTLE_MS`) are not read yet, so that a message whose accepting write commits after a
 * younger one's is never passed over.
 */
import { ContentFilters, filterSubject } from '../delivery/content-filter.js';
import type { Endpoint, Message, Store } from '../store/index.js';
import { idFloor } from '../util/ids.js';
import { badRequest } from './errors.js';

/** Batches one read takes at most when the content filter passes over messages, so that a read stays short. */
const MAX_BATCHES = 10;

const POSITION = /^msg_[0-9A-HJKMNP-TV-Z]{26}$/;

/** What a poll narrows the endpoint's stream to, besides its filters (the plain poll's query). */
export interface PollNarrowing {
  eventType?: string | null | undefined;
  channel?: string | null | undefined;
}

export interface PollPage {
  messages: Message[];
  /** Where the next read starts: after the last message returned (or passed over). */
  iterator: string;
  /** True when the stream has nothing more to read for now. */
  done: boolean;
}

/** The position an iterator names; a 400 that says what to send when it is not one Herald returned. */
export function iteratorPosition(iterator: string): string {
  if (!POSITION.test(iterator))
    throw badRequest(
      `iterator "${iterator.slice(0, 100)}" is not one this API returned; pass the iterator of a prior ` +
        'response, or leave it out to start at the beginning',
    );
  return iterator;
}

/** The position just before the messages accepted at `time` (milliseconds). */
export function positionAt(time: number): string {
  return idFloor('message', time);
}

/** Both filters, or null when neither restricts; an empty list matches nothing. */
function narrowed(list: readonly string[] | null, one: string | null | undefined): readonly string[] | null {
  if (one === null || one === undefined) return list;
  if (list === null) return [one];
  return list.includes(one) ? [one] : [];
}

export class Poller {
  readonly #filters = new ContentFilters();

  constructor(
    private readonly store: Store,
    private readonly settleMs: number,
  ) {}

  /** The start of an endpoint's stream: the messages accepted since it was created. */
  start(endpoint: Endpoint): string {
    return positionAt(endpoint.createdAt);
  }

  /** Up to `limit` messages of the endpoint's stream after `from`. */
  async read(
    endpoint: Endpoint,
    from: string,
    limit: number,
    narrowing: PollNarrowing = {},
    now = Date.now(),
  ): Promise<PollPage> {
    const start = this.start(endpoint);
    let position = from > start ? from : start;
    const filter = endpoint.filter === null ? null : JSON.stringify(endpoint.filter);
    const window = {
      appId: endpoint.appId,
      before: positionAt(now - this.settleMs + 1),
      eventTypes: narrowed(endpoint.eventTypes, narrowing.eventType),
      channels: narrowed(endpoint.channels, narrowing.channel),
      limit,
    };
    const messages: Message[] = [];
    if (limit === 0) return { messages, iterator: position, done: false };
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      const rows = await this.store.messagePollPage({ ...window, after: position });
      for (const message of rows) {
        position = message.id;
        if (
          filter === null ||
          this.#filters.matches(filter, filterSubject(message.eventType, message.channels, message.payload))
        )
          messages.push(message);
        if (messages.length === limit) return { messages, iterator: position, done: false };
      }
      if (rows.length < limit) return { messages, iterator: position, done: true };
    }
    return { messages, iterator: position, done: false };
  }
}
