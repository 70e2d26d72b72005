import { Type } from '@sinclair/typebox';
import { MAX_REDACTION_RULES } from '../../util/redaction.js';
import { Nullable } from './common.js';
import { MAX_PAYLOAD_RETENTION_HOURS } from './ingest.js';

const RetentionHours = Nullable(
  Type.Integer({
    minimum: 1,
    maximum: MAX_PAYLOAD_RETENTION_HOURS,
    description:
      'Hours to keep the payload of a message that names no `payloadRetentionPeriod` or `payloadRetentionHours`; ' +
      "removed after them once every delivery of the message is settled. null: the server's retention",
  }),
);

const StoreResponseBodies = Type.Boolean({
  description:
    'false keeps attempt response bodies out of the store: attempts show `EXPUNGED` as their response',
});

const RedactionRules = Nullable(
  Type.Array(Type.String({ maxLength: 256 }), {
    maxItems: MAX_REDACTION_RULES,
    description:
      'Fields whose values read `[redacted]` in stored attempt bodies and in what application keys and portal ' +
      'users see: a path from the root (`payload.customer.email`, `*` for any one key) or a field at any depth ' +
      "(`*.card_number`). null: the platform's rules (HERALD_REDACTION_RULES); [] none",
  }),
);

export const PrivacyIn = Type.Object({
  payloadRetentionHours: Type.Optional(RetentionHours),
  storeResponseBodies: Type.Optional(StoreResponseBodies),
  redactionRules: Type.Optional(RedactionRules),
});

export const PrivacyOut = Type.Object({
  payloadRetentionHours: RetentionHours,
  storeResponseBodies: StoreResponseBodies,
  redactionRules: RedactionRules,
  effectiveRedactionRules: Type.Array(Type.String(), {
    description: "The rules in force: the application's, or the platform's when it sets none",
  }),
});
