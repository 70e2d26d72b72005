/**
 * Svix's poller v2 (`…/polling-endpoint/…`): the leasing poll and its commit. See `api/poller-leases.ts` for
 * what a lease and an offset are.
 */
import { Type } from '@sinclair/typebox';
import { DEFAULT_PAGE_SIZE } from '../schemas/common.js';
import { conflict } from '../errors.js';
import { findEndpoint } from '../lookups.js';
import { Poller, positionAt } from '../poller.js';
import { leaseCommitted, leaseGranted, leaseStart } from '../poller-leases.js';
import { routeModule } from '../route-group.js';
import {
  DEFAULT_LEASE_MS,
  LeasePollQuery,
  PollerConsumerParams,
  PollerV2CommitIn,
  PollerV2PollOut,
} from '../schemas/poller.js';
import { pollMessageOut } from './poller.js';

const RACED = 'another request changed this consumer at the same time; poll or commit again';

export const pollerLeaseRoutes = routeModule({ tags: ['Message'] }, (route, { store, config }) => {
  const poller = new Poller(store, config.pollerSettleMs);

  route.get(
    '/app/:app_id/polling-endpoint/:sink_id/consumer/:consumer_id',
    {
      access: 'app',
      summary: "Poll an endpoint's messages with a lease",
      description:
        'Hands the consumer the next messages, each with an `offset`, and leases them to it for ' +
        '`lease_duration_ms`: while the lease lasts, the next poll reads on after them. Commit an offset to ' +
        'acknowledge that message and those before it; when the lease lapses first, the next poll reads again ' +
        'from the last commit (at least once). A new consumer starts at `starting_position`: `earliest` (the ' +
        "endpoint's first message, the default) or `latest`.",
      params: PollerConsumerParams,
      querystring: LeasePollQuery,
      response: { 200: PollerV2PollOut },
    },
    async (request) => {
      const { query, params } = request;
      const endpoint = await findEndpoint(store, request.application.id, params.sink_id);
      const now = Date.now();
      const consumer = await store.pollerConsumerGet(endpoint.id, params.consumer_id);
      const start = query.starting_position === 'latest' ? positionAt(now) : poller.start(endpoint);
      const { from, state } = leaseStart(consumer, start, now);
      const page = await poller.read(endpoint, from, query.limit ?? DEFAULT_PAGE_SIZE, {}, now);
      const leaseUntil = now + (query.lease_duration_ms ?? DEFAULT_LEASE_MS);
      const granted = leaseGranted(state, page.messages, page.iterator, leaseUntil);
      const saved = await store.pollerConsumerSave(
        endpoint.id,
        params.consumer_id,
        granted.state,
        consumer?.revision,
        now,
      );
      if (!saved) throw conflict(RACED);
      return {
        data: page.messages.map((message, i) => ({
          ...pollMessageOut(message),
          offset: granted.offsets[i]!,
        })),
        done: page.done,
      };
    },
  );

  route.post(
    '/app/:app_id/polling-endpoint/:sink_id/consumer/:consumer_id/commit',
    {
      access: 'app',
      summary: 'Commit an offset',
      description:
        'Acknowledges the message handed out with `offset` and every one before it: the consumer will not be ' +
        'given them again. Committing an offset already committed changes nothing.',
      params: PollerConsumerParams,
      body: PollerV2CommitIn,
      response: { 204: Type.Null() },
    },
    async (request, reply) => {
      const { params } = request;
      const endpoint = await findEndpoint(store, request.application.id, params.sink_id);
      const consumer = await store.pollerConsumerGet(endpoint.id, params.consumer_id);
      if (consumer === undefined)
        throw conflict(`consumer "${params.consumer_id}" has not polled yet; it has no offset to commit`);
      const state = leaseCommitted(consumer, request.body.offset, params.consumer_id);
      if (state !== consumer) {
        const saved = await store.pollerConsumerSave(
          endpoint.id,
          params.consumer_id,
          state,
          consumer.revision,
          Date.now(),
        );
        if (!saved) throw conflict(RACED);
      }
      return reply.status(204).send(null);
    },
  );
});
