import { Type, type Static } from '@sinclair/typebox';
import { SECRET_PATTERN } from '../../signing/secrets.js';
import {
  MAX_RETRIES,
  Channel,
  EventTypeName,
  Metadata,
  Nullable,
  RateLimit,
  TEXT_PATTERN,
  ThrottleRate,
  Timestamp,
  Uid,
} from './common.js';
import { ContentOut, ContentSettings } from './endpoint-content.js';
import { ShapingOut, ShapingSettings } from './endpoint-shaping.js';

export const Url = Type.String({
  minLength: 1,
  maxLength: 4096,
  format: 'uri',
  description:
    'An http:// or https:// URL that receives the webhooks, or a poll: URL (such as poll://inbox) for an endpoint read only through the poller API, or a relay: URL (such as relay://ada-laptop) for an endpoint whose deliveries go to `herald listen`',
  example: 'https://example.com/webhook/',
});
export const Description = Type.String({ maxLength: 1024, pattern: TEXT_PATTERN });
const EventTypes = Type.Array(EventTypeName, {
  minItems: 1,
  maxItems: 1000,
  uniqueItems: true,
  description: 'Event types this endpoint receives (omit or null for all)',
});
/** `eventTypes` under the name the official svix SDKs use. */
const FilterTypes = Type.Array(EventTypeName, {
  minItems: 1,
  maxItems: 1000,
  uniqueItems: true,
  description: 'The same as eventTypes, under the name the svix SDKs use; send one or the other',
});
const Channels = Type.Array(Channel, {
  minItems: 1,
  maxItems: 10,
  uniqueItems: true,
  description: 'Channels this endpoint receives (omit or null for all)',
});
export const Secret = Type.String({
  pattern: SECRET_PATTERN,
  description: 'A whsec_ secret (base64 of 24–64 random bytes); null or omitted generates one',
});

/** Custom headers sent with every webhook to an endpoint. */
const HeaderName = Type.String({ minLength: 1, maxLength: 256 });
// TypeBox does not carry the key schema into the JSON Schema; propertyNames bounds the names.
export const HeaderMap = Type.Record(HeaderName, Type.String({ maxLength: 8192 }), {
  maxProperties: 50,
  propertyNames: { minLength: 1, maxLength: 256 },
});

/** Which Standard Webhooks signatures an endpoint gets. */
const SignatureVersions = Type.Array(Type.Union([Type.Literal('v1'), Type.Literal('v1a')]), {
  minItems: 1,
  maxItems: 2,
  uniqueItems: true,
  description:
    'Herald: the signatures sent in webhook-signature: `v1` (HMAC-SHA256 with the whsec_ secret, the default), ' +
    '`v1a` (Ed25519; receivers verify with the whpk_ key from …/public-key), or both. Omitted on PUT keeps the ' +
    'current value.',
});

