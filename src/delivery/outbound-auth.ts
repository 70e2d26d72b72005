/**
 * Outbound authentication: the credentials Herald presents to an endpoint, besides the signature. Three
 * methods, stored sealed per endpoint:
 *
 * - `basic`: HTTP Basic auth with a username and password.
 * - `jwt`: a Bearer JWT signed for each request (HS256, RS256 or EdDSA) with `iat`, `exp`, a unique `jti`, the
 *   message id and the SHA-256 of the body, so a token cannot be replayed with another body.
 * - `oauth2`: OAuth 2.0 client credentials. The access token is fetched from the token URL (through the SSRF
 *   guard, like every connection Herald makes), cached until shortly before it expires, and fetched again once
 *   when the endpoint answers 401.
 */
import { createHash, randomUUID } from 'node:crypto';
import { signJwt, type JwtAlgorithm } from '../security/jwt.js';
import type { Sender, SendOutcome } from './sender.js';

export type OutboundAuthConfig =
  | { type: 'basic'; username: string; password: string }
  | {
      type: 'jwt';
      algorithm: JwtAlgorithm;
      /** HS256: the shared secret; RS256/EdDSA: a PEM private key. */
      key: string;
      keyId?: string | undefined;
      issuer?: string | undefined;
      audience?: string | undefined;
      subject?: string | undefined;
      expiresInSeconds: number;
    }
  | {
      type: 'oauth2';
      tokenUrl: string;
      clientId: string;
      clientSecret: string;
      scope?: string | undefined;
      audience?: string | undefined;
      /**
       * `basic` sends the client credentials in an Authorization header (RFC 6749's default); `body` in the form;
       * `jwt` sends an RS256 client assertion signed with `assertionKey` (RFC 7523, Svix's `clientSecretJwt`).
       */
      clientAuth: 'basic' | 'body' | 'jwt';
      /** `jwt`: the PEM private key, its `kid`, and the assertion's lifetime. */
      assertionKey?: string | undefined;
      assertionKeyId?: string | undefined;
      assertionExpiresInSeconds?: number | undefined;
      /** The grant (Svix's `grantType`); omitted means client credentials. */
      grantType?: 'client_credentials' | 'refresh_token' | undefined;
      /** The refresh token of the `refresh_token` grant; a credential. */
      refreshToken?: string | undefined;
      /** More form parameters and headers of the token request (Svix's `extraParams`, `extraHeaders`). */
      extraParams?: Record<string, string> | undefined;
      extraHeaders?: Record<string, string> | undefined;
    };

/** The fields of each method that hold credentials: never returned, logged or audited. */
export const SECRET_FIELDS = ['password', 'key', 'clientSecret', 'refreshToken', 'assertionKey'] as const;

/** A token is used until this long before it expires, so it does not lapse on the way. */
const EXPIRY_MARGIN_MS = 30_000;
/** How long a token without `expires_in` is used (until a 401 says otherwise). */
const DEFAULT_TOKEN_LIFETIME_MS = 60 * 60_000;
const TOKEN_CACHE_LIMIT = 10_000;

interface CachedToken {
  token: string;
  expiresAt: number;
}

export type AuthHeaders = { headers: Record<string, string>; token?: string } | { failure: SendOutcome };

export class OutboundAuth {
  /** Access tokens by endpoint and credentials, so changed credentials never use an old token. */
  readonly #tokens = new Map<string, CachedToken>();
  /** Token requests in flight: concurrent deliveries to one endpoint share one request. */
  readonly #fetching = new Map<string, Promise<CachedToken | SendOutcome>>();

  constructor(private readonly sender: Sender) {}

  /** The headers that authenticate one request. `refresh` skips a cached OAuth token equal to it. */
  async headers(
    endpointId: string,
    auth: OutboundAuthConfig,
    message: { id: string; body: string },
    timeoutMs: number,
    refresh?: string,
  ): Promise<AuthHeaders> {
    switch (auth.type) {
      case 'basic': {
        const credentials = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
        return { headers: { authorization: `Basic ${credentials}` } };
      }
      case 'jwt':
        return { headers: { authorization: `Bearer ${jwtFor(auth, message)}` } };
      case 'oauth2': {
        const token = await this.#token(endpointId, auth, timeoutMs, refresh);
        if ('kind' in token) return { failure: token };
        return { headers: { authorization: `Bearer ${token.token}` }, token: token.token };
      }
    }
  }

