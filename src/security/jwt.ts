/**
 * Compact JWS (JWT) signing with node:crypto, for the Bearer JWT outbound authentication method. Three
 * algorithms: HS256 (a shared secret, used as its UTF-8 bytes as most JWT libraries do), RS256 (an RSA private
 * key of at least 2048 bits, PEM) and EdDSA (an Ed25519 private key, PEM).
 */
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';

export const JWT_ALGORITHMS = ['HS256', 'RS256', 'EdDSA'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

const keyCache = new Map<string, KeyObject>();
const KEY_CACHE_LIMIT = 10_000;

function privateKey(pem: string): KeyObject {
  let key = keyCache.get(pem);
  if (key === undefined) {
    key = createPrivateKey(pem);
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
    keyCache.set(pem, key);
  }
  return key;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signJwt(
  algorithm: JwtAlgorithm,
  key: string,
  claims: Record<string, unknown>,
  keyId?: string,
): string {
  const header = { alg: algorithm, typ: 'JWT', ...(keyId !== undefined && { kid: keyId }) };
  const input = `${encode(header)}.${encode(claims)}`;
  const signature =
    algorithm === 'HS256'
      ? createHmac('sha256', Buffer.from(key, 'utf8')).update(input).digest()
      : sign(algorithm === 'RS256' ? 'sha256' : null, Buffer.from(input), privateKey(key));
  return `${input}.${signature.toString('base64url')}`;
}

/** A new key for `algorithm`: 32 random bytes as base64url text for HS256, a PEM private key otherwise. */
export function generateJwtKey(algorithm: JwtAlgorithm): string {
  if (algorithm === 'HS256') return randomBytes(32).toString('base64url');
  const { privateKey: generated } =
    algorithm === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ed25519');
  return generated.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/**
 * Checks that `key` suits `algorithm` and returns why not, or null. HS256 secrets need 32 characters at least
 * (RFC 7518 asks for a key as long as the hash); RS256 needs an RSA key of 2048 bits or more; EdDSA an Ed25519
 * key.
 */
export function jwtKeyProblem(algorithm: JwtAlgorithm, key: string): string | null {
  if (algorithm === 'HS256') return key.length >= 32 ? null : 'an HS256 key needs at least 32 characters';
  let parsed: KeyObject;
  try {
    parsed = createPrivateKey(key);
  } catch {
    return 'the key is not a PEM private key';
  }
  if (algorithm === 'RS256') {
    if (parsed.asymmetricKeyType !== 'rsa') return 'RS256 needs an RSA private key';
    if ((parsed.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
      return 'RS256 needs a key of 2048 bits or more';
    return null;
  }
  return parsed.asymmetricKeyType === 'ed25519' ? null : 'EdDSA needs an Ed25519 private key';
}

/** The PEM public key that verifies tokens signed with the private key `key`. */
export function jwtPublicKey(key: string): string {
  return createPublicKey(privateKey(key)).export({ format: 'pem', type: 'spki' }).toString();
}
