import type { Migration } from './types.js';

/**
 * Security controls: Ed25519 signing keys and outbound credentials per endpoint (sealed, like secrets),
 * allowed destination networks per application and endpoint, allowed client networks and a rate limit per API
 * key, and an index for reading the audit log by action.
 */
export const security: Migration = {
  version: 3,
  name: 'security',
  statements() {
    return [
      // JSON array of signature versions to send: ["v1"] (HMAC, the default), ["v1a"] (Ed25519) or both.
      `alter table endpoint add column signature_versions text`,
      // Encrypted JSON array of Ed25519 key pairs: the current one first, then rotated-out ones until they expire.
      `alter table endpoint add column signing_keys_sealed text`,
      // Encrypted JSON of the outbound authentication method (basic, JWT, OAuth2 client credentials).
      `alter table endpoint add column auth_sealed text`,
      // JSON arrays of CIDRs that deliveries may connect to; null means no restriction beyond the SSRF guard.
      `alter table endpoint add column allowed_destination_cidrs text`,
      `alter table application add column allowed_destination_cidrs text`,
      // JSON array of CIDRs that may use the key; null means anywhere.
      `alter table api_key add column allowed_client_cidrs text`,
      // Requests per second for this key; null means the server default.
      `alter table api_key add column rate_limit integer`,
      `create index audit_log_by_action on audit_log (action, id)`,
    ];
  },
};
