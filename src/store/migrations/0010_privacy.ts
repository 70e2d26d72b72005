import type { Migration } from './types.js';

/**
 * Privacy controls. A message's payload may expire (`payload_expires_at`, from its `payloadRetentionPeriod` or
 * `payloadRetentionHours`, or its application's default): the retention pruner removes it once that time has
 * passed and no delivery of the message is still pending. An application may keep attempt response bodies out
 * of the store (`store_response_bodies` 0) and name the fields whose values are redacted in what Herald stores
 * for display and shows to application keys (`redaction_rules`, a JSON array of rules).
 */
export const privacy: Migration = {
  version: 10,
  name: 'privacy',
  statements() {
    return [
      `alter table application add column payload_retention_hours integer`,
      `alter table application add column store_response_bodies integer not null default 1`,
      `alter table application add column redaction_rules text`,
      `alter table message add column payload_expires_at bigint`,
      `create index message_payload_expiry on message (payload_expires_at) where payload_expires_at is not null`,
    ];
  },
};
