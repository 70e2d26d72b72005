/**
 * Verifying a webhook on the receiving side, published as `herald/verify`. It follows Standard Webhooks
 * (https://www.standardwebhooks.com) and agrees with its reference library (the `standardwebhooks` npm
 * package): the same signed content, the same `v1` HMAC-SHA256 signatures, the same 5-minute tolerance. It also
 * checks `v1a` Ed25519 signatures against a `whpk_` public key, and reads `svix-*` headers when `webhook-*`
 * ones are absent. It depends on nothing but `node:crypto` (and `node:zlib` for compressed bodies).
 */
import { createHmac, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { decodeBody } from './content-encoding.js';

export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

const SECRET_PREFIX = 'whsec_';
const PUBLIC_KEY_PREFIX = 'whpk_';
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

/** Request headers as Node's `IncomingHttpHeaders`, a plain object, or a Fetch API `Headers`. */
export type WebhookHeaders =
  Record<string, string | string[] | undefined> | { get(name: string): string | null };

export interface VerifyOptions {
  /** How far the timestamp may be from now, in seconds (default 300). */
  toleranceSeconds?: number;
  /** The current time in milliseconds, for tests. */
  now?: number;
}

function headerReader(headers: WebhookHeaders): (name: string) => string | undefined {
  if (typeof headers.get === 'function') {
    const fetchHeaders = headers as { get(name: string): string | null };
    return (name) => fetchHeaders.get(name) ?? undefined;
  }
  const lower = new Map<string, string>();
  for (const [name, value] of Object.entries(headers as Record<string, string | string[] | undefined>))
    if (value !== undefined) lower.set(name.toLowerCase(), Array.isArray(value) ? value[0]! : value);
  return (name) => lower.get(name);
}

/** The HMAC key of a `whsec_` secret (the prefix is optional, as in the reference library). */
function hmacKey(secret: string): Buffer {
  const key = Buffer.from(
    secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
    'base64',
  );
  if (key.length === 0) throw new Error('the secret is empty');
  return key;
}

function edKey(publicKey: string): KeyObject {
  const raw = Buffer.from(publicKey.slice(PUBLIC_KEY_PREFIX.length), 'base64');
  if (raw.length !== 32) throw new Error('a whpk_ public key is the base64 of 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/**
 * Signs like a sender: `v1,<base64 HMAC-SHA256>` for a `whsec_` secret. The output is byte for byte what the
 * `standardwebhooks` package's `Webhook.sign` gives. Useful for tests of a receiver.
 */
export function signWebhook(secret: string, msgId: string, timestamp: number | Date, body: string): string {
  const seconds = timestamp instanceof Date ? Math.floor(timestamp.getTime() / 1000) : timestamp;
  const mac = createHmac('sha256', hmacKey(secret)).update(`${msgId}.${seconds}.${body}`, 'utf8');
  return `v1,${mac.digest('base64')}`;
}

/**
 * Checks a request's Standard Webhooks headers and returns its body parsed as JSON (`undefined` for an empty
 * body). `keys` is one key or several (during your own rotation): `whsec_` secrets check `v1` signatures,
 * `whpk_` public keys check `v1a` (Ed25519) ones. Pass the body exactly as received, before any JSON parsing.
 * Throws `WebhookVerificationError` on a missing header, a timestamp more than the tolerance (5 minutes) away
 * from now, or no matching signature.
 *
 * Herald signs the uncompressed body. Pass the body your framework decoded, or the raw bytes (a `Buffer`) of a
 * request sent with `Content-Encoding: gzip` or `br` with its headers: when the bytes as given match no
 * signature, the body they decode to is checked.
 */
export function verifyWebhook(
  keys: string | readonly string[],
  headers: WebhookHeaders,
  body: string | Buffer,
  options: VerifyOptions = {},
): unknown {
  try {
    return verifySigned(keys, headers, body, options);
  } catch (error) {
    const decoded =
      error instanceof WebhookVerificationError && error.message === NO_MATCH
        ? decodeBody(headerReader(headers)('content-encoding'), body)
        : null;
    if (decoded === null) throw error;
    return verifySigned(keys, headers, decoded, options);
  }
}

const NO_MATCH = 'no matching signature';

function verifySigned(
  keys: string | readonly string[],
  headers: WebhookHeaders,
  body: string | Buffer,
  options: VerifyOptions,
): unknown {
  const read = headerReader(headers);
  const header = (name: string) => read(`webhook-${name}`) ?? read(`svix-${name}`);
  const id = header('id');
  const timestamp = header('timestamp');
  const signatures = header('signature');
  if (!id || !timestamp || !signatures)
    throw new WebhookVerificationError('missing webhook-id, -timestamp or -signature');
  if (!/^\d+$/.test(timestamp.trim())) throw new WebhookVerificationError('invalid webhook-timestamp');
  const seconds = Number(timestamp.trim());
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (now - seconds > tolerance) throw new WebhookVerificationError('message timestamp too old');
  if (seconds > now + tolerance) throw new WebhookVerificationError('message timestamp too new');

  const text = typeof body === 'string' ? body : body.toString('utf8');
  const content = Buffer.from(`${id}.${seconds}.${text}`, 'utf8');
  const given = signatures.split(' ').map((entry) => {
    const comma = entry.indexOf(',');
    return comma < 0
      ? { version: entry, value: '' }
      : { version: entry.slice(0, comma), value: entry.slice(comma + 1) };
  });
  for (const key of typeof keys === 'string' ? [keys] : keys) {
    if (key.startsWith(PUBLIC_KEY_PREFIX)) {
      const publicKey = edKey(key);
      for (const { version, value } of given)
        if (version === 'v1a' && verify(null, content, publicKey, Buffer.from(value, 'base64')))
          return parsed(text);
      continue;
    }
    // Compared as base64 text, as the reference library does, so both accept exactly the same headers.
    const expected = Buffer.from(createHmac('sha256', hmacKey(key)).update(content).digest('base64'));
    for (const { version, value } of given) {
      if (version !== 'v1') continue;
      const candidate = Buffer.from(value);
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) return parsed(text);
    }
  }
  throw new WebhookVerificationError(NO_MATCH);
}

function parsed(text: string): unknown {
  return text === '' ? undefined : JSON.parse(text);
}
