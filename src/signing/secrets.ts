/**
 * Standard Webhooks signing secrets: `whsec_` followed by base64 of 24–64 random bytes. Users may supply their
 * own, with or without the prefix, as the Svix contract allows.
 */
import { randomBytes } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';
export const GENERATED_SECRET_BYTES = 24;
/** The Svix contract's pattern for a user-supplied secret. */
export const SECRET_PATTERN = '^(whsec_)?[a-zA-Z0-9+/=]{32,100}$';

export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(GENERATED_SECRET_BYTES).toString('base64');
}

/** Brings a user-supplied secret to the canonical `whsec_…` form. */
export function normaliseSecret(secret: string): string {
  return secret.startsWith(SECRET_PREFIX) ? secret : SECRET_PREFIX + secret;
}

/** A signing secret of an endpoint. The current secret has no expiry; rotated-out ones expire. */
export interface EndpointSecret {
  key: string;
  expiresAt: number | null;
}
