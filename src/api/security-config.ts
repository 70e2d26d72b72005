/**
 * Checks and conversions for security settings that the JSON Schema alone cannot express: CIDR lists, and an
 * outbound authentication method's fields (which ones it needs, whether its key parses), plus the redacted
 * view of a method that the API shows, logs and audits.
 */
import type { Static } from '@sinclair/typebox';
import type { Config } from '../config/config.js';
import type { OutboundAuthConfig } from '../delivery/outbound-auth.js';
import { generateJwtKey, jwtKeyProblem, jwtPublicKey } from '../security/jwt.js';
import { blockedHostReason } from '../security/ssrf.js';
import { formatCidr, parseCidrList } from '../util/cidr.js';
import { unprocessable } from './errors.js';
import type { Loc } from './problems.js';
import type { EndpointAuthIn, EndpointAuthOut } from './schemas/security.js';

/** Parses a CIDR list, naming the first entry that is not one; returns it in canonical form. */
export function checkCidrs(list: string[], field: Loc): string[] {
  return list.map((entry, index) => {
    try {
      return formatCidr(parseCidrList(entry)[0]!);
    } catch {
      throw unprocessable(
        [...field, String(index)],
        `"${entry.slice(0, 64)}" is not a CIDR; write e.g. 203.0.113.0/24, 2001:db8::/32 or 198.51.100.7`,
      );
    }
  });
}

const DEFAULT_JWT_LIFETIME_SECONDS = 60;

/**
 * The stored form of an authentication method from a request body. Returns the key Herald generated when the
 * request asked for an HS256 token without giving a key: the caller shows it once.
 */
export function checkAuthConfig(
  body: Static<typeof EndpointAuthIn>,
  config: Config,
): { auth: OutboundAuthConfig; generatedKey?: string } {
  const need = (field: keyof typeof body): string => {
    const value = body[field];
    if (typeof value !== 'string' || value === '')
      throw unprocessable(
        ['body', field],
        `is required for ${body.type} authentication`,
        'value_error.missing',
      );
    return value;
  };
  switch (body.type) {
    case 'basic':
      return { auth: { type: 'basic', username: need('username'), password: need('password') } };
    case 'jwt': {
      const algorithm = body.algorithm ?? 'HS256';
      const generated = body.key === undefined ? generateJwtKey(algorithm) : undefined;
      const key = body.key ?? generated!;
      const problem = jwtKeyProblem(algorithm, key);
      if (problem !== null) throw unprocessable(['body', 'key'], problem);
      return {
        auth: {
          type: 'jwt',
          algorithm,
          key,
          keyId: body.keyId,
          issuer: body.issuer,
          audience: body.audience,
          subject: body.subject,
          expiresInSeconds: body.expiresInSeconds ?? DEFAULT_JWT_LIFETIME_SECONDS,
        },
        ...(generated !== undefined && algorithm === 'HS256' && { generatedKey: generated }),
      };
    }
    case 'oauth2': {
      const tokenUrl = need('tokenUrl');
      let url: URL;
      try {
        url = new URL(tokenUrl);
      } catch {
        throw unprocessable(['body', 'tokenUrl'], 'is not a URL; send an absolute https:// URL');
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:')
        throw unprocessable(['body', 'tokenUrl'], `must use https:// or http://, not ${url.protocol}//`);
      const blocked = blockedHostReason(url.hostname, config.ssrfAllow);
      if (blocked !== null)
        throw unprocessable(
          ['body', 'tokenUrl'],
          `points at ${url.hostname} (${blocked}), which Herald does not connect to; use a public ` +
            'address, or have the operator allow the range in HERALD_SSRF_ALLOW_CIDRS',
        );
      return {
        auth: {
          type: 'oauth2',
          tokenUrl: url.toString(),
          clientId: need('clientId'),
          clientSecret: need('clientSecret'),
          scope: body.scope,
          audience: body.audience,
          clientAuth: body.clientAuth ?? 'basic',
        },
      };
    }
  }
}

/** What may be shown of a method: everything but its credentials (password, key, client secret). */
export function redactAuth(auth: OutboundAuthConfig | null): Static<typeof EndpointAuthOut> {
  if (auth === null) return { type: 'none' };
  switch (auth.type) {
    case 'basic':
      return { type: 'basic', username: auth.username };
    case 'jwt':
      return withoutUndefined({
        type: 'jwt',
        algorithm: auth.algorithm,
        keyId: auth.keyId,
        issuer: auth.issuer,
        audience: auth.audience,
        subject: auth.subject,
        expiresInSeconds: auth.expiresInSeconds,
        ...(auth.algorithm !== 'HS256' && { publicKey: jwtPublicKey(auth.key) }),
      });
    case 'oauth2':
      return withoutUndefined({
        type: 'oauth2',
        tokenUrl: auth.tokenUrl,
        clientId: auth.clientId,
        scope: auth.scope,
        audience: auth.audience,
        clientAuth: auth.clientAuth,
      });
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
