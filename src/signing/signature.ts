/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com). The signed content is
 * `${webhook-id}.${webhook-timestamp}.${body}`; the signature is `v1,` and the base64 HMAC-SHA256 of it, keyed
 * with the base64-decoded part of the `whsec_` secret. During a rotation every live secret signs, space
 * separated, so a receiver holding either secret accepts the request.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SECRET_PREFIX } from './secrets.js';

/** Decoded secrets are cached: decoding is cheap, but it would run once per delivery per secret. */
const keyCache = new Map<string, Buffer>();
const KEY_CACHE_LIMIT = 50_000;

export function secretKey(secret: string): Buffer {
  let key = keyCache.get(secret);
  if (key === undefined) {
    key = Buffer.from(
      secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
      'base64',
    );
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
    keyCache.set(secret, key);
  }
  return key;
}

export function signV1(secret: string, msgId: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret));
  mac.update(`${msgId}.${timestampSeconds}.`);
  mac.update(body);
  return `v1,${mac.digest('base64')}`;
}

/** The `webhook-signature` header value for a body signed by every given secret. */
export function signatureHeader(
  secrets: readonly string[],
  msgId: string,
  timestampSeconds: number,
  body: string,
) {
  return secrets.map((secret) => signV1(secret, msgId, timestampSeconds, body)).join(' ');
}

export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

/**
 * For receivers: checks a request's Standard Webhooks headers against a secret and returns the parsed body.
 * It rejects a missing header, a timestamp outside the tolerance, and a signature that does not match.
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  options: { toleranceSeconds?: number; now?: number } = {},
): unknown {
  const header = (name: string) => {
    const value = headers[`webhook-${name}`] ?? headers[`svix-${name}`];
    return Array.isArray(value) ? value[0] : value;
  };
  const id = header('id');
  const timestamp = header('timestamp');
  const signatures = header('signature');
  if (!id || !timestamp || !signatures)
    throw new WebhookVerificationError('missing webhook-id, -timestamp or -signature');
  const seconds = Number(timestamp);
  if (!Number.isInteger(seconds)) throw new WebhookVerificationError('invalid webhook-timestamp');
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(now - seconds) > tolerance)
    throw new WebhookVerificationError('timestamp outside the tolerance');
  const expected = Buffer.from(signV1(secret, id, seconds, body).slice(3), 'base64');
  for (const candidate of signatures.split(' ')) {
    const [version, value] = candidate.split(',');
    if (version !== 'v1' || value === undefined) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return JSON.parse(body);
  }
  throw new WebhookVerificationError('no matching signature');
}