/** Herald's per-endpoint delivery settings. */
export const MAX_BATCH_MESSAGES = 1000;
export const MAX_BATCH_BYTES = 10 * 1024 * 1024;
const DeliverySettings = {
  retrySchedule: Type.Optional(
    Nullable(
      Type.Array(Type.Integer({ minimum: 0, maximum: 7 * 24 * 60 * 60 }), {
        maxItems: MAX_RETRIES,
        description:
          'Herald: seconds to wait before each retry (at most 20, each ±20 % jitter); [] never retries; null or ' +
          'omitted uses the default schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h)',
      }),
    ),
  ),
  timeoutSeconds: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: 1,
        maximum: 60,
        description:
          'Herald: how long one request may take, 1–60 s; null uses HERALD_DELIVERY_TIMEOUT_SECONDS',
      }),
    ),
  ),
  headerStyle: Type.Optional(
    Type.Union([Type.Literal('standard'), Type.Literal('svix')], {
      description:
        'Herald: `standard` sends webhook-id/-timestamp/-signature; `svix` sends svix-id/-timestamp/-signature ' +
        'for receivers built for Svix. Default standard.',
    }),
  ),
  signatureVersions: Type.Optional(SignatureVersions),
  ordering: Type.Optional(
    Type.Union([Type.Literal('none'), Type.Literal('endpoint'), Type.Literal('key')], {
      description:
        'Herald: first in, first out: not at all (`none`, the default), for the whole endpoint (`endpoint`), or ' +
        "per message `orderingKey` (`key`; messages without a key form one sequence of their own). A message's " +
        'delivery is sent only after the one before it in its sequence succeeded or was given up. See ' +
        'docs/delivery.md',
    }),
  ),
  orderingAfterGiveUp: Type.Optional(
    Type.Union([Type.Literal('skip'), Type.Literal('block')], {
      description:
        'Herald: when a delivery of an ordered endpoint is given up, its sequence moves on (`skip`, the default) ' +
        'or waits (`block`) until the delivery is sent again or skipped',
    }),
  ),
  propagateTraceContext: Type.Optional(
    Type.Boolean({
      description:
        "Herald: send each attempt's W3C trace context (`traceparent`, `tracestate`) to the endpoint, so that a " +
        "receiver that traces sees Herald's attempt as its parent. Needs tracing on (OTEL_* variables, see " +
        'docs/observability.md). Default false.',
    }),
  ),
  batching: Type.Optional(
    Nullable(
      Type.Object(
        {
          maxMessages: Type.Integer({
            minimum: 1,
            maximum: MAX_BATCH_MESSAGES,
            description: 'The most messages in one request, 1–1000',
          }),
          maxBytes: Type.Optional(
            Type.Integer({
              minimum: 1024,
              maximum: MAX_BATCH_BYTES,
              description:
                'The largest request body, in bytes, 1 KiB–10 MiB (default 1 MiB); a message larger than this ' +
                'alone is sent in a batch of one',
            }),
          ),
          maxWaitMs: Type.Optional(
            Type.Integer({
              minimum: 0,
              maximum: 60_000,
              description:
                'How long a batch that is not full waits for more messages, 0–60000 ms (default 0: it takes ' +
                'what is due and goes)',
            }),
          ),
        },
        {
          additionalProperties: false,
          description:
            'Herald: send several messages per request, as one JSON array of {id, eventType, timestamp, payload}, ' +
            'signed once, up to whichever limit comes first; null or omitted (the default) sends one message per ' +
            'request. JSON bodies only: not with an XML or form conversion, nor a template that is not JSON. ' +
            'See docs/delivery.md#batching',
          example: { maxMessages: 100, maxBytes: 1048576, maxWaitMs: 500 },
        },
      ),
    ),
  ),
  adaptiveThrottling: Type.Optional(
    Type.Boolean({
      description:
        'Herald: adjust how many requests are kept in flight to the endpoint from its response times and ' +
        'errors (slower answers, timeouts, 429 and 503 lower it; fast successes raise it again), within ' +
        'HERALD_ENDPOINT_CONCURRENCY and the rate limit. Default true; false keeps the fixed concurrency. ' +
        'See docs/delivery.md',
    }),
  ),
  ...ShapingSettings,
  ...ContentSettings,
};

export const EndpointIn = Type.Object({
  ...DeliverySettings,
  url: Url,
  uid: Type.Optional(Nullable(Uid)),
  description: Type.Optional(Description),
  disabled: Type.Optional(Type.Boolean()),
  eventTypes: Type.Optional(Nullable(EventTypes)),
  filterTypes: Type.Optional(Nullable(FilterTypes)),
  channels: Type.Optional(Nullable(Channels)),
  metadata: Type.Optional(Metadata),
  throttleRate: Type.Optional(Nullable(ThrottleRate)),
  rateLimit: Type.Optional(Nullable(RateLimit)),
  secret: Type.Optional(Nullable(Secret)),
  /** Custom headers, as PUT …/headers sets them. */
  headers: Type.Optional(Nullable(HeaderMap)),
  version: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: 1,
        maximum: 32767,
        deprecated: true,
        description: 'Stored and returned as set (default 1), as in Svix; Herald gives it no meaning',
      }),
    ),
  ),
});
export type EndpointIn = Static<typeof EndpointIn>;

