/**
 * Svix's poller tokens: a token that may only read one endpoint's feed through the poller routes (auth.ts
 * holds it to them and to that endpoint). Herald stores the token's hash only, so the whole token is shown
 * when it is made: by the first `GET …/token` of an endpoint, and by every rotation. Later reads show its
 * first characters; a client that lost it rotates.
 */
import { routeModule } from '../route-group.js';
import { findEndpoint } from '../lookups.js';
import { ApiTokenOut, RotatePollerTokenIn, TOKEN_MAX_EXPIRY_SECONDS } from '../schemas/auth.js';
import { IdempotencyHeaders } from '../schemas/common.js';
import { EndpointParams } from '../schemas/endpoints.js';
import { apiTokenOut, grantToken } from '../token-grants.js';
import type { Application, Endpoint } from '../../store/index.js';
import type { FastifyRequest } from 'fastify';

/** How long the previous token keeps working after a rotation when the request does not say (Svix's default). */
export const OLD_POLLER_TOKEN_SECONDS = 300;

export const pollerTokenRoutes = routeModule(
  { tags: ['Authentication'] },
  (route, { store, audit, keys }) => {
    const issue = (
      request: FastifyRequest,
      application: Application,
      endpoint: Endpoint,
      expiry: number,
      via: 'poller-token' | 'poller-token-rotate',
    ) =>
      grantToken({ store, audit }, request, {
        name: `poller token (${endpoint.uid ?? endpoint.id})`,
        appId: application.id,
        kind: 'poller',
        endpointId: endpoint.id,
        expiresAt: Date.now() + expiry * 1000,
        via,
      });

    route.get(
      '/auth/app/:app_id/poller/:endpoint_id/token',
      {
        access: 'app',
        idempotent: false,
        summary: "Get an endpoint's poller token",
        description:
          "A token that may only poll this endpoint's messages (`GET …/poller/{endpoint_id}` and its consumer " +
          'routes). When the endpoint has no live token, one is made, valid for a year, and shown whole in this ' +
          'response only. Otherwise the current token is described and `token` shows only its first characters, ' +
          'because Herald keeps only its hash: rotate to get a new one.',
        params: EndpointParams,
        response: { 200: ApiTokenOut },
      },
      async (request) => {
        const endpoint = await findEndpoint(store, request.application.id, request.params.endpoint_id);
        const current = await store.apiKeyCurrentPoller(endpoint.id);
        if (current) return apiTokenOut(current, null);
        const { key, token } = await issue(
          request,
          request.application,
          endpoint,
          TOKEN_MAX_EXPIRY_SECONDS,
          'poller-token',
        );
        return apiTokenOut(key, token);
      },
    );

    route.post(
      '/auth/app/:app_id/poller/:endpoint_id/token/rotate',
      {
        access: 'app',
        idempotent: false,
        optionalBody: true,
        summary: "Rotate an endpoint's poller token",
        description:
          'Makes a new poller token, valid for `expiry` seconds (a year at most, the default), shown only in ' +
          'this response. The previous tokens keep working for `oldTokenExpiry` seconds (default 300; 0 ends ' +
          'them at once), so a poller can switch without a gap.',
        params: EndpointParams,
        headers: IdempotencyHeaders,
        body: RotatePollerTokenIn,
        response: { 201: ApiTokenOut },
      },
      async (request, reply) => {
        const application = request.application;
        const endpoint = await findEndpoint(store, application.id, request.params.endpoint_id);
        const oldExpiry = request.body.oldTokenExpiry ?? OLD_POLLER_TOKEN_SECONDS;
        await store.apiKeyExpireForApp(application.id, Date.now() + oldExpiry * 1000, {
          kinds: ['poller'],
          endpointId: endpoint.id,
        });
        keys.clear();
        const expiry = request.body.expiry ?? TOKEN_MAX_EXPIRY_SECONDS;
        const { key, token } = await issue(request, application, endpoint, expiry, 'poller-token-rotate');
        return reply.status(201).send(apiTokenOut(key, token));
      },
    );
  },
);
