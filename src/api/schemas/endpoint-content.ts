/** The endpoint fields that decide which messages it receives by content, and how their bodies are encoded. */
import { Type } from '@sinclair/typebox';
import type { JsonObject } from '../../store/index.js';
import { Channel, EventTypeName, Nullable } from './common.js';

/** The largest `compressionThreshold`: bodies this large are compressed whatever the setting. */
export const MAX_COMPRESSION_THRESHOLD = 16 * 1024 * 1024;

export const ContentFilter = Type.Unsafe<JsonObject>({
  type: 'object',
  additionalProperties: true,
  description:
    'Herald: a MongoDB-style query over the message ({eventType, channels, payload}) that it must match to be ' +
    'delivered here, with $eq $ne $gt $gte $lt $lte $in $nin $exists $regex $and $or $not $size; see ' +
    'docs/api.md. Null or omitted: no content filter.',
  example: { 'payload.amount': { $gte: 1000 }, 'payload.currency': { $in: ['EUR', 'USD'] } },
});

export const ContentSettings = {
  filter: Type.Optional(Nullable(ContentFilter)),
  compression: Type.Optional(
    Type.Union([Type.Literal('none'), Type.Literal('gzip'), Type.Literal('br')], {
      description:
        'Herald: send bodies of at least compressionThreshold bytes with Content-Encoding gzip or br ' +
        '(Brotli); `none` (the default) never compresses. The signature is over the uncompressed body.',
    }),
  ),
  compressionThreshold: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: 0,
        maximum: MAX_COMPRESSION_THRESHOLD,
        description:
          'Herald: the smallest body, in bytes, that is compressed; smaller ones are sent plain. Null or ' +
          'omitted: 1024.',
      }),
    ),
  ),
};

export const ContentOut = {
  filter: Nullable(Type.Object({}, { additionalProperties: true })),
  compression: Type.String(),
  compressionThreshold: Nullable(Type.Integer()),
};

/** A sample message to try a filter against. */
const FilterSample = {
  eventType: Type.Optional(EventTypeName),
  channels: Type.Optional(Nullable(Type.Array(Channel, { maxItems: 10 }))),
  payload: Type.Object({}, { additionalProperties: true, description: 'The payload to try the filter on' }),
};

export const FilterTestIn = Type.Object({
  ...FilterSample,
  filter: Nullable(ContentFilter),
});

export const EndpointFilterTestIn = Type.Object({
  ...FilterSample,
  filter: Type.Optional(
    Nullable(
      Type.Unsafe<JsonObject>({
        ...ContentFilter,
        description: "The filter to try; omitted: the endpoint's saved filter",
      }),
    ),
  ),
});

export const FilterTestOut = Type.Object({
  matches: Type.Boolean({
    description: 'Whether the message matches the filter (a null filter matches all)',
  }),
});

export const EndpointFilterTestOut = Type.Object({
  matches: Type.Boolean({
    description: 'Whether the message matches the filter (a null filter matches all)',
  }),
  receives: Type.Boolean({
    description:
      'Whether the endpoint would receive the message: it is enabled, the message passes its eventTypes and ' +
      'channels, and it matches the filter',
  }),
});
