import { Type, type Static } from '@sinclair/typebox';
import { EventTypeName, MAX_RETRIES, NAME_PATTERN, Nullable, TEXT_PATTERN, Timestamp } from './common.js';

const Description = Type.String({ maxLength: 4096, pattern: TEXT_PATTERN, example: 'A user has signed up' });
const FeatureFlag = Type.String({ maxLength: 256, pattern: NAME_PATTERN });
export const VERSION_PATTERN = '^[1-9][0-9]{0,3}$';
/** A payload version: a key of an event type's `schemas`. */
export const PayloadVersion = Type.String({ pattern: VERSION_PATTERN, example: '1' });
const Schemas = Type.Record(Type.String({ pattern: VERSION_PATTERN }), Type.Object({}), {
  // TypeBox turns the key pattern into patternProperties, which leaves other keys unchecked; this rejects them.
  propertyNames: { pattern: VERSION_PATTERN },
  maxProperties: 100,
  description:
    'JSON Schemas keyed by payload version ("1", "2", …). Put example payloads in each schema\'s `examples`.',
  example: {
    '1': {
      type: 'object',
      properties: { invoiceId: { type: 'string' } },
      required: ['invoiceId'],
      examples: [{ invoiceId: 'inv_123' }],
    },
  },
});

const DeprecatedVersions = Type.Array(PayloadVersion, {
  maxItems: 100,
  uniqueItems: true,
  description:
    'Herald: payload versions (keys of `schemas`) that still work but that consumers should move off; ' +
    'endpoints can still pin them',
});

const FeatureFlags = Type.Array(FeatureFlag, {
  maxItems: 100,
  uniqueItems: true,
  description:
    'Application keys see the event type only when they carry one of these flags (from app-portal-access); ' +
    'replaces `featureFlag`',
  example: ['cool-new-feature'],
});
const GroupName = Type.String({
  maxLength: 256,
  pattern: NAME_PATTERN,
  description: "The event type group's name",
  example: 'user',
});

export const EventTypeIn = Type.Object({
  name: EventTypeName,
  description: Description,
  archived: Type.Optional(Type.Boolean()),
  deprecated: Type.Optional(Type.Boolean()),
  featureFlag: Type.Optional(Nullable(FeatureFlag)),
  schemas: Type.Optional(Nullable(Schemas)),
  deprecatedVersions: Type.Optional(DeprecatedVersions),
  featureFlags: Type.Optional(Nullable(FeatureFlags)),
  groupName: Type.Optional(Nullable(GroupName)),
});
export type EventTypeIn = Static<typeof EventTypeIn>;

export const EventTypeUpdate = Type.Omit(EventTypeIn, ['name']);
export type EventTypeUpdate = Static<typeof EventTypeUpdate>;

/** PATCH takes the fields of a PUT, each optional. */
export const EventTypePatch = Type.Partial(EventTypeUpdate);
export type EventTypePatch = Static<typeof EventTypePatch>;

export const EventTypeOut = Type.Object({
  name: Type.String(),
  description: Type.String(),
  archived: Type.Boolean(),
  deprecated: Type.Boolean(),
  featureFlag: Nullable(Type.String({ description: 'Deprecated: the first of `featureFlags`' })),
  featureFlags: Nullable(Type.Array(Type.String())),
  groupName: Nullable(Type.String()),
  schemas: Nullable(Type.Record(Type.String(), Type.Object({}, { additionalProperties: true }))),
  deprecatedVersions: Type.Array(Type.String(), { description: 'Herald: deprecated payload versions' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const EventTypeParams = Type.Object({ event_type_name: EventTypeName });

export const EventTypeImportOpenApiIn = Type.Object({
  dryRun: Type.Optional(
    Type.Boolean({
      default: false,
      description: 'Return the event types that would change, and change nothing',
    }),
  ),
  replaceAll: Type.Optional(
    Type.Boolean({ default: false, description: 'Archive the event types the document does not name' }),
  ),
  spec: Type.Optional(
    Nullable(Type.Object({}, { additionalProperties: true, description: 'The OpenAPI document' })),
  ),
  specRaw: Type.Optional(
    Nullable(
      Type.String({ maxLength: 16 * 1024 * 1024, description: 'The OpenAPI document as YAML or JSON text' }),
    ),
  ),
});

const EventTypeFromOpenApi = Type.Object({
  name: Type.String(),
  description: Type.String(),
  schemas: Nullable(Type.Record(Type.String(), Type.Object({}, { additionalProperties: true }))),
  deprecated: Type.Boolean(),
});

export const EventTypeImportOpenApiOut = Type.Object({
  data: Type.Object({
    modified: Type.Array(Type.String(), { description: 'The event types created or updated' }),
    to_modify: Nullable(Type.Array(EventTypeFromOpenApi, { description: 'With dryRun: what would be' })),
  }),
});
/** Svix's Duration: a retry delay. */
const Duration = Type.Object({
  secs: Type.Integer({ minimum: 0, maximum: 604_800 }),
  nanos: Type.Integer({ minimum: 0, maximum: 999_999_999 }),
});

export const RetryScheduleInOut = Type.Object({
  retrySchedule: Type.Optional(
    Nullable(
      Type.Array(Duration, {
        maxItems: MAX_RETRIES,
        description:
          'Delays before each retry of a message of this event type (at most 20, each ±20 % jitter); [] never ' +
          "retries; null removes the schedule. An endpoint's own `retrySchedule` comes first; without either, " +
          'the default schedule applies.',
      }),
    ),
  ),
});
export type RetryScheduleInOut = Static<typeof RetryScheduleInOut>;