/** PUT replaces the endpoint's settings; its secret and custom headers have routes of their own. */
export const EndpointUpdate = Type.Omit(EndpointIn, ['secret', 'headers']);
export type EndpointUpdate = Static<typeof EndpointUpdate>;

/** PATCH takes the fields of a create, each optional, but not the custom headers (…/headers changes them). */
export const EndpointPatch = Type.Partial(Type.Omit(EndpointIn, ['headers']));
export type EndpointPatch = Static<typeof EndpointPatch>;

export const EndpointOut = Type.Object({
  id: Type.String({ example: 'ep_01JDQ8Z5S3V6J8K2M4N7P9R1T3' }),
  uid: Nullable(Type.String()),
  url: Type.String(),
  description: Type.String(),
  disabled: Type.Boolean(),
  eventTypes: Nullable(Type.Array(Type.String())),
  filterTypes: Nullable(
    Type.Array(Type.String(), { description: 'The same as eventTypes, for the svix SDKs' }),
  ),
  channels: Nullable(Type.Array(Type.String())),
  metadata: Type.Record(Type.String(), Type.String()),
  throttleRate: Nullable(Type.Integer()),
  rateLimit: Nullable(Type.Integer({ description: 'The same as throttleRate, for the svix SDKs' })),
  version: Type.Integer({ deprecated: true }),
  retrySchedule: Nullable(Type.Array(Type.Integer())),
  timeoutSeconds: Nullable(Type.Integer()),
  headerStyle: Type.String(),
  signatureVersions: Type.Array(Type.String()),
  ordering: Type.String(),
  orderingAfterGiveUp: Type.String(),
  propagateTraceContext: Type.Boolean(),
  batching: Nullable(
    Type.Object({ maxMessages: Type.Integer(), maxBytes: Type.Integer(), maxWaitMs: Type.Integer() }),
  ),
  adaptiveThrottling: Type.Boolean(),
  ...ShapingOut,
  ...ContentOut,
  disabledReason: Nullable(
    Type.String({ description: 'Herald: why Herald disabled the endpoint (410 Gone, continuous failure)' }),
  ),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const EndpointHeadersIn = Type.Object({ headers: HeaderMap });
export const EndpointHeadersPatchIn = Type.Object({
  headers: Type.Record(HeaderName, Nullable(Type.String({ maxLength: 8192 })), {
    maxProperties: 50,
    propertyNames: { minLength: 1, maxLength: 256 },
    description: 'Headers to add or change; a header set to null is removed',
  }),
  deleteHeaders: Type.Optional(
    Type.Array(HeaderName, {
      maxItems: 50,
      description: 'Names of headers to remove (case-insensitive)',
    }),
  ),
});
export const EndpointHeadersOut = Type.Object({
  headers: Type.Record(Type.String(), Type.String()),
  sensitive: Type.Array(Type.String(), { description: 'Headers whose values are hidden' }),
});

export const EndpointSecretOut = Type.Object({
  key: Type.String({
    description:
      'The current whsec_ secret, or the whpk_ public key when the endpoint signs with Ed25519 only',
  }),
});
/** An Ed25519 secret key: a 32-byte seed, or 64 bytes (seed then public key, as libsodium and Svix keep it). */
const SigningKeyIn = Type.String({
  pattern: '^whsk_(?:[A-Za-z0-9+/]{43}=|[A-Za-z0-9+/]{86}==)$',
  description: 'A whsk_ Ed25519 key: the endpoint switches to v1a signatures, as in Svix',
});
export const EndpointSecretRotateIn = Type.Object({
  key: Type.Optional(Nullable(Type.Union([Secret, SigningKeyIn]))),
  gracePeriodSeconds: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: 0,
        maximum: 7 * 24 * 60 * 60,
        default: 24 * 60 * 60,
        description: 'How long the previous secret keeps signing, from 0 to 7 days (default 24 hours)',
      }),
    ),
  ),
});

export const EndpointParams = Type.Object({
  app_id: Uid,
  endpoint_id: Uid,
});
