import { Type, type Static } from '@sinclair/typebox';
import { Channel, EventTypeName, Nullable, Timestamp } from './common.js';
import { MessageOut } from './messages.js';

const EventTypes = Type.Array(EventTypeName, { maxItems: 100, uniqueItems: true });

export const MessageSearchIn = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 250 })),
  iterator: Type.Optional(
    Nullable(
      Type.String({
        pattern: '^msg_[0-9A-Za-z]{26,27}$',
        description: 'The iterator of a prior page: the message id where it ended',
      }),
    ),
  ),
  channel: Type.Optional(Nullable(Channel)),
  before: Type.Optional(Nullable(Timestamp)),
  after: Type.Optional(Nullable(Timestamp)),
  with_content: Type.Optional(Type.Boolean({ default: false })),
  tag: Type.Optional(
    Nullable(
      Type.String({
        maxLength: 128,
        description: 'Herald keeps no message tags: a search by tag finds nothing',
      }),
    ),
  ),
  event_types: Type.Optional(Nullable(EventTypes)),
});
export type MessageSearchIn = Static<typeof MessageSearchIn>;

export const MessageEventsQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 250 })),
  iterator: Type.Optional(Type.String({ maxLength: 300 })),
  event_types: Type.Optional(Type.Array(Type.String({ maxLength: 10_000 }), { maxItems: 100 })),
  channels: Type.Optional(Type.Array(Type.String({ maxLength: 10_000 }), { maxItems: 100 })),
  after: Type.Optional(Timestamp),
});

export const MessageEventsOut = Type.Object({
  data: Type.Array(MessageOut),
  iterator: Type.String({ description: 'Pass it back to read on from where this page ended' }),
  done: Type.Boolean(),
});

export const MessagePrecheckIn = Type.Object({
  eventType: EventTypeName,
  channels: Type.Optional(Nullable(Type.Array(Channel, { minItems: 1, maxItems: 10, uniqueItems: true }))),
});

export const MessagePrecheckOut = Type.Object({
  active: Type.Boolean({ description: 'Whether an enabled endpoint would get such a message' }),
});

export const MessageRawPayloadOut = Type.Object({
  payload: Type.String({ description: 'The payload as a JSON string' }),
});
