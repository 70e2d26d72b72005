/**
 * Issuing the tokens of Svix's authentication routes: each is an API key of a restricted kind (see ApiKeyKind),
 * stored by its hash only, so its whole value appears in one response and never again. Each issue is audited
 * as any key creation is, never with the token.
 */
import type { FastifyRequest } from 'fastify';
import { generateApiKey } from '../security/api-keys.js';
import type { ApiKey, ApiKeyKind, Store } from '../store/index.js';
import type { Audit } from './audit.js';
import { toIso } from './schemas/common.js';

export interface TokenGrant {
  name: string;
  appId: string;
  kind: ApiKeyKind;
  expiresAt: number;
  endpointId?: string | null;
  sessionId?: string | null;
  featureFlags?: string[];
  /** The route that issued it, recorded in the audit log. */
  via: string;
}

/** Creates a token and records its creation; returns the key and the token (to show once). */
export async function grantToken(
  { store, audit }: { store: Store; audit: Audit },
  request: FastifyRequest,
  grant: TokenGrant,
): Promise<{ key: ApiKey; token: string }> {
  const { key, token } = generateApiKey({
    name: grant.name.slice(0, 256),
    appId: grant.appId,
    expiresAt: grant.expiresAt,
    kind: grant.kind,
    endpointId: grant.endpointId ?? null,
    sessionId: grant.sessionId ?? null,
    featureFlags: grant.featureFlags ?? [],
  });
  await store.apiKeyCreate(key);
  await audit.record(request, {
    action: 'api_key.created',
    targetType: 'api_key',
    targetId: key.id,
    appId: grant.appId,
    after: {
      name: key.name,
      appId: grant.appId,
      kind: grant.kind,
      expiresAt: toIso(grant.expiresAt),
      via: grant.via,
      ...(grant.endpointId != null && { endpointId: grant.endpointId }),
      ...(grant.sessionId != null && { sessionId: grant.sessionId }),
    },
  });
  return { key, token };
}

/** What a restricted token may do, in Svix's ApiTokenOut `scopes`. */
const SCOPES: Partial<Record<ApiKeyKind, string[]>> = {
  message: ['message.create'],
  poller: ['poller.read'],
};

/** Svix's ApiTokenOut. `token` is the whole token only right after it was made; otherwise its prefix and "…". */
export function apiTokenOut(key: ApiKey, token: string | null) {
  return {
    token: token ?? `${key.tokenPrefix}…`,
    id: key.id,
    name: key.name,
    createdAt: toIso(key.createdAt),
    expiresAt: key.expiresAt === null ? null : toIso(key.expiresAt),
    scopes: SCOPES[key.kind ?? 'key'] ?? null,
  };
}
