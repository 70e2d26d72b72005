/**
 * Svix's authentication routes besides portal access: who a token is (`whoami`), ending the calling token
 * (`logout`), ending an application's tokens (`expire-all`), tokens that may only create messages
 * (`create-message-token`), and exchanging a portal link's one-time token (`one-time-token`). Poller tokens are
 * in poller-tokens.ts. Every token is stored hashed and shown once; every change is audited.
 */
import { Type } from '@sinclair/typebox';
import type { ApiKeyKind } from '../../store/index.js';
import { forbidden } from '../errors.js';
import { findApplication } from '../lookups.js';
import { exchangeOneTimeToken } from '../one-time-links.js';
import { routeModule } from '../route-group.js';
import {
  ApiTokenOut,
  ApplicationTokenExpireIn,
  CreateTokenIn,
  OneTimeTokenIn,
  OneTimeTokenOut,
  TOKEN_MAX_EXPIRY_SECONDS,
  WhoamiOut,
} from '../schemas/auth.js';
import { AppParams, IdempotencyHeaders, toIso } from '../schemas/common.js';
import { apiTokenOut, grantToken } from '../token-grants.js';

/** The tokens expire-all ends: every token the auth routes hand out. Keys made under /api-key stay. */
export const EXPIRE_ALL_KINDS: ApiKeyKind[] = ['portal', 'one_time', 'message', 'poller'];

export const authTokenRoutes = routeModule({ tags: ['Authentication'] }, (route, { store, audit, keys }) => {
  route.get(
    '/auth/whoami',
    {
      access: 'any',
      summary: 'Describe the calling token',
      description:
        'The application the token is limited to (null for an admin key), and, as Herald additions, its id, ' +
        'kind (`key`, `portal`, `message` or `poller`), poller endpoint and expiry. Every valid token may ask.',
      response: { 200: WhoamiOut },
    },
    async (request) => {
      const principal = request.principal!;
      const key = await store.apiKeyGet(principal.keyId);
      return {
        envId: null,
        appId: principal.appId,
        streamAppId: null,
        permissionSource: principal.appId === null ? 'GlobalAuthToken' : 'SvixJwt',
        sessionId: principal.sessionId,
        keyId: principal.keyId,
        kind: principal.kind,
        endpointId: principal.endpointId,
        expiresAt: key?.expiresAt == null ? null : toIso(key.expiresAt),
      } as const;
    },
  );

  route.post(
    '/auth/logout',
    {
      access: 'any',
      optionalBody: true,
      summary: 'Log out the calling token',
      description:
        'Revokes the token that makes this request, at once. Only tokens limited to an application may log ' +
        'out (403 for an admin key, which is revoked under /api-key instead).',
      headers: IdempotencyHeaders,
      body: Type.Object({}),
      response: { 204: Type.Null() },
    },
    async (request, reply) => {
      const principal = request.principal!;
      if (principal.appId === null)
        throw forbidden('an admin key cannot log out; revoke it with DELETE /api/v1/api-key/{key_id}');
      const revoked = await store.apiKeyRevoke(principal.keyId);
      keys.clear();
      if (revoked)
        await audit.record(request, {
          action: 'api_key.revoked',
          targetType: 'api_key',
          targetId: revoked.id,
          appId: revoked.appId,
          after: { via: 'logout', kind: revoked.kind ?? 'key' },
        });
      return reply.status(204).send(null);
    },
  );

  route.post(
    '/auth/app/:app_id/expire-all',
    {
      access: 'admin',
      optionalBody: true,
      summary: "Expire an application's tokens",
      description:
        'Ends the tokens the authentication routes gave out for the application: portal tokens and links, ' +
        'message tokens and poller tokens, after `expiry` seconds (at once by default). With `sessionIds`, ' +
        'only the portal tokens created with one of those session ids. Keys made under /api-key are not ' +
        'touched; revoke them there.',
      params: AppParams,
      headers: IdempotencyHeaders,
      body: ApplicationTokenExpireIn,
      response: { 204: Type.Null() },
    },
    async (request, reply) => {
      const application = await findApplication(store, request.params.app_id);
      const at = Date.now() + (request.body.expiry ?? 0) * 1000;
      const sessionIds = request.body.sessionIds;
      const count = await store.apiKeyExpireForApp(application.id, at, {
        kinds: sessionIds === undefined ? EXPIRE_ALL_KINDS : ['portal'],
        sessionIds,
      });
      keys.clear();
      await audit.record(request, {
        action: 'api_key.expired_all',
        targetType: 'application',
        targetId: application.id,
        appId: application.id,
        after: { expiresAt: toIso(at), count, ...(sessionIds !== undefined && { sessionIds }) },
      });
      return reply.status(204).send(null);
    },
  );

  route.post(
    '/auth/app/:app_id/create-message-token',
    {
      // Not idempotent: a stored response would keep the bearer token at rest and hand it out again.
      access: 'admin',
      idempotent: false,
      summary: 'Create a token that may only create messages',
      description:
        'A token limited to `POST …/app/{app_id}/msg` (and `msg/batch`) of this application, valid for ' +
        '`expiry` seconds (one year at most, the default). It is shown only in this response.',
      params: AppParams,
      headers: IdempotencyHeaders,
      body: CreateTokenIn,
      response: { 200: ApiTokenOut },
    },
    async (request) => {
      const application = await findApplication(store, request.params.app_id);
      const expiry = request.body.expiry ?? TOKEN_MAX_EXPIRY_SECONDS;
      const { key, token } = await grantToken({ store, audit }, request, {
        name: request.body.name,
        appId: application.id,
        kind: 'message',
        expiresAt: Date.now() + expiry * 1000,
        via: 'create-message-token',
      });
      return apiTokenOut(key, token);
    },
  );

  route.post(
    '/auth/one-time-token',
    {
      access: 'public',
      idempotent: false,
      summary: "Exchange a portal link's one-time token",
      description:
        "Trades the single-use token of a consumer portal link (the `#key=hk_ott_…` of app-portal-access's " +
        '`url`) for a portal token with the application, feature flags, session and expiry of the portal token ' +
        'the link was made with. The one-time token works once and for 10 minutes: a second exchange, an expired ' +
        'one, or one whose portal token was revoked or has expired answers 401.',
      headers: IdempotencyHeaders,
      body: OneTimeTokenIn,
      response: { 200: OneTimeTokenOut },
    },
    async (request) => {
      const token = await exchangeOneTimeToken({ store, audit }, request, request.body.oneTimeToken);
      keys.clear();
      return { token, capabilities: [] };
    },
  );
});
