/**
 * Svix's throttling status of an endpoint: `RateLimited` while a limit holds back deliveries that are waiting,
 * `Ok` otherwise. Two limits can: the endpoint's `throttleRate` (its token bucket is empty) and Herald's
 * adaptive limit (the workers send below their ceiling because the endpoint struggles).
 */
import { Type } from '@sinclair/typebox';
import { CURRENT_MS, currentLimit } from '../adaptive-limit-report.js';
import { findEndpoint } from '../lookups.js';
import { bucketTokens } from '../rate-buckets.js';
import { routeModule } from '../route-group.js';
import { Nullable, Timestamp } from '../schemas/common.js';
import { EndpointParams } from '../schemas/endpoints.js';

const EndpointThrottleRateStatusOut = Type.Object({
  status: Type.Union([Type.Literal('Ok'), Type.Literal('RateLimited')]),
  throttledSince: Nullable(Timestamp),
  throttleRate: Nullable(Type.Integer({ description: "Herald: the endpoint's messages per second at most" })),
  tokens: Nullable(Type.Number({ description: 'Herald: messages that may be sent at once now' })),
  pending: Type.Integer({ description: 'Herald: deliveries waiting for the endpoint' }),
  adaptiveLimit: Nullable(
    Type.Integer({
      description: 'Herald: requests the workers keep in flight to it now (adaptive throttling)',
    }),
  ),
  adaptiveCeiling: Nullable(Type.Integer({ description: 'Herald: the most they would keep in flight' })),
});

export const endpointThrottlingRoutes = routeModule({ tags: ['Endpoint'] }, (route, { store }) => {
  route.get(
    '/app/:app_id/endpoint/:endpoint_id/rate-limit-status',
    {
      access: 'app',
      summary: "Get an endpoint's throttling status",
      description:
        "`RateLimited` while deliveries wait and a limit holds them back: the endpoint's `throttleRate` (no " +
        "token left in its bucket) or Herald's adaptive limit (below its ceiling). `Ok` otherwise. " +
        '`throttledSince` is always null: Herald does not record when throttling began. Herald adds the ' +
        'figures it judged by.',
      params: EndpointParams,
      response: { 200: EndpointThrottleRateStatusOut },
    },
    async (request) => {
      const endpoint = await findEndpoint(store, request.application.id, request.params.endpoint_id);
      const now = Date.now();
      const [buckets, pendingCounts, recent] = await Promise.all([
        store.endpointRateGetMany([endpoint.id]),
        store.deliveryCountPending([endpoint.id]),
        store.endpointLimitRecent(endpoint.id, now - CURRENT_MS),
      ]);
      const tokens = bucketTokens(endpoint.throttleRate, buckets.get(endpoint.id), now);
      const pending = pendingCounts.get(endpoint.id) ?? 0;
      const adaptive = currentLimit(recent);
      const held =
        (tokens !== null && tokens < 1) ||
        (adaptive.limit !== null && adaptive.ceiling !== null && adaptive.limit < adaptive.ceiling);
      return {
        status: pending > 0 && held ? 'RateLimited' : 'Ok',
        throttledSince: null,
        throttleRate: endpoint.throttleRate,
        tokens: tokens === null ? null : Math.round(tokens * 1000) / 1000,
        pending,
        adaptiveLimit: adaptive.limit,
        adaptiveCeiling: adaptive.ceiling,
      } as const;
    },
  );
});
