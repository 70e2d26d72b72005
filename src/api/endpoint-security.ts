/**
 * An endpoint's security settings as its create, PUT and PATCH routes handle them: which signatures it gets,
 * and the audit records for changing them. Credentials and IP rules have routes of their own.
 */
import type { Endpoint, EndpointChanges, SignatureVersion } from '../store/index.js';
import type { Audit } from './audit.js';
import type { EndpointSecrets } from '../signing/secrets.js';

/** A new endpoint has an Ed25519 key from the start, so its public key can be handed out before `v1a` is on. */
export function newEndpointSigning(versions: SignatureVersion[] | undefined, secrets: EndpointSecrets) {
  return { signatureVersions: versions ?? ['v1'], signingKeysSealed: secrets.sealNewSigningKey() };
}

/**
 * The change to an existing endpoint's signatures. Omitted means unchanged, on PUT too: an SDK that does not
 * know the field must not switch a receiver's signature scheme. An endpoint made before Ed25519 existed gets
 * its key when `v1a` is first asked for.
 */
export function changedEndpointSigning(
  versions: SignatureVersion[] | undefined,
  existing: Endpoint,
  secrets: EndpointSecrets,
): Pick<EndpointChanges, 'signatureVersions' | 'signingKeysSealed'> {
  if (versions === undefined) return {};
  return {
    signatureVersions: versions,
    ...(versions.includes('v1a') &&
      existing.signingKeysSealed === null && { signingKeysSealed: secrets.sealNewSigningKey() }),
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
