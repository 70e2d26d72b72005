/**
 * An endpoint's signing material and its sealed format. Two kinds of key sign deliveries: `whsec_` secrets
 * (HMAC, signature `v1`) and `whsk_` Ed25519 keys (`v1a`). Each kind is stored as one sealed list
 * `{ key, expiresAt }[]`, newest first: the current key has no expiry; keys rotated out keep signing until
 * theirs, so receivers can switch over without downtime. This module is the only one that knows that format:
 * the API seals and rotates through it, and the delivery worker and the operator endpoint read and seal through
 * it.
 *
 * `whsec_` secrets are followed by base64 of 24–64 random bytes. Users may supply their own, with or without the
 * prefix, as the Svix contract allows.
 */
import { randomBytes } from 'node:crypto';
import { generateSigningKey } from './ed25519.js';

export const SECRET_PREFIX = 'whsec_';
export const GENERATED_SECRET_BYTES = 24;
/** The Svix contract's pattern for a user-supplied secret. */
export const SECRET_PATTERN = '^(whsec_)?[a-zA-Z0-9+/=]{32,100}$';
/** How many previous keys of each kind may still be signing beside the current one (Svix: 10). */
export const MAX_PREVIOUS_SECRETS = 10;

/**
 * A rotation refused because it would leave more than {@link MAX_PREVIOUS_SECRETS} previous keys signing: as in
 * Svix, an old key must not stop signing inside its grace period. `nextExpiry` is when the oldest one expires.
 */
export class RotationLimitReached extends Error {
  constructor(readonly nextExpiry: number) {
    super(`at most ${MAX_PREVIOUS_SECRETS} previous keys may be signing at once`);
    this.name = 'RotationLimitReached';
  }
}

export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(GENERATED_SECRET_BYTES).toString('base64');
}

/** Brings a user-supplied secret to the canonical `whsec_…` form. */
export function normaliseSecret(secret: string): string {
  return secret.startsWith(SECRET_PREFIX) ? secret : SECRET_PREFIX + secret;
}

/** A signing key of an endpoint. The current key has no expiry; rotated-out ones expire. */
export interface EndpointSecret {
  key: string;
  expiresAt: number | null;
}

/** Encrypts and decrypts JSON: the vault, seen from here (signing sits below the security layer). */
export interface Sealer {
  sealJson(value: unknown): string;
  openJson<T>(sealed: string): T;
}

/** Sealed storage for an endpoint's signing secrets and keys, and for its custom headers. */
export class EndpointSecrets {
  constructor(private readonly sealer: Sealer) {}

  sealHeaders(headers: Record<string, string>): string {
    return this.sealer.sealJson(headers);
  }

  openHeaders(sealed: string): Record<string, string> {
    return this.sealer.openJson(sealed);
  }

  /** A fresh secret list: the given secret, or a generated one. */
  sealNewSecret(secret?: string | null): string {
    return this.#seal([{ key: secret ? normaliseSecret(secret) : generateSecret(), expiresAt: null }]);
  }

  /** The live secrets (or Ed25519 keys) of a sealed list, current first; empty when there is no list. */
  openSecrets(sealed: string | null, now = Date.now()): EndpointSecret[] {
    if (sealed === null) return [];
    return this.sealer
      .openJson<EndpointSecret[]>(sealed)
      .filter((secret) => secret.expiresAt === null || secret.expiresAt > now);
  }

  /** The keys that sign now, current first: what a delivery is signed with. */
  liveKeys(sealed: string | null, now = Date.now()): string[] {
    return this.openSecrets(sealed, now).map((secret) => secret.key);
  }

  /**
   * The rotated-out keys still in their grace period. They keep signing after the endpoint switched to the
   * other kind of key (an HMAC secret to an Ed25519 key or back), as Svix's single key list does.
   */
  retiringKeys(sealed: string | null, now = Date.now()): string[] {
    return this.openSecrets(sealed, now)
      .filter((secret) => secret.expiresAt !== null)
      .map((secret) => secret.key);
  }

  /**
   * Makes `next` (or a generated secret) current; the previous current secret keeps signing until the grace
   * period ends. At most {@link MAX_PREVIOUS_SECRETS} previous secrets may be signing: a rotation that would
   * make one more throws {@link RotationLimitReached}, so rapid rotations can neither make every delivery carry
   * a pile of signatures nor cut a secret's grace period short.
   */
  rotate(sealed: string, next: string | null | undefined, graceMs: number, now = Date.now()): string {
    const current = next ? normaliseSecret(next) : generateSecret();
    return this.#seal(rotated(this.openSecrets(sealed, now), current, graceMs, now));
  }

  /** The list with only its current key: the rotated-out ones stop signing at once. */
  dropRetiring(sealed: string, now = Date.now()): string {
    return this.#seal(this.openSecrets(sealed, now).filter((secret) => secret.expiresAt === null));
  }

  /** A fresh Ed25519 signing key list. */
  sealNewSigningKey(): string {
    return this.#seal([{ key: generateSigningKey(), expiresAt: null }]);
  }

  /**
   * Rotates the Ed25519 key as {@link rotate} rotates secrets, to `next` (a `whsk_` key) or a generated one:
   * the previous key signs during the grace period.
   */
  rotateSigningKey(sealed: string | null, graceMs: number, now = Date.now(), next?: string | null): string {
    return this.#seal(rotated(this.openSecrets(sealed, now), next ?? generateSigningKey(), graceMs, now));
  }

  #seal(list: EndpointSecret[]): string {
    return this.sealer.sealJson(list);
  }
}

/** A key list with `current` first and the live previous ones after it, each expiring at the end of its grace. */
function rotated(live: EndpointSecret[], current: string, graceMs: number, now: number): EndpointSecret[] {
  // The list is newest first: the current key, then the previous ones in the order they were replaced.
  const previous = live
    .map((secret) => ({ ...secret, expiresAt: secret.expiresAt ?? now + graceMs }))
    .filter((secret) => secret.expiresAt > now);
  if (previous.length > MAX_PREVIOUS_SECRETS)
    throw new RotationLimitReached(Math.min(...previous.map((secret) => secret.expiresAt)));
  return [{ key: current, expiresAt: null }, ...previous];
}
