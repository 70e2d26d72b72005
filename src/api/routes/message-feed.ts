/**
 * Reading messages beyond the listing: Svix's search, the feed of created messages, a message's raw payload,
 * and the pre-check that says whether a message would reach any endpoint. Search and feed read a bounded part
 * of the application per call (store/message-feed.ts).
 */
import { matches } from '../../delivery/routing.js';
import type { MessageFeedPage } from '../../store/index.js';
import { idFloor, idTime } from '../../util/ids.js';
import { unprocessable } from '../errors.js';
import { namesFilter, timeFilter } from '../list-filters.js';
import { findMessage } from '../lookups.js';
import { viewerRedactor } from '../redaction-view.js';
import { routeModule } from '../route-group.js';
import { AppParams, DEFAULT_PAGE_SIZE, IdempotencyHeaders, ListResponse } from '../schemas/common.js';
import {
  MessageEventsOut,
  MessageEventsQuery,
  MessagePrecheckIn,
  MessagePrecheckOut,
  MessageRawPayloadOut,
  MessageSearchIn,
} from '../schemas/message-feed.js';
import { MessageOut, MessageParams } from '../schemas/messages.js';
import { messageOut, payloadOf } from './messages.js';

/** Messages one search or feed call looks at, at most, whatever its filters. */
export const FEED_SCAN_LIMIT = 10_000;
/** Without `after`, a search looks back this far from now (or from its iterator), as in Svix. */
export const SEARCH_WINDOW_MS = 90 * 24 * 60 * 60 * 1000;

export const messageFeedRoutes = routeModule({ tags: ['Message'] }, (route, { store, config }) => {
  route.post(
    '/app/:app_id/msg/search',
    {
      access: 'app',
      summary: 'Search messages',
      description:
        'Newest first. Without `after` it covers the 90 days before now (or before the message its ' +
        `\`iterator\` names), as in Svix. One call looks at ${FEED_SCAN_LIMIT} messages at most: a page ` +
        'may then be short with `done: false`; go on with its `iterator`. Herald keeps no message tags, so ' +
        'a search by `tag` finds nothing.',
      params: AppParams,
      headers: IdempotencyHeaders,
      body: MessageSearchIn,
      response: { 200: ListResponse(MessageOut) },
    },
    async (request) => {
      const body = request.body;
      const iterator = body.iterator ?? undefined;
      const from = iterator === undefined ? Date.now() : idTime('message', iterator);
      if (from === undefined) throw unprocessable('body.iterator is not a message id');
      const before = timeFilter(body.before ?? undefined);
      const limit = body.limit ?? DEFAULT_PAGE_SIZE;
      const page: MessageFeedPage =
        body.tag !== undefined && body.tag !== null
          ? { data: [], iterator: iterator ?? null, done: true }
          : await store.messageFeed(
              request.application.id,
              {
                eventTypes: body.event_types ?? undefined,
                channels: body.channel === undefined || body.channel === null ? undefined : [body.channel],
                before,
                after:
                  timeFilter(body.after ?? undefined) ?? Math.min(from, before ?? from) - SEARCH_WINDOW_MS,
              },
              { order: 'descending', iterator, limit, scanLimit: FEED_SCAN_LIMIT },
            );
      const redactor = viewerRedactor(request, config.redactionRules);
      return {
        data: page.data.map((message) => messageOut(message, body.with_content ?? false, redactor)),
        iterator: page.iterator,
        prevIterator: null,
        done: page.done,
      };
    },
  );

  route.get(
    '/app/:app_id/events',
    {
      access: 'app',
      summary: 'Read the feed of created messages',
      description:
        "Oldest first, from `after` (or the start) on; pass the answer's `iterator` back to read on. A page " +
        'that reaches the newest message is `done`; its `iterator` still reads what is created later. One ' +
        `call looks at ${FEED_SCAN_LIMIT} messages at most, so a filtered page may be short and not done.`,
      params: AppParams,
      querystring: MessageEventsQuery,
      response: { 200: MessageEventsOut },
    },
    async (request) => {
      const query = request.query;
      const iterator = query.iterator === undefined || query.iterator === '' ? undefined : query.iterator;
      if (iterator !== undefined && idTime('message', iterator) === undefined)
        throw unprocessable('query.iterator is malformed: pass back the iterator of a previous page');
      const after = timeFilter(query.after);
      const page = await store.messageFeed(
        request.application.id,
        {
          eventTypes: namesFilter(query.event_types, 'event_types', 'an event type name'),
          channels: namesFilter(query.channels, 'channels', 'a channel name'),
          after,
        },
        { order: 'ascending', iterator, limit: query.limit ?? DEFAULT_PAGE_SIZE, scanLimit: FEED_SCAN_LIMIT },
      );
      const redactor = viewerRedactor(request, config.redactionRules);
      return {
        data: page.data.map((message) => messageOut(message, true, redactor)),
        // Nothing read yet: the next call starts where this one did.
        iterator: page.iterator ?? idFloor('message', after ?? 0),
        done: page.done,
      };
    },
  );

  route.get(
    '/app/:app_id/msg/:msg_id/raw',
    {
      access: 'app',
      summary: "Get a message's raw payload",
      description: '`msg_id` may be the message id or its `eventId`. The payload comes as a JSON string.',
      params: MessageParams,
      response: { 200: MessageRawPayloadOut },
    },
    async (request) => {
      const message = await findMessage(store, request.application.id, request.params.msg_id);
      return { payload: JSON.stringify(payloadOf(message, viewerRedactor(request, config.redactionRules))) };
    },
  );

  route.post(
    '/app/:app_id/msg/precheck/active',
    {
      access: 'app',
      summary: 'Check whether a message would reach an endpoint',
      description:
        'Whether an enabled endpoint of the application listens to this event type and these channels. An ' +
        "endpoint's content filter is not applied: without a payload, it might match.",
      params: AppParams,
      headers: IdempotencyHeaders,
      body: MessagePrecheckIn,
      response: { 200: MessagePrecheckOut },
    },
    async (request) => {
      const { eventType, channels } = request.body;
      const endpoints = await store.endpointListEnabledFilters(request.application.id);
      return { active: endpoints.some((endpoint) => matches(endpoint, eventType, channels ?? null)) };
    },
  );
});
