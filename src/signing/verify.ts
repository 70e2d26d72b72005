/**
 * Verifying a webhook on the receiving side, published as `herald/verify`. It follows Standard Webhooks
 * (https://www.standardwebhooks.com) and agrees with its reference library (the `standardwebhooks` npm
 * package): the same signed content, the same `v1` HMAC-SHA256 signatures, the same 5-minute tolerance. It also
 * checks `v1a` Ed25519 signatures against a `whpk_` public key, and reads `svix-*` headers when `webhook-*`
 * ones are absent. It depends on nothing but `node:crypto` (and `node:zlib` for compressed bodies).
 *
 * A signature covers the body's bytes, whatever their format: JSON, XML, form encoding or text. Verification
 * runs in four steps, one function each: read the headers, check the timestamp, take the signed bytes of the
 * body, then look for a signature that matches. Only {@link verifyWebhookJson} (and the older
 * {@link verifyWebhook}, for a JSON body) parses anything, and only after the signature held.
 */
import { createHmac, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { decodeBody } from './content-encoding.js';

export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

const SECRET_PREFIX = 'whsec_';
const PUBLIC_KEY_PREFIX = 'whpk_';
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Why a request did not verify; stable values a program can branch on. */
export type VerificationFailure =
  | 'missing_header'
  | 'invalid_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_too_new'
  | 'no_matching_signature';

export class WebhookVerificationError extends Error {
  constructor(
    message: string,
    /** Why the request did not verify. */
    readonly reason: VerificationFailure,
  ) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

/** Request headers as Node's `IncomingHttpHeaders`, a plain object, or a Fetch API `Headers`. */
export type WebhookHeaders =
  Record<string, string | string[] | undefined> | { get(name: string): string | null };

export interface VerifyOptions {
  /** How far the timestamp may be from now, in seconds (default 300). `Infinity` skips the check. */
  toleranceSeconds?: number;
  /** The current time in milliseconds, for tests. */
  now?: number;
}

/** The Standard Webhooks headers of a request (`webhook-*`, or `svix-*` when those are absent). */
export interface WebhookIdentity {
  /** `webhook-id`: the message id, the same on every retry of a message. */
  id: string;
  /** `webhook-timestamp`, in seconds since the Unix epoch. */
  timestamp: number;
  /** `webhook-signature`: the space-separated signatures, `v1,…` and/or `v1a,…`. */
  signatures: string;
}

/** Returns a case-insensitive reader of one header (the first value when repeated). */
export function headerReader(headers: WebhookHeaders): (name: string) => string | undefined {
  if (typeof headers.get === 'function') {
    const fetchHeaders = headers as { get(name: string): string | null };
    return (name) => fetchHeaders.get(name) ?? undefined;
  }
  const lower = new Map<string, string>();
  for (const [name, value] of Object.entries(headers as Record<string, string | string[] | undefined>))
    if (value !== undefined) lower.set(name.toLowerCase(), Array.isArray(value) ? value[0]! : value);
  return (name) => lower.get(name);
}

/** Step 1: the request's id, timestamp and signatures. Throws when one is missing or the timestamp is not a number. */
export function webhookIdentity(headers: WebhookHeaders): WebhookIdentity {
  const read = headerReader(headers);
  const header = (name: string) => read(`webhook-${name}`) ?? read(`svix-${name}`);
  const id = header('id');
  const timestamp = header('timestamp');
  const signatures = header('signature');
  const missing = [
    ...(id ? [] : ['webhook-id']),
    ...(timestamp ? [] : ['webhook-timestamp']),
    ...(signatures ? [] : ['webhook-signature']),
  ];
  if (missing.length > 0)
    throw new WebhookVerificationError(`missing header ${missing.join(', ')}`, 'missing_header');
  if (!/^\d+$/.test(timestamp!.trim()))
    throw new WebhookVerificationError('invalid webhook-timestamp', 'invalid_timestamp');
  return { id: id!, timestamp: Number(timestamp!.trim()), signatures: signatures! };
}

/** Step 2: the timestamp lies within the tolerance of now, so that an old request cannot be replayed. */
function checkTimestamp(seconds: number, options: VerifyOptions): void {
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (now - seconds > tolerance)
    throw new WebhookVerificationError('message timestamp too old', 'timestamp_too_old');
  if (seconds > now + tolerance)
    throw new WebhookVerificationError('message timestamp too new', 'timestamp_too_new');
}

/**
 * Step 3: the bytes the signature may cover. First the body exactly as received (a string is taken as UTF-8,
 * which is how Herald sends text). Herald signs the uncompressed body, so for the raw bytes of a request sent
 * with `Content-Encoding: gzip` or `br`, the bytes they decode to come second.
 */
function signedBytes(body: string | Uint8Array, headers: WebhookHeaders): Buffer[] {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  const decoded =
    typeof body === 'string' ? null : decodeBody(headerReader(headers)('content-encoding'), bytes);
  return decoded === null ? [bytes] : [bytes, decoded];
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

/** Step 4: whether one of `keys` made one of the signatures over `id.timestamp.bytes`. */
function signedBy(keys: string | readonly string[], identity: WebhookIdentity, bytes: Buffer): boolean {
  const content = Buffer.concat([Buffer.from(`${identity.id}.${identity.timestamp}.`, 'utf8'), bytes]);
  const given = identity.signatures.split(' ').map((entry) => {
    const comma = entry.indexOf(',');
    return comma < 0
      ? { version: entry, value: '' }
      : { version: entry.slice(0, comma), value: entry.slice(comma + 1) };
  });
  for (const key of typeof keys === 'string' ? [keys] : keys) {
    if (key.startsWith(PUBLIC_KEY_PREFIX)) {
      const publicKey = edKey(key);
      for (const { version, value } of given)
        if (version === 'v1a' && verify(null, content, publicKey, Buffer.from(value, 'base64'))) return true;
      continue;
    }
    // Compared as base64 text, as the reference library does, so both accept exactly the same headers.
    const expected = Buffer.from(createHmac('sha256', hmacKey(key)).update(content).digest('base64'));
    for (const { version, value } of given) {
      if (version !== 'v1') continue;
      const candidate = Buffer.from(value);
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) return true;
    }
  }
  return false;
}

/**
 * Signs like a sender: `v1,<base64 HMAC-SHA256>` for a `whsec_` secret. The output is byte for byte what the
 * `standardwebhooks` package's `Webhook.sign` gives. Useful for tests of a receiver.
 */
export function signWebhook(
  secret: string,
  msgId: string,
  timestamp: number | Date,
  body: string | Uint8Array,
): string {
  const seconds = timestamp instanceof Date ? Math.floor(timestamp.getTime() / 1000) : timestamp;
  const mac = createHmac('sha256', hmacKey(secret)).update(`${msgId}.${seconds}.`, 'utf8');
  mac.update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  return `v1,${mac.digest('base64')}`;
}

/**
 * Checks a request's Standard Webhooks headers against its raw body, whatever the body's format (JSON, XML,
 * form encoding, text), and returns the body as text, unparsed. `keys` is one key or several (during your own
 * rotation): `whsec_` secrets check `v1` signatures, `whpk_` public keys check `v1a` (Ed25519) ones. Pass the
 * body exactly as received (a `Buffer` from a raw body parser, or the text): for a request sent with
 * `Content-Encoding: gzip` or `br`, either the body your framework decoded or the raw compressed bytes with the
 * request's headers, whose decoded body is then returned. Throws
 * {@link WebhookVerificationError} (with its `reason`) on a missing header, a timestamp more than the tolerance
 * (5 minutes) away from now, or no matching signature.
 */
export function verifyWebhookBody(
  keys: string | readonly string[],
  headers: WebhookHeaders,
  body: string | Uint8Array,
  options: VerifyOptions = {},
): string {
  const identity = webhookIdentity(headers);
  checkTimestamp(identity.timestamp, options);
  const bytes = signedBytes(body, headers).find((candidate) => signedBy(keys, identity, candidate));
  if (bytes === undefined)
    throw new WebhookVerificationError('no matching signature', 'no_matching_signature');
  // The text of the bytes the signature covers, so that what a caller reads is exactly what was verified.
  return bytes.toString('utf8');
}

/**
 * {@link verifyWebhookBody}, then `JSON.parse` of the verified body (`undefined` for an empty body), for an
 * endpoint that receives Herald's standard JSON. A body that is not JSON throws a `SyntaxError`: its signature
 * held, so it is not a verification failure.
 */
export function verifyWebhookJson<T = unknown>(
  keys: string | readonly string[],
  headers: WebhookHeaders,
  body: string | Uint8Array,
  options: VerifyOptions = {},
): T {
  const text = verifyWebhookBody(keys, headers, body, options);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/**
 * The first API, kept for existing receivers: {@link verifyWebhookBody}, then the body parsed as JSON when the
 * request's `content-type` is JSON (`application/json`, `…+json`) or absent, and the body as text otherwise
 * (XML, form encoding, text). New code reads better with `verifyWebhookBody` or `verifyWebhookJson`.
 */
export function verifyWebhook(
  keys: string | readonly string[],
  headers: WebhookHeaders,
  body: string | Uint8Array,
  options: VerifyOptions = {},
): unknown {
  const text = verifyWebhookBody(keys, headers, body, options);
  const contentType = headerReader(headers)('content-type');
  const json = contentType === undefined || /^application\/([\w.-]+\+)?json\b/i.test(contentType.trim());
  if (!json) return text;
  return text === '' ? undefined : JSON.parse(text);
}
