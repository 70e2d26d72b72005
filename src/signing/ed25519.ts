/**
 * Standard Webhooks asymmetric signatures (`v1a`): Ed25519 over `${webhook-id}.${webhook-timestamp}.${body}`.
 * Herald keeps the secret key (`whsk_` and the base64 of its 32-byte seed); receivers get only the public key
 * (`whpk_` and the base64 of its 32 raw bytes), which can check a signature but cannot make one.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

export const SECRET_KEY_PREFIX = 'whsk_';
export const PUBLIC_KEY_PREFIX = 'whpk_';

/** The DER prefixes that wrap a raw Ed25519 seed (PKCS #8) or public key (SPKI). */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

const privateKeys = new Map<string, KeyObject>();
const KEY_CACHE_LIMIT = 10_000;

export function generateSigningKey(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return SECRET_KEY_PREFIX + der.subarray(PKCS8_PREFIX.length).toString('base64');
}

/** Accepts a `whsk_` key of a 32-byte seed, or of 64 bytes (seed then public key, as libsodium keeps it). */
export function isSigningKey(key: string): boolean {
  if (!key.startsWith(SECRET_KEY_PREFIX)) return false;
  const length = Buffer.from(key.slice(SECRET_KEY_PREFIX.length), 'base64').length;
  return length === 32 || length === 64;
}

function privateKeyOf(secretKey: string): KeyObject {
  let key = privateKeys.get(secretKey);
  if (key === undefined) {
    const seed = Buffer.from(secretKey.slice(SECRET_KEY_PREFIX.length), 'base64').subarray(0, 32);
    if (seed.length !== 32) throw new Error('an Ed25519 secret key holds a 32-byte seed');
    key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    if (privateKeys.size >= KEY_CACHE_LIMIT) privateKeys.clear();
    privateKeys.set(secretKey, key);
  }
  return key;
}

/** The `whpk_` public key that verifies what `secretKey` signs. */
export function publicKeyOf(secretKey: string): string {
  const der = createPublicKey(privateKeyOf(secretKey)).export({ format: 'der', type: 'spki' });
  return PUBLIC_KEY_PREFIX + der.subarray(SPKI_PREFIX.length).toString('base64');
}

/** A `whpk_` public key as a KeyObject; throws when it is not 32 bytes of base64. */
export function publicKeyObject(publicKey: string): KeyObject {
  const raw = Buffer.from(publicKey.replace(PUBLIC_KEY_PREFIX, ''), 'base64');
  if (raw.length !== 32) throw new Error('an Ed25519 public key is 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function signV1a(secretKey: string, msgId: string, timestampSeconds: number, body: string): string {
  const content = Buffer.from(`${msgId}.${timestampSeconds}.${body}`, 'utf8');
  return `v1a,${sign(null, content, privateKeyOf(secretKey)).toString('base64')}`;
}
