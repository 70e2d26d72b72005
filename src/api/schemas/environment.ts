/**
 * The environment document of `POST /api/v1/environment/export` and `/import`: Svix's EnvironmentIn/Out
 * (`eventTypes`, `settings`, `connectors`) plus Herald's applications with their endpoints, and templates with
 * every version. Endpoints' secrets, signing keys, custom headers and outbound credentials travel only inside
 * `sealed`, encrypted under a key derived from the passphrase of the export (docs/security.md).
 */
import { Type, type Static } from '@sinclair/typebox';
import { MAX_RETRIES } from './common.js';
import {
  Channel,
  EventTypeName,
  Metadata,
  NAME_PATTERN,
  Nullable,
  TEXT_PATTERN,
  ThrottleRate,
  Timestamp,
  Uid,
} from './common.js';
import { ContentFilter, MAX_COMPRESSION_THRESHOLD } from './endpoint-content.js';
import { EventTypeIn, EventTypeOut, PayloadVersion } from './event-types.js';

export const ENVIRONMENT_DOCUMENT_VERSION = 1;
export const MIN_PASSPHRASE_LENGTH = 12;

const Passphrase = Type.String({
  minLength: MIN_PASSPHRASE_LENGTH,
  maxLength: 1024,
  description:
    'Herald: the passphrase that seals (on export) or opens (on import) the endpoints’ secrets, signing keys, ' +
    'headers and credentials; at least 12 characters. Without it an export leaves them out.',
});

const idOf = (prefix: string) => Type.String({ pattern: `^${prefix}_[0-9A-Za-z]{1,64}$` });
const Text = (maxLength: number) => Type.String({ maxLength, pattern: TEXT_PATTERN });
/** Retry delays in milliseconds (an endpoint's, an event type's); null: none of its own. */
const RetryScheduleMs = Nullable(
  Type.Array(Type.Integer({ minimum: 0, maximum: 7 * 24 * 3_600_000 }), { maxItems: MAX_RETRIES }),
);
const Cidrs = Nullable(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000 }));
const oneOf = <T extends string>(...values: T[]) => Type.Union(values.map((value) => Type.Literal(value)));

/** How the document's secrets were sealed: scrypt over the passphrase, then AES-256-GCM. */
export const Sealing = Type.Object(
  {
    kdf: Type.Literal('scrypt'),
    salt: Type.String({ maxLength: 128, description: 'base64url' }),
    cost: Type.Integer({ minimum: 1024, maximum: 1_048_576, description: 'scrypt N' }),
    blockSize: Type.Integer({ minimum: 1, maximum: 32, description: 'scrypt r' }),
    parallelization: Type.Integer({ minimum: 1, maximum: 16, description: 'scrypt p' }),
    check: Type.String({
      maxLength: 512,
      description: 'a known text sealed with the key: a wrong passphrase fails on it',
    }),
  },
  { description: 'Herald: how `sealed` values were encrypted; null when the export had no passphrase' },
);
export type Sealing = Static<typeof Sealing>;

export const EnvironmentEndpoint = Type.Object({
  id: idOf('ep'),
  uid: Nullable(Uid),
  url: Type.String({ minLength: 1, maxLength: 4096 }),
  description: Text(1024),
  disabled: Type.Boolean(),
  eventTypes: Nullable(Type.Array(EventTypeName, { maxItems: 1000 })),
  channels: Nullable(Type.Array(Channel, { maxItems: 10 })),
  metadata: Metadata,
  throttleRate: Nullable(ThrottleRate),
  timeoutMs: Nullable(Type.Integer({ minimum: 1000, maximum: 60_000 })),
  retryScheduleMs: RetryScheduleMs,
  headerStyle: oneOf('standard', 'svix'),
  signatureVersions: Type.Array(oneOf('v1', 'v1a'), { minItems: 1, maxItems: 2, uniqueItems: true }),
  allowedDestinationCidrs: Cidrs,
  templateId: Nullable(idOf('tmpl')),
  templateVersion: Nullable(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })),
  payloadVersion: Nullable(PayloadVersion),
  conversion: oneOf('none', 'xml', 'form'),
  filter: Nullable(ContentFilter),
  compression: oneOf('none', 'gzip', 'br'),
  compressionThreshold: Nullable(Type.Integer({ minimum: 0, maximum: MAX_COMPRESSION_THRESHOLD })),
  ordering: oneOf('none', 'endpoint', 'key'),
  orderingAfterGiveUp: oneOf('skip', 'block'),
  batching: Nullable(
    Type.Object({
      maxMessages: Type.Integer({ minimum: 1, maximum: 1000 }),
      maxBytes: Type.Integer({ minimum: 1024, maximum: 10 * 1024 * 1024 }),
      maxWaitMs: Type.Integer({ minimum: 0, maximum: 60_000 }),
    }),
  ),
  adaptiveThrottling: Type.Boolean(),
  version: Type.Integer({ minimum: 0, maximum: 2_147_483_647 }),
  propagateTraceContext: Type.Boolean(),
  sealed: Type.Optional(
    Type.String({
      maxLength: 1_000_000,
      description:
        'The secrets, signing keys, custom headers and outbound credentials, sealed with the passphrase; absent ' +
        'when the export had none (the import then gives the endpoint a new secret)',
    }),
  ),
});

