/**
 * API keys are random bearer tokens. Only their SHA-256 is stored: a token has 256 bits of entropy, so a fast
 * hash is safe, and it lets every request find its key with one indexed lookup.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ApiKey, ApiKeyKind } from '../store/index.js';
import { newId } from '../util/ids.js';

export const TOKEN_PREFIX = {
  admin: 'hk_admin_',
  app: 'hk_app_',
  message: 'hk_msg_',
  poller: 'hk_poll_',
  one_time: 'hk_ott_',
} as const;

function prefixFor(kind: ApiKeyKind, appId: string | null): string {
  if (kind === 'message' || kind === 'poller' || kind === 'one_time') return TOKEN_PREFIX[kind];
  return appId === null ? TOKEN_PREFIX.admin : TOKEN_PREFIX.app;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface NewKey {
  key: ApiKey;
  /** The bearer token: shown once, never stored. */
  token: string;
}

export function generateApiKey(options: {
  name: string;
  appId: string | null;
  expiresAt?: number | null;
  allowedClientCidrs?: string[] | null;
  rateLimit?: number | null;
  /** Feature flags of an application key (app-portal-access). */
  featureFlags?: string[] | null;
  /** What the key may do (default `key`); a poller token names its endpoint. */
  kind?: ApiKeyKind;
  endpointId?: string | null;
  sessionId?: string | null;
}): NewKey {
  const kind = options.kind ?? 'key';
  const token = prefixFor(kind, options.appId) + randomBytes(32).toString('base64url');
  const now = Date.now();
  return {
    token,
    key: {
      id: newId('apiKey', now),
      name: options.name,
      appId: options.appId,
      tokenHash: hashToken(token),
      tokenPrefix: token.slice(0, token.indexOf('_', 3) + 5),
      createdAt: now,
      expiresAt: options.expiresAt ?? null,
      revokedAt: null,
      allowedClientCidrs: options.allowedClientCidrs ?? null,
      rateLimit: options.rateLimit ?? null,
      ...(options.featureFlags && options.featureFlags.length > 0 && { featureFlags: options.featureFlags }),
      ...(kind !== 'key' && { kind }),
      ...(options.endpointId != null && { endpointId: options.endpointId }),
      ...(options.sessionId != null && { sessionId: options.sessionId }),
    },
  };
}
