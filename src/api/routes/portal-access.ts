/**
 * The consumer portal's magic link (Svix's "app portal access"). An admin hands each customer a link to the
 * dashboard that signs the browser in with an application-scoped key, so the customer sees and manages only
 * their own application. The token is an API key of kind `portal` with an expiry, so it can be listed and
 * revoked under /api-key like any other, and ended by /auth/app/{app_id}/expire-all or /auth/logout. The link
 * itself carries only a single-use, short-lived one-time token that the portal page exchanges (one-time-links.ts).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Application } from '../../store/index.js';
import { throttleRate } from '../aliases.js';
import { routeModule } from '../route-group.js';
import { findOrCreateApplication } from '../lookups.js';
import { ApplicationIn } from '../schemas/applications.js';
import { SessionIdSchema } from '../schemas/auth.js';
import { AppParams, IdempotencyHeaders, Nullable } from '../schemas/common.js';
import { issueOneTimeToken } from '../one-time-links.js';
import { grantToken } from '../token-grants.js';

const HOUR = 60 * 60;
/** How long a portal link works when the request does not say. */
export const PORTAL_DEFAULT_EXPIRY_SECONDS = 7 * 24 * HOUR;
/** The dashboard's page that reads the token from the URL fragment and signs the browser in. */
export const PORTAL_PATH = '/portal';

const AppPortalAccessIn = Type.Object({
  application: Type.Optional(
    Nullable(
      Type.Object(ApplicationIn.properties, {
        description:
          "Creates the application, with the path's id as its uid, when it does not exist yet; ignored otherwise",
      }),
    ),
  ),
  expiry: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: HOUR,
        maximum: PORTAL_DEFAULT_EXPIRY_SECONDS,
        description: 'Herald: seconds the link and its token stay valid, from 1 hour to 7 days (the default)',
      }),
    ),
  ),
  featureFlags: Type.Optional(
    Type.Array(Type.String({ maxLength: 256 }), {
      maxItems: 100,
      description:
        'The event types behind a `featureFlag` the portal may see (those without one are always shown), as in Svix',
    }),
  ),
  sessionId: Type.Optional(
    Nullable(
      Type.Unsafe<string>({
        ...SessionIdSchema,
        description: 'A session id to attach to the token, so that expire-all can end only that session',
      }),
    ),
  ),
});

const AppPortalAccessOut = Type.Object({
  token: Type.String({ description: 'An API key scoped to the application; shown only this once' }),
  url: Type.String({
    description:
      'Opens the consumer portal: its fragment carries a one-time token, good once and for 10 minutes, that ' +
      'the portal exchanges for a token like `token`',
  }),
});

/**
 * The URL browsers reach Herald at. A test server on port 0 has a configured URL ending in ":0"; the port it
 * really listens on replaces that, as it does for the URL Herald reports at start.
 */
function publicUrl(configured: string, request: FastifyRequest): string {
  const address = request.server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return configured.replace(/:0$/, `:${port}`).replace(/\/+$/, '');
}

export const portalAccessRoutes = routeModule({}, (route, { store, audit, config }) => {
  /** A new portal token for the application, recorded as any key creation is, and the link that uses it. */
  const grant = async (
    request: FastifyRequest,
    application: Application,
    expirySeconds: number,
    via: 'app-portal-access' | 'dashboard-access',
    options: { featureFlags?: string[]; sessionId?: string | null } = {},
  ) => {
    const { key, token } = await grantToken({ store, audit }, request, {
      name: `app portal access (${application.uid ?? application.id})`,
      appId: application.id,
      kind: 'portal',
      expiresAt: Date.now() + expirySeconds * 1000,
      featureFlags: options.featureFlags ?? [],
      sessionId: options.sessionId ?? null,
      via,
    });
    // The link carries a single-use token that expires in minutes, not the portal token itself (as in Svix).
    const oneTime = await issueOneTimeToken({ store, audit }, request, key, via);
    const url = `${publicUrl(config.publicUrl, request)}${PORTAL_PATH}#key=${encodeURIComponent(oneTime)}`;
    return { token, url };
  };

  route.post(
    '/auth/app-portal-access/:app_id',
    {
      // Not idempotent: a stored response would keep the bearer token at rest and hand it out again.
      access: 'admin',
      idempotent: false,
      tags: ['Authentication'],
      summary: 'Get a consumer portal link for an application',
      description:
        'Creates an API key scoped to the application that expires after `expiry` seconds (default 7 days), ' +
        'and a single-use URL, good for 10 minutes, that opens the dashboard signed in for that application ' +
        'only. Redirect the customer to the URL; revoke the key under /api-key (or use expire-all) to end ' +
        'it early. `Idempotency-Key` is not honoured ' +
        'here, because the token must not be stored. With `application`, an application that does not exist ' +
        "is created; its `uid` must be given and be the path's id (422 otherwise).",
      params: AppParams,
      headers: IdempotencyHeaders,
      body: AppPortalAccessIn,
      response: { 200: AppPortalAccessOut },
    },
    async (request) => {
      const inline = request.body.application;
      const application = await findOrCreateApplication(
        store,
        request.params.app_id,
        inline && (() => ({ ...inline, throttleRate: throttleRate(inline) })),
      );
      const expiry = request.body.expiry ?? PORTAL_DEFAULT_EXPIRY_SECONDS;
      return grant(request, application, expiry, 'app-portal-access', {
        featureFlags: request.body.featureFlags ?? [],
        sessionId: request.body.sessionId ?? null,
      });
    },
  );

  route.post(
    '/auth/dashboard-access/:app_id',
    {
      access: 'admin',
      idempotent: false,
      optionalBody: true,
      tags: ['Authentication', 'Herald'],
      summary: 'Get a consumer portal link for an application (deprecated)',
      description:
        "Svix's older name for app-portal-access, which its server still answers but its OpenAPI document no " +
        'longer lists; some clients use it. The same link and key, valid ' +
        'for 7 days, for an application that exists. The body may be left out.',
      params: AppParams,
      headers: IdempotencyHeaders,
      body: Type.Object({}),
      response: { 200: AppPortalAccessOut },
    },
    async (request) => {
      const application = await findOrCreateApplication(store, request.params.app_id, null);
      return grant(request, application, PORTAL_DEFAULT_EXPIRY_SECONDS, 'dashboard-access');
    },
  );
});
