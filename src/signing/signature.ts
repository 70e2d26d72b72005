/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com). The signed content is
 * `${webhook-id}.${webhook-timestamp}.${body}`; the signature is `v1,` and the base64 HMAC-SHA256 of it, keyed
 * with the base64-decoded part of the `whsec_` secret. During a rotation every live secret signs, space
 * separated, so a receiver holding either secret accepts the request.
 */
import { createHmac } from 'node:crypto';
import { SECRET_KEY_PREFIX, signV1a } from './ed25519.js';
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

/** One signature: `v1` (HMAC) with a `whsec_` secret, `v1a` (Ed25519) with a `whsk_` secret key. */
export function sign(key: string, msgId: string, timestampSeconds: number, body: string): string {
  return key.startsWith(SECRET_KEY_PREFIX)
    ? signV1a(key, msgId, timestampSeconds, body)
    : signV1(key, msgId, timestampSeconds, body);
}

/**
 * The `webhook-signature` header value for a body signed by every given key: `whsec_` secrets sign `v1`,
 * `whsk_` Ed25519 keys sign `v1a`, space separated.
 */
export function signatureHeader(
  keys: readonly string[],
  msgId: string,
  timestampSeconds: number,
  body: string,
) {
  return keys.map((key) => sign(key, msgId, timestampSeconds, body)).join(' ');
}

// The receiver's side lives in verify.ts, published as `herald/verify`; these names stay importable from here.
export { DEFAULT_TOLERANCE_SECONDS, verifyWebhook, WebhookVerificationError } from './verify.js';
