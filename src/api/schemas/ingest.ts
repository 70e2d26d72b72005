import { Type, type Static } from '@sinclair/typebox';
import { ApplicationIn } from './applications.js';
import { Channel, EventTypeName, Nullable, Uid } from './common.js';

/** The longest payload retention a message or an application may ask for: 90 days, Svix's limit. */
export const MAX_PAYLOAD_RETENTION_HOURS = 90 * 24;

export const MessageIn = Type.Object({
  eventType: EventTypeName,
  payload: Type.Object({}, { additionalProperties: true, description: 'The JSON body sent to endpoints' }),
  eventId: Type.Optional(Nullable(Uid)),
  channels: Type.Optional(Nullable(Type.Array(Channel, { minItems: 1, maxItems: 5, uniqueItems: true }))),
  orderingKey: Type.Optional(
    Nullable(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description:
          'Herald: orders this message among the others with the same key, at endpoints with `ordering: key`',
      }),
    ),
  ),
  application: Type.Optional(
    Nullable(
      Type.Object(ApplicationIn.properties, {
        description: 'Creates the application with the path id as its uid when it does not exist yet',
      }),
    ),
  ),
  payloadRetentionPeriod: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 90,
      description:
        'Days to keep the payload: removed after them once every delivery of the message is settled ' +
        "(default: the application's `payloadRetentionHours`, else the server's retention)",
    }),
  ),
  payloadRetentionHours: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: 1,
        maximum: MAX_PAYLOAD_RETENTION_HOURS,
        description:
          'Hours to keep the payload, as `payloadRetentionPeriod` in days; wins when both are given',
      }),
    ),
  ),
  tags: Type.Optional(Nullable(Type.Array(Type.String({ maxLength: 128 }), { maxItems: 5 }))),
  transformationsParams: Type.Optional(
    Nullable(
      Type.Object(
        {
          rawPayload: Type.Optional(
            Nullable(
              Type.String({
                maxLength: 1024 * 1024,
                description: 'A JSON object as a string, sent instead of `payload` (Svix: rawPayload)',
              }),
            ),
          ),
        },
        { additionalProperties: true },
      ),
    ),
  ),
});
export type MessageIn = Static<typeof MessageIn>;

export const MAX_BATCH = 1000;

export const MessageBatchIn = Type.Object({
  messages: Type.Array(MessageIn, { minItems: 1, maxItems: MAX_BATCH }),
});
