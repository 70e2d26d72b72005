/**
 * Bearer-token authentication and per-route authorisation. Every route declares its access in
 * `config.access`: `public` (no key), `admin` (admin keys only), `app` (admin keys, or a key scoped to the
 * application named in the path) or `any` (any valid key; the handler narrows what it returns).
 * Keys are looked up by hash and cached briefly, so a request costs no database round trip for its key.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';
import { hashToken } from '../security/api-keys.js';
import { inCidrList, parseCidrs, type Cidr } from '../util/cidr.js';
import type { ApiKey, ApiKeyKind, Application, Store } from '../store/index.js';
import { forbidden, HttpError, notFound } from './errors.js';

export type Access = 'public' | 'admin' | 'app' | 'any';

export interface Principal {
  keyId: string;
  /** `null` for an admin key. */
  appId: string | null;
  /** The key's own requests-per-second limit; null means the server default. */
  rateLimit: number | null;
  /** An application key's feature flags: which event types behind a `featureFlag` it sees. */
  featureFlags: string[];
  kind: ApiKeyKind;
  /** A poller token's endpoint. */
  endpointId: string | null;
  sessionId: string | null;
}

/**
 * The only routes a restricted token may use, by kind; every other route answers 403. Deny by default: a
 * route added later is closed to these tokens until it is listed here.
 */
const RESTRICTED_ROUTES: Partial<Record<ApiKeyKind, ReadonlySet<string>>> = {
  message: new Set([
    'POST /api/v1/app/:app_id/msg',
    'POST /api/v1/app/:app_id/msg/batch',
    'GET /api/v1/auth/whoami',
    'POST /api/v1/auth/logout',
  ]),
  poller: new Set([
    'GET /api/v1/app/:app_id/poller/:sink_id',
    'GET /api/v1/app/:app_id/poller/:sink_id/consumer/:consumer_id',
    'POST /api/v1/app/:app_id/poller/:sink_id/consumer/:consumer_id/seek',
    'GET /api/v1/app/:app_id/polling-endpoint/:sink_id/consumer/:consumer_id',
    'POST /api/v1/app/:app_id/polling-endpoint/:sink_id/consumer/:consumer_id/commit',
    'GET /api/v1/auth/whoami',
    'POST /api/v1/auth/logout',
  ]),
};

const RESTRICTED_DETAIL: Partial<Record<ApiKeyKind, string>> = {
  message: 'this is a message token; it may only create messages in its application',
  poller: "this is a poller token; it may only poll its endpoint's messages",
};

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** The handler copes with a missing application (an admin may create it inline). */
    appOptional?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** The application named by `app_id` in the path, resolved from its id or uid. */
    application: Application | null;
  }
}

const CACHE_LIMIT = 10_000;

const unauthorized = (detail: string) => new HttpError(401, 'authentication_failed', detail);

export class KeyCache {
  readonly #entries = new Map<string, { key: ApiKey | undefined; at: number }>();

  constructor(
    private readonly store: Store,
    private readonly ttlMs: number,
  ) {}

  async find(tokenHash: string, now = Date.now()): Promise<ApiKey | undefined> {
    const hit = this.#entries.get(tokenHash);
    if (hit && now - hit.at < this.ttlMs) return hit.key;
    const key = await this.store.apiKeyFindByHash(tokenHash);
    if (this.ttlMs > 0) {
      if (this.#entries.size >= CACHE_LIMIT) this.#entries.clear();
      this.#entries.set(tokenHash, { key, at: now });
    }
    return key;
  }

  /** Forgets everything, so a revocation in this process takes effect at once. */
  clear(): void {
    this.#entries.clear();
  }
}

function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (header === undefined || header === '')
    throw unauthorized('send your API key in the header "Authorization: Bearer <key>"');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthorized('the Authorization header must be "Bearer <key>"');
  return match[1]!;
}

const parsedCidrs = new Map<string, Cidr[]>();

