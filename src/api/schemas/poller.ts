/** Svix's poller API: reading an endpoint's messages by polling, with or without a server-kept position. */
import { Type } from '@sinclair/typebox';
import { Channel, EventTypeName, NAME_PATTERN, Nullable, Timestamp, Uid } from './common.js';
import { MessageOut } from './messages.js';

export const POLL_MAX_LIMIT = 250;

export const PollerParams = Type.Object({
  app_id: Uid,
  sink_id: Type.String({
    minLength: 1,
    maxLength: 256,
    pattern: NAME_PATTERN,
    description: "The endpoint's id or uid",
  }),
});

export const PollerConsumerParams = Type.Object({
  app_id: Uid,
  sink_id: PollerParams.properties.sink_id,
  consumer_id: Type.String({
    minLength: 1,
    maxLength: 256,
    pattern: NAME_PATTERN,
    description: "A name the consumer chooses; Herald keeps each consumer's position",
  }),
});

const Limit = Type.Optional(
  Type.Integer({ minimum: 1, maximum: POLL_MAX_LIMIT, description: 'Limit the number of returned items' }),
);
const Iterator = Type.Optional(
  Nullable(Type.String({ maxLength: 300, description: 'The iterator returned from a prior invocation' })),
);

export const PollQuery = Type.Object({
  limit: Limit,
  iterator: Iterator,
  event_type: Type.Optional(Nullable(EventTypeName)),
  channel: Type.Optional(Nullable(Channel)),
  after: Type.Optional(Nullable(Timestamp)),
});

export const ConsumerPollQuery = Type.Object({ limit: Limit, iterator: Iterator });

/** A message as the message routes show it (without Herald's `orderingKey`), with Svix's poller fields. */
const { orderingKey: _orderingKey, ...messageFields } = MessageOut.properties;

export const PollingEndpointMessageOut = Type.Object({
  ...messageFields,
  headers: Nullable(
    Type.Record(Type.String(), Type.String(), {
      description: 'Herald keeps no message headers: always null',
    }),
  ),
  tags: Nullable(Type.Array(Type.String(), { description: 'Herald keeps no message tags: always null' })),
  deliverAt: Nullable(
    Type.String({ format: 'date-time', description: 'Herald does not delay messages: always null' }),
  ),
});

export const PollingEndpointOut = Type.Object({
  data: Type.Array(PollingEndpointMessageOut),
  iterator: Type.String({ description: 'Pass it to the next call to read on from here' }),
  done: Type.Boolean({ description: 'True when there is nothing more to read for now' }),
});

export const PollingEndpointConsumerSeekIn = Type.Object({ after: Timestamp });
export const PollingEndpointConsumerSeekOut = Type.Object({ iterator: Type.String() });

/** How long a leasing poll's messages stay leased when the request names no `lease_duration_ms`. */
export const DEFAULT_LEASE_MS = 30_000;
export const MAX_LEASE_MS = 24 * 60 * 60 * 1000;

export const LeasePollQuery = Type.Object({
  limit: Type.Optional(
    Type.Integer({ minimum: 0, maximum: POLL_MAX_LIMIT, description: 'Limit the number of returned items' }),
  ),
  lease_duration_ms: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: 0,
        maximum: MAX_LEASE_MS,
        description: `How long the messages stay leased to this consumer (default ${DEFAULT_LEASE_MS} ms)`,
      }),
    ),
  ),
  starting_position: Type.Optional(
    Nullable(
      Type.Union([Type.Literal('earliest'), Type.Literal('latest')], {
        description:
          "Where a new consumer starts: the endpoint's first message (default) or the next one accepted",
      }),
    ),
  ),
});

export const PollerV2MessageOut = Type.Object({
  ...PollingEndpointMessageOut.properties,
  offset: Type.Integer({
    minimum: 0,
    description: 'Commit it to acknowledge this message and those before it',
  }),
});

export const PollerV2PollOut = Type.Object({
  data: Type.Array(PollerV2MessageOut),
  done: Type.Boolean({ description: 'True when there is nothing more to read for now' }),
});

export const PollerV2CommitIn = Type.Object({ offset: Type.Integer({ minimum: 0 }) });