/**
 * An event type in the document: Svix's EventTypeIn/Out plus Herald's per-event-type retry schedule
 * (`PUT /api/v1/event-type/{name}/retry-schedule`), in ms as endpoints' `retryScheduleMs`.
 */
const EnvironmentEventTypeIn = Type.Object({
  ...EventTypeIn.properties,
  retryScheduleMs: Type.Optional(RetryScheduleMs),
});
const EnvironmentEventTypeOut = Type.Object({ ...EventTypeOut.properties, retryScheduleMs: RetryScheduleMs });
export type EnvironmentEndpoint = Static<typeof EnvironmentEndpoint>;

export const EnvironmentApplication = Type.Object({
  id: idOf('app'),
  uid: Nullable(Uid),
  name: Type.String({ minLength: 1, maxLength: 256, pattern: TEXT_PATTERN }),
  metadata: Metadata,
  throttleRate: Nullable(ThrottleRate),
  allowedDestinationCidrs: Cidrs,
  payloadRetentionHours: Nullable(Type.Integer({ minimum: 1, maximum: 24 * 365 * 10 })),
  storeResponseBodies: Type.Boolean(),
  redactionRules: Nullable(Type.Array(Type.String({ maxLength: 256 }), { maxItems: 100 })),
  endpoints: Type.Array(EnvironmentEndpoint, { maxItems: 10_000 }),
});
export type EnvironmentApplication = Static<typeof EnvironmentApplication>;

export const EnvironmentTemplate = Type.Object({
  id: idOf('tmpl'),
  name: Type.String({ minLength: 1, maxLength: 256, pattern: TEXT_PATTERN }),
  description: Text(4096),
  versions: Type.Array(
    Type.Object({
      version: Type.Integer({ minimum: 1 }),
      contentType: oneOf('json', 'xml', 'form', 'text'),
      body: Type.String({ minLength: 1, maxLength: 65_536 }),
      eventType: Nullable(Type.String({ maxLength: 256, pattern: NAME_PATTERN })),
      payloadVersion: Nullable(PayloadVersion),
    }),
    { minItems: 1, maxItems: 10_000, description: 'Every version, 1, 2, … in order' },
  ),
});
export type EnvironmentTemplate = Static<typeof EnvironmentTemplate>;

/** What Herald adds to Svix's document, on the way in and out alike. */
const HeraldParts = {
  applications: Type.Optional(Nullable(Type.Array(EnvironmentApplication, { maxItems: 100_000 }))),
  templates: Type.Optional(Nullable(Type.Array(EnvironmentTemplate, { maxItems: 10_000 }))),
  sealing: Type.Optional(Nullable(Sealing)),
};

export const EnvironmentExportIn = Type.Object({ passphrase: Type.Optional(Passphrase) });
export type EnvironmentExportIn = Static<typeof EnvironmentExportIn>;

export const EnvironmentIn = Type.Object({
  eventTypes: Type.Optional(Nullable(Type.Array(EnvironmentEventTypeIn, { maxItems: 10_000 }))),
  settings: Type.Optional(
    Nullable(
      Type.Object(
        {},
        {
          additionalProperties: true,
          description: 'Accepted for Svix; Herald keeps its settings in its configuration, not here',
        },
      ),
    ),
  ),
  connectors: Type.Optional(
    Nullable(Type.Array(Type.Object({}, { additionalProperties: true }), { maxItems: 0 })),
  ),
  ...HeraldParts,
  passphrase: Type.Optional(Passphrase),
});
export type EnvironmentIn = Static<typeof EnvironmentIn>;

export const EnvironmentOut = Type.Object({
  version: Type.Integer({ description: 'The document format, 1' }),
  createdAt: Timestamp,
  eventTypes: Type.Array(EnvironmentEventTypeOut),
  settings: Nullable(Type.Object({}, { additionalProperties: true })),
  connectors: Type.Array(Type.Object({}, { additionalProperties: true })),
  applications: Type.Array(EnvironmentApplication),
  templates: Type.Array(EnvironmentTemplate),
  sealing: Nullable(Sealing),
});
export type EnvironmentOut = Static<typeof EnvironmentOut>;
