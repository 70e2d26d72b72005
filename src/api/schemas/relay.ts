/** The relay routes' requests and answers (`herald listen`; see `api/routes/relay.ts`). */
import { Type } from '@sinclair/typebox';
import { RELAY_ERROR_CLASSES } from '../../delivery/relay.js';
import { EndpointParams } from './endpoints.js';

/** Long enough to spare round trips, short enough for the idle timeouts of ordinary reverse proxies (60 s). */
export const DEFAULT_RELAY_WAIT_SECONDS = 20;
export const MAX_RELAY_WAIT_SECONDS = 50;
export const DEFAULT_RELAY_LIMIT = 20;

export const RelayTakeQuery = Type.Object({
  wait: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: MAX_RELAY_WAIT_SECONDS,
      description: `Seconds to hold the poll while nothing waits (default ${DEFAULT_RELAY_WAIT_SECONDS})`,
    }),
  ),
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 100,
      description: `Requests to take at most (default ${DEFAULT_RELAY_LIMIT})`,
    }),
  ),
});

const Headers = Type.Record(Type.String({ maxLength: 256 }), Type.String({ maxLength: 8192 }), {
  maxProperties: 200,
});

export const RelayedRequestOut = Type.Object({
  id: Type.String({ description: 'The relay request, to report its response on' }),
  msgId: Type.String(),
  eventType: Type.String(),
  headers: Type.Record(Type.String(), Type.String(), {
    description: 'The request headers, signature headers included, exactly as an HTTP endpoint gets them',
  }),
  body: Type.String({ description: 'The request body as sent, base64-encoded' }),
  timeoutMs: Type.Integer({ description: "The endpoint's timeout: how long the local handler may take" }),
});

export const RelayTakeOut = Type.Object({ data: Type.Array(RelayedRequestOut) });

export const RelayAnswerParams = Type.Object({
  ...EndpointParams.properties,
  relay_id: Type.String({ pattern: '^rly_[0-9A-HJKMNP-TV-Z]{26}$', description: 'A relay request id' }),
});

export const RelayAnswerIn = Type.Object(
  {
    status: Type.Optional(
      Type.Integer({ minimum: 100, maximum: 599, description: 'The local response status' }),
    ),
    headers: Type.Optional(Headers),
    body: Type.Optional(
      Type.String({ maxLength: 1_000_000, description: 'The local response body (Herald keeps 16 KiB)' }),
    ),
    error: Type.Optional(
      Type.Union(
        RELAY_ERROR_CLASSES.map((name) => Type.Literal(name)),
        { description: 'Why the local request got no response, instead of status' },
      ),
    ),
    detail: Type.Optional(Type.String({ maxLength: 1000 })),
    durationMs: Type.Integer({ minimum: 0, description: 'How long the local request took' }),
  },
  { additionalProperties: false },
);
