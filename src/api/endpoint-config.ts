/**
 * Checks and conversions for endpoint settings that the JSON Schema alone cannot express: the URL's scheme and
 * destination, custom header names and values, and the event-type filter against the catalogue.
 */
import type { Config } from '../config/config.js';
import { blockedHostReason } from '../security/ssrf.js';
export { isSensitiveHeader } from '../security/redact.js';
import { generateSigningKey } from '../signing/ed25519.js';
import { generateSecret, normaliseSecret, type EndpointSecret } from '../signing/secrets.js';
import type { Store } from '../store/index.js';
import type { Vault } from '../security/vault.js';
import { unprocessable } from './errors.js';

export function checkEndpointUrl(raw: string, config: Config): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw unprocessable(
      `body.url "${raw.slice(0, 100)}" is not a URL; send an absolute http:// or https:// URL`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw unprocessable(`body.url must use http:// or https://, not ${url.protocol}//`);
  const blocked = blockedHostReason(url.hostname, config.ssrfAllow);
  if (blocked !== null)
    throw unprocessable(
      `body.url points at ${url.hostname} (${blocked}), which Herald does not deliver to; use a public address, ` +
        'or have the operator allow the range in HERALD_SSRF_ALLOW_CIDRS',
    );
  return url.toString();
}

export async function checkEventTypes(store: Store, names: string[] | null | undefined): Promise<void> {
  if (!names) return;
  const active = await store.eventTypeFindActive(names);
  const unknown = names.filter((name) => !active.has(name));
  if (unknown.length > 0)
    throw unprocessable(
      `body.eventTypes names event types that are not in the catalogue: ${unknown.join(', ')}; ` +
        'create them first (POST /api/v1/event-type) or fix the names',
    );
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Headers Herald sets itself, or that belong to the connection; an endpoint cannot override them. */
const RESERVED = new Set([
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-connection',
]);
const RESERVED_PREFIXES = ['webhook-', 'svix-'];

export function checkHeaders(headers: Record<string, string | null>): void {
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!TOKEN.test(name)) throw unprocessable(`headers: "${name.slice(0, 100)}" is not a valid header name`);
    if (RESERVED.has(lower) || RESERVED_PREFIXES.some((prefix) => lower.startsWith(prefix)))
      throw unprocessable(`headers: "${name}" is set by Herald itself and cannot be overridden`);
    if (value !== null && /[\r\n\0]/.test(value))
      throw unprocessable(`headers: the value of "${name}" must not contain line breaks or NUL characters`);
  }
}

/** How many previous (expiring) signing secrets an endpoint keeps beside its current one. */
export const MAX_PREVIOUS_SECRETS = 5;

/** Sealed storage for an endpoint's custom headers and signing secrets. */
export class EndpointSecrets {
  constructor(private readonly vault: Vault) {}

  sealHeaders(headers: Record<string, string>): string {
    return this.vault.sealJson(headers);
  }

  openHeaders(sealed: string): Record<string, string> {
    return this.vault.openJson(sealed);
  }

  /** A fresh secret list: the given secret, or a generated one. */
  sealNewSecret(secret: string | null | undefined): string {
    return this.vault.sealJson([
      { key: secret ? normaliseSecret(secret) : generateSecret(), expiresAt: null },
    ]);
  }

  openSecrets(sealed: string, now = Date.now()): EndpointSecret[] {
    return this.vault
      .openJson<EndpointSecret[]>(sealed)
      .filter((secret) => secret.expiresAt === null || secret.expiresAt > now);
  }

  /**
   * Makes `next` current; the previous current secret keeps signing until the grace period ends. At most
   * {@link MAX_PREVIOUS_SECRETS} previous secrets are kept: rotating again drops the oldest, even before its
   * grace period ends, so rapid rotations cannot make every delivery carry a pile of signatures.
   */
  rotate(sealed: string, next: string | null | undefined, graceMs: number, now = Date.now()): string {
    const current = next ? normaliseSecret(next) : generateSecret();
    return this.vault.sealJson(rotated(this.openSecrets(sealed, now), current, graceMs, now));
  }

  /** A fresh Ed25519 signing key list. */
  sealNewSigningKey(): string {
    return this.vault.sealJson([{ key: generateSigningKey(), expiresAt: null }]);
  }

  /** The live Ed25519 secret keys (`whsk_…`), current first; empty when the endpoint has none. */
  openSigningKeys(sealed: string | null, now = Date.now()): EndpointSecret[] {
    return sealed === null ? [] : this.openSecrets(sealed, now);
  }

  /** Rotates the Ed25519 key as {@link rotate} rotates secrets: the previous key signs during the grace period. */
  rotateSigningKey(sealed: string | null, graceMs: number, now = Date.now()): string {
    return this.vault.sealJson(
      rotated(this.openSigningKeys(sealed, now), generateSigningKey(), graceMs, now),
    );
  }
}

/** A key list with `current` first and the live previous ones after it, each expiring at the end of its grace. */
function rotated(live: EndpointSecret[], current: string, graceMs: number, now: number): EndpointSecret[] {
  // The list is newest first: the current key, then the previous ones in the order they were replaced.
  const previous = live
    .map((secret) => ({ ...secret, expiresAt: secret.expiresAt ?? now + graceMs }))
    .filter((secret) => secret.expiresAt > now)
    .slice(0, MAX_PREVIOUS_SECRETS);
  return [{ key: current, expiresAt: null }, ...previous];
}
