import { Type } from '@sinclair/typebox';
import { Channel, Nullable, Timestamp, Uid } from './common.js';

export const StatusNumber = Type.Union(
  [Type.Literal(0), Type.Literal(1), Type.Literal(2), Type.Literal(3), Type.Literal(4)],
  { description: 'Delivery status: 0 success, 1 pending, 2 fail, 3 sending, 4 canceled' },
);
export const StatusText = Type.Union([
  Type.Literal('success'),
  Type.Literal('pending'),
  Type.Literal('fail'),
  Type.Literal('sending'),
  Type.Literal('canceled'),
]);

export const MessageOut = Type.Object({
  id: Type.String({ example: 'msg_01JDQ8Z5S3V6J8K2M4N7P9R1T3' }),
  eventType: Type.String(),
  eventId: Nullable(Type.String()),
  payload: Type.Object({}, { additionalProperties: true }),
  channels: Nullable(Type.Array(Type.String())),
  orderingKey: Type.Optional(
    Type.String({ description: 'Herald: the ordering key, when the message has one' }),
  ),
  timestamp: Timestamp,
});

export const MessageParams = Type.Object({ app_id: Uid, msg_id: Uid });

/** Filters shared by the message and attempt listings. `event_types` takes repeats or a comma-separated list. */
export const ListFilters = {
  channel: Type.Optional(Channel),
  before: Type.Optional(Timestamp),
  after: Type.Optional(Timestamp),
  event_types: Type.Optional(Type.Array(Type.String({ maxLength: 10_000 }), { maxItems: 100 })),
  with_content: Type.Optional(Type.Boolean({ default: true })),
};

export const AttemptOut = Type.Object({
  id: Type.String({ example: 'atmpt_01JDQ8Z5S3V6J8K2M4N7P9R1T3' }),
  msgId: Type.String(),
  endpointId: Type.String(),
  url: Type.String(),
  response: Type.String(),
  responseStatusCode: Type.Integer(),
  responseDurationMs: Type.Integer(),
  status: StatusNumber,
  statusText: StatusText,
  triggerType: Type.Union([Type.Literal(0), Type.Literal(1)], { description: '0 scheduled, 1 manual' }),
  timestamp: Timestamp,
  errorClass: Nullable(
    Type.String({ description: 'Herald: why the attempt failed (dns, timeout, http_status, shutdown, …)' }),
  ),
});

export const AttemptDetailOut = Type.Object({
  ...AttemptOut.properties,
  errorDetail: Nullable(Type.String()),
  requestHeaders: Nullable(Type.Record(Type.String(), Type.String())),
  requestBody: Nullable(
    Type.String({
      description:
        'Herald: the body sent when a template or format conversion changed it; null when the message payload ' +
        'was sent as its standard JSON body',
    }),
  ),
  responseHeaders: Nullable(Type.Record(Type.String(), Type.String())),
});
