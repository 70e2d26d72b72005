/**
 * An endpoint's security settings as its create, PUT and PATCH routes handle them: which signatures it gets,
 * and the audit records for changing them. Credentials and IP rules have routes of their own.
 */
import type { Endpoint, EndpointChanges, SignatureVersion } from '../store/index.js';
import { SECRET_KEY_PREFIX } from '../signing/ed25519.js';
import type { Audit } from './audit.js';
import type { EndpointSecrets } from '../signing/secrets.js';

/**
 * A new endpoint has an Ed25519 key from the start, so its public key can be handed out before `v1a` is on.
 * Without `signatureVersions` it signs with the server's default kind (HERALD_DEFAULT_SIGNATURE_TYPE).
 */
export function newEndpointSigning(
  versions: SignatureVersion[] | undefined,
  secrets: EndpointSecrets,
  defaultVersion: SignatureVersion = 'v1',
) {
  return { signatureVersions: versions ?? [defaultVersion], signingKeysSealed: secrets.sealNewSigningKey() };
}

/** Whether the endpoint's current key is an Ed25519 one: it sends `v1a` signatures only. */
export function signsWithEd25519Only(endpoint: Endpoint): boolean {
  return endpoint.signatureVersions.length === 1 && endpoint.signatureVersions[0] === 'v1a';
}

/**
 * Svix's secret rotation over Herald's two key lists. `next` is a `whsec_` secret, a `whsk_` Ed25519 key, or
 * null for a new key of the kind the endpoint signs with now. Rotating to the other kind switches the
 * endpoint's `signatureVersions` to it and rotates the old kind's list too, so its current key keeps signing
 * through the grace period (targets.ts signs with a switched-off kind's retiring keys) and then stops.
 */
export function rotateEndpointKey(
  secrets: EndpointSecrets,
  endpoint: Endpoint,
  next: string | null,
  graceMs: number,
): EndpointChanges {
  const toEd25519 = next === null ? signsWithEd25519Only(endpoint) : next.startsWith(SECRET_KEY_PREFIX);
  const versions = endpoint.signatureVersions;
  if (toEd25519) {
    const signingKeysSealed = secrets.rotateSigningKey(endpoint.signingKeysSealed, graceMs, undefined, next);
    if (!versions.includes('v1') || versions.includes('v1a')) return { signingKeysSealed };
    return {
      signingKeysSealed,
      secretsSealed: secrets.rotate(endpoint.secretsSealed, null, graceMs),
      signatureVersions: ['v1a'],
    };
  }
  const secretsSealed = secrets.rotate(endpoint.secretsSealed, next, graceMs);
  if (!signsWithEd25519Only(endpoint)) return { secretsSealed };
  return {
    secretsSealed,
    signingKeysSealed: secrets.rotateSigningKey(endpoint.signingKeysSealed, graceMs),
    signatureVersions: ['v1'],
  };
}

/**
 * The change to an existing endpoint's signatures. Omitted means unchanged, on PUT too: an SDK that does not
 * know the field must not switch a receiver's signature scheme. An endpoint made before Ed25519 existed gets
 * its key when `v1a` is first asked for. A version switched off here stops at once: its rotated-out keys,
 * which would otherwise sign through their grace period (see {@link rotateEndpointKey}), are dropped.
 */
export function changedEndpointSigning(
  versions: SignatureVersion[] | undefined,
  existing: Endpoint,
  secrets: EndpointSecrets,
): Pick<EndpointChanges, 'signatureVersions' | 'signingKeysSealed' | 'secretsSealed'> {
  if (versions === undefined) return {};
  const signingKeys = existing.signingKeysSealed;
  const switchedOff = (version: SignatureVersion) =>
    existing.signatureVersions.includes(version) && !versions.includes(version);
  return {
    signatureVersions: versions,
    ...(versions.includes('v1a') &&
      signingKeys === null && { signingKeysSealed: secrets.sealNewSigningKey() }),
    ...(switchedOff('v1a') &&
      signingKeys !== null && { signingKeysSealed: secrets.dropRetiring(signingKeys) }),
    ...(switchedOff('v1') && { secretsSealed: secrets.dropRetiring(existing.secretsSealed) }),
  };
}

export async function auditSigningChange(
  audit: Audit,
  request: Parameters<Audit['record']>[0],
  before: Endpoint,
  after: Endpoint,
): Promise<void> {
  if (before.signatureVersions.join() === after.signatureVersions.join()) return;
  await audit.recordEndpoint(request, 'endpoint.signature_versions.changed', after, {
    before: { signatureVersions: before.signatureVersions },
    after: { signatureVersions: after.signatureVersions },
  });
}