/** Whether `ip` is inside one of a key's allowed client networks (IPv4-mapped IPv6 counts as IPv4). */
function clientAllowed(ip: string, cidrs: string[]): boolean {
  const text = cidrs.join(',');
  let list = parsedCidrs.get(text);
  if (list === undefined) {
    list = parseCidrs(cidrs);
    if (parsedCidrs.size >= CACHE_LIMIT) parsedCidrs.clear();
    parsedCidrs.set(text, list);
  }
  if (!ipaddr.isValid(ip)) return false;
  return inCidrList(ipaddr.process(ip), list);
}

/**
 * `herald` (default): an application key that reaches for another application gets 403, whether or not that
 * application exists. `svix`: 404, as in Svix, which does not say whether it exists.
 */
export type AppKeyAccess = 'herald' | 'svix';

export function registerAuth(
  app: FastifyInstance,
  store: Store,
  keys: KeyCache,
  appKeyAccess: AppKeyAccess = 'herald',
) {
  app.decorateRequest('principal', null);
  app.decorateRequest('application', null);

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (access === undefined || access === 'public') return;
    const key = await keys.find(hashToken(bearerToken(request)));
    const now = Date.now();
    if (!key) throw unauthorized('this API key is not valid; check that it was copied whole');
    if (key.revokedAt !== null) throw unauthorized('this API key has been revoked; create a new one');
    if (key.expiresAt !== null && key.expiresAt <= now) throw unauthorized('this API key has expired');
    const kind = key.kind ?? 'key';
    // A portal link's one-time token authenticates nothing; only its exchange (a public route) reads it.
    if (kind === 'one_time')
      throw unauthorized('this is a one-time token; exchange it at POST /api/v1/auth/one-time-token first');
    request.principal = {
      keyId: key.id,
      appId: key.appId,
      rateLimit: key.rateLimit,
      featureFlags: key.featureFlags ?? [],
      kind,
      endpointId: key.endpointId ?? null,
      sessionId: key.sessionId ?? null,
    };
    const allowed = RESTRICTED_ROUTES[kind];
    if (allowed !== undefined && !allowed.has(`${request.method} ${request.routeOptions.url}`))
      throw forbidden(RESTRICTED_DETAIL[kind]!);
    if (key.allowedClientCidrs !== null && !clientAllowed(request.ip, key.allowedClientCidrs))
      throw forbidden(
        `this API key may not be used from ${request.ip}; its allowed client networks exclude it`,
      );
    if (access === 'admin' && key.appId !== null)
      throw forbidden('this route needs an admin key; application-scoped keys cannot use it');
  });

  // After validation, so a malformed app_id is a 422 rather than a lookup.
  app.addHook('preHandler', async (request) => {
    if (request.routeOptions.config.access !== 'app') return;
    const appId = (request.params as { app_id?: string }).app_id;
    if (appId === undefined) return;
    const principal = request.principal!;
    const application = (await store.applicationGet(appId)) ?? null;
    if (principal.appId !== null && principal.appId !== application?.id) {
      if (appKeyAccess === 'svix') throw notFound('application', appId);
      throw forbidden(`this key is scoped to application ${principal.appId} and cannot reach "${appId}"`);
    }
    if (!application) {
      if (request.routeOptions.config.appOptional && principal.appId === null) return;
      throw notFound('application', appId);
    }
    request.application = application;
    if (principal.endpointId !== null) await checkPollerEndpoint(store, request, application, principal);
  });
}

/** A poller token reaches its own endpoint only, named by id or uid in `sink_id`. */
async function checkPollerEndpoint(
  store: Store,
  request: FastifyRequest,
  application: Application,
  principal: Principal,
): Promise<void> {
  const sinkId = (request.params as { sink_id?: string }).sink_id;
  const endpoint = sinkId === undefined ? undefined : await store.endpointGet(application.id, sinkId);
  if (endpoint?.id !== principal.endpointId)
    throw forbidden(`this poller token may only poll endpoint ${principal.endpointId}`);
}
