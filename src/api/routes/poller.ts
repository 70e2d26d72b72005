/**
 * Svix's poller API: an endpoint's messages read by polling instead of pushed. `…/poller/{sink_id}` reads
 * with an iterator the client keeps; `…/consumer/{consumer_id}` reads with a position Herald keeps per named
 * consumer, which a read moves only when the client passes the iterator it was given (so a consumer that stops
 * before passing it on reads the same messages again: at least once); `…/seek` moves that position to a time.
 */
import type { Message } from '../../store/index.js';
import { DEFAULT_PAGE_SIZE } from '../schemas/common.js';
import { findEndpoint } from '../lookups.js';
import { iteratorPosition, Poller, positionAt, type PollPage } from '../poller.js';
import { routeModule } from '../route-group.js';
import { messageOut } from './messages.js';
import {
  ConsumerPollQuery,
  PollerConsumerParams,
  PollerParams,
  PollingEndpointConsumerSeekIn,
  PollingEndpointConsumerSeekOut,
  PollingEndpointOut,
  PollQuery,
} from '../schemas/poller.js';

/** A message as the poller routes show it: Svix's fields, without Herald's `orderingKey`. */
export function pollMessageOut(message: Message) {
  const { orderingKey: _orderingKey, ...out } = messageOut(message);
  return { ...out, headers: null, tags: null, deliverAt: null };
}

function pollOut(page: PollPage) {
  return {
    data: page.messages.map(pollMessageOut),
    iterator: page.iterator,
    done: page.done,
  };
}

export const pollerRoutes = routeModule({ tags: ['Message'] }, (route, { store, config }) => {
  const poller = new Poller(store, config.pollerSettleMs);

  route.get(
    '/app/:app_id/poller/:sink_id',
    {
      access: 'app',
      summary: "Poll an endpoint's messages",
      description:
        "Reads the application's messages that the endpoint's event types, channels and content filter let " +
        "through, oldest first, from the endpoint's creation, or from `iterator` (a prior response's) or `after`. " +
        '`done` is true when there is nothing more to read for now; poll again later with the iterator.',
      params: PollerParams,
      querystring: PollQuery,
      response: { 200: PollingEndpointOut },
    },
    async (request) => {
      const { query } = request;
      const endpoint = await findEndpoint(store, request.application.id, request.params.sink_id);
      const from =
        query.iterator != null
          ? iteratorPosition(query.iterator)
          : query.after != null
            ? positionAt(Date.parse(query.after))
            : poller.start(endpoint);
      const page = await poller.read(endpoint, from, query.limit ?? DEFAULT_PAGE_SIZE, {
        eventType: query.event_type,
        channel: query.channel,
      });
      return pollOut(page);
    },
  );

  route.get(
    '/app/:app_id/poller/:sink_id/consumer/:consumer_id',
    {
      access: 'app',
      summary: "Poll an endpoint's messages as a named consumer",
      description:
        'Herald keeps the position of each consumer. Without `iterator`, reads from that position (from the ' +
        "endpoint's creation for a new consumer). With `iterator` (the one the previous response returned), " +
        'first stores it as the position, acknowledging the messages before it, then reads from it. A consumer ' +
        'that stops before passing an iterator on reads those messages again: delivery is at least once.',
      params: PollerConsumerParams,
      querystring: ConsumerPollQuery,
      response: { 200: PollingEndpointOut },
    },
    async (request) => {
      const { query, params } = request;
      const endpoint = await findEndpoint(store, request.application.id, params.sink_id);
      const stored = (await store.pollerConsumerGet(endpoint.id, params.consumer_id))?.position;
      const from =
        query.iterator != null ? iteratorPosition(query.iterator) : (stored ?? poller.start(endpoint));
      if (from !== stored)
        await store.pollerConsumerSetPosition(endpoint.id, params.consumer_id, from, Date.now());
      const page = await poller.read(endpoint, from, query.limit ?? DEFAULT_PAGE_SIZE);
      return pollOut(page);
    },
  );

  route.post(
    '/app/:app_id/poller/:sink_id/consumer/:consumer_id/seek',
    {
      access: 'app',
      summary: "Set a consumer's position",
      description:
        "Moves the consumer's position to just before the messages accepted at `after` (forward or back); its " +
        'next poll reads from there. Answers the iterator of that position.',
      params: PollerConsumerParams,
      body: PollingEndpointConsumerSeekIn,
      response: { 200: PollingEndpointConsumerSeekOut },
    },
    async (request) => {
      const { params } = request;
      const endpoint = await findEndpoint(store, request.application.id, params.sink_id);
      const position = positionAt(Date.parse(request.body.after));
      await store.pollerConsumerSetPosition(endpoint.id, params.consumer_id, position, Date.now());
      return { iterator: position };
    },
  );
});
