/**
 * A consumer portal link's one-time token (Svix's single-use magic link). app-portal-access makes a portal token
 * and, for the link, a short-lived token of kind `one_time` tied to it: its name records the portal token's key
 * id, because the one-time token itself expires in minutes while the portal session lasts as long as the portal
 * token does. The dashboard's portal page trades the one-time token, once, at /auth/one-time-token for a portal
 * token of its own with the portal token's application, feature flags, session and expiry, so a link copied from
 * a browser's history or a log is worthless once opened or after a few minutes.
 */
import type { FastifyRequest } from 'fastify';
import { hashToken } from '../security/api-keys.js';
import type { ApiKey, Store } from '../store/index.js';
import type { Audit } from './audit.js';
import { HttpError } from './errors.js';
import { grantToken } from './token-grants.js';

/** How long a portal link's one-time token can be exchanged. */
export const ONE_TIME_TOKEN_EXPIRY_SECONDS = 10 * 60;

const NAME_PREFIX = 'one-time link to ';

/** The portal token's key id that a one-time token was issued for, read back from its name. */
function portalKeyIdOf(oneTime: ApiKey): string | null {
  return oneTime.name.startsWith(NAME_PREFIX) ? oneTime.name.slice(NAME_PREFIX.length) : null;
}

const refused = () =>
  new HttpError(
    401,
    'authentication_failed',
    'this one-time token is not valid: it was used already, has expired, or was never issued; ask for a new link',
  );

/** Issues the one-time token of a link to `portal` (a portal token just made); returns the token, to show once. */
export async function issueOneTimeToken(
  deps: { store: Store; audit: Audit },
  request: FastifyRequest,
  portal: ApiKey,
  via: string,
): Promise<string> {
  const expiresAt = Math.min(Date.now() + ONE_TIME_TOKEN_EXPIRY_SECONDS * 1000, portal.expiresAt ?? Infinity);
  const { token } = await grantToken(deps, request, {
    name: `${NAME_PREFIX}${portal.id}`,
    appId: portal.appId!,
    kind: 'one_time',
    expiresAt,
    featureFlags: portal.featureFlags ?? [],
    sessionId: portal.sessionId ?? null,
    via,
  });
  return token;
}

/**
 * Uses up a one-time token and issues the portal token it stands for. 401 if the one-time token is unknown,
 * used or expired, or if the portal token it was issued for has since been revoked or has expired.
 */
export async function exchangeOneTimeToken(
  deps: { store: Store; audit: Audit },
  request: FastifyRequest,
  oneTimeToken: string,
): Promise<string> {
  const { store, audit } = deps;
  const used = await store.apiKeyConsumeOneTime(hashToken(oneTimeToken));
  if (!used || used.appId === null) throw refused();
  const portalId = portalKeyIdOf(used);
  const portal = portalId === null ? undefined : await store.apiKeyGet(portalId);
  const now = Date.now();
  const live =
    portal !== undefined &&
    portal.appId === used.appId &&
    portal.revokedAt === null &&
    portal.expiresAt !== null &&
    portal.expiresAt > now;
  await audit.record(request, {
    action: 'api_key.exchanged',
    targetType: 'api_key',
    targetId: used.id,
    appId: used.appId,
    after: { via: 'one-time-token', portalKeyId: portalId, granted: live },
  });
  if (!live) throw refused();
  const { token } = await grantToken(deps, request, {
    name: `${portal.name} (opened by link)`,
    appId: portal.appId!,
    kind: 'portal',
    expiresAt: portal.expiresAt!,
    featureFlags: portal.featureFlags ?? [],
    sessionId: portal.sessionId ?? null,
    via: 'one-time-token',
  });
  return token;
}