  async #token(
    endpointId: string,
    auth: Extract<OutboundAuthConfig, { type: 'oauth2' }>,
    timeoutMs: number,
    refresh: string | undefined,
  ): Promise<CachedToken | SendOutcome> {
    const key = `${endpointId}:${fingerprint(auth)}`;
    const cached = this.#tokens.get(key);
    if (cached && cached.expiresAt > Date.now() && cached.token !== refresh) return cached;
    let pending = this.#fetching.get(key);
    if (!pending) {
      pending = this.#fetch(auth, timeoutMs).then((result) => {
        this.#fetching.delete(key);
        if (!('kind' in result)) {
          if (this.#tokens.size >= TOKEN_CACHE_LIMIT) this.#tokens.clear();
          this.#tokens.set(key, result);
        } else this.#tokens.delete(key);
        return result;
      });
      this.#fetching.set(key, pending);
    }
    return pending;
  }

  async #fetch(
    auth: Extract<OutboundAuthConfig, { type: 'oauth2' }>,
    timeoutMs: number,
  ): Promise<CachedToken | SendOutcome> {
    const form = new URLSearchParams(auth.extraParams);
    form.set('grant_type', auth.grantType ?? 'client_credentials');
    if (auth.grantType === 'refresh_token' && auth.refreshToken) form.set('refresh_token', auth.refreshToken);
    if (auth.scope) form.set('scope', auth.scope);
    if (auth.audience) form.set('audience', auth.audience);
    const headers: Record<string, string> = {
      ...auth.extraHeaders,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (auth.clientAuth === 'jwt') {
      form.set('client_id', auth.clientId);
      form.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      form.set('client_assertion', clientAssertion(auth));
    } else if (auth.clientAuth === 'body') {
      form.set('client_id', auth.clientId);
      form.set('client_secret', auth.clientSecret);
    } else {
      // RFC 6749 §2.3.1: each part is form-encoded before it is joined.
      const user = encodeURIComponent(auth.clientId);
      const pass = encodeURIComponent(auth.clientSecret);
      headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    }
    const started = Date.now();
    const outcome = await this.sender.send({ url: auth.tokenUrl, headers, body: form.toString(), timeoutMs });
    const failed = (detail: string): SendOutcome => ({
      kind: 'error',
      errorClass: 'oauth_token',
      detail: `the token URL ${detail}`,
      durationMs: Date.now() - started,
    });
    if (outcome.kind === 'error')
      return outcome.errorClass === 'ssrf_blocked'
        ? { ...outcome, detail: `the token URL: ${outcome.detail}` }
        : failed(`failed (${outcome.errorClass}): ${outcome.detail}`);
    if (outcome.status < 200 || outcome.status >= 300)
      return failed(`answered ${outcome.status}: ${outcome.body.slice(0, 200)}`);
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(outcome.body) as typeof body;
    } catch {
      return failed('answered with a body that is not JSON');
    }
    if (typeof body.access_token !== 'string' || body.access_token === '')
      return failed('answered without an access_token');
    const lifetime =
      typeof body.expires_in === 'number' && body.expires_in > 0
        ? Math.max(0, body.expires_in * 1000 - EXPIRY_MARGIN_MS)
        : DEFAULT_TOKEN_LIFETIME_MS;
    return { token: body.access_token, expiresAt: Date.now() + lifetime };
  }
}

function jwtFor(
  auth: Extract<OutboundAuthConfig, { type: 'jwt' }>,
  message: { id: string; body: string },
): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    ...(auth.issuer && { iss: auth.issuer }),
    ...(auth.subject && { sub: auth.subject }),
    ...(auth.audience && { aud: auth.audience }),
    iat: now,
    exp: now + auth.expiresInSeconds,
    jti: randomUUID(),
    webhook_id: message.id,
    body_sha256: createHash('sha256').update(message.body).digest('hex'),
  };
  return signJwt(auth.algorithm, auth.key, claims, auth.keyId);
}

/** RFC 7523's client assertion: the client says who it is to the token URL, signed with its key. */
function clientAssertion(auth: Extract<OutboundAuthConfig, { type: 'oauth2' }>): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: auth.clientId,
    sub: auth.clientId,
    aud: auth.tokenUrl,
    jti: randomUUID(),
    iat: now,
    exp: now + (auth.assertionExpiresInSeconds ?? 300),
  };
  return signJwt('RS256', auth.assertionKey ?? '', claims, auth.assertionKeyId);
}

function fingerprint(auth: Extract<OutboundAuthConfig, { type: 'oauth2' }>): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        auth.tokenUrl,
        auth.clientId,
        auth.clientSecret,
        auth.scope,
        auth.audience,
        auth.grantType,
        auth.refreshToken,
        auth.extraParams,
        auth.extraHeaders,
        auth.clientAuth,
        auth.assertionKey,
      ]),
    )
    .digest('hex')
    .slice(0, 32);
}
