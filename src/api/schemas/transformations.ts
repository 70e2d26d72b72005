/** Svix's endpoint transformation: code with the `handler(webhook)` contract, whether it runs, and a simulation. */
import { Type, type Static } from '@sinclair/typebox';
import { Channel, EventTypeName, Nullable, Timestamp } from './common.js';

const Code = Type.String({
  minLength: 10,
  maxLength: 51_200,
  description: 'JavaScript that declares `function handler(webhook)`; see docs/transformations.md',
  example: 'function handler(webhook) { return webhook; }',
});

const Variables = Type.Record(Type.String(), Type.String({ maxLength: 4096 }), {
  maxProperties: 100,
  description:
    'Named strings kept with the transformation (Svix field); the code reads them as `webhook.variables`',
});

export const TransformationOut = Type.Object({
  code: Type.Optional(Nullable(Type.String())),
  enabled: Type.Boolean({ default: false }),
  variables: Type.Optional(Nullable(Type.Record(Type.String(), Type.String()))),
  updatedAt: Type.Optional(Nullable(Timestamp)),
});

export const TransformationPatch = Type.Object({
  code: Type.Optional(Nullable(Code)),
  enabled: Type.Optional(
    Type.Boolean({ description: 'Whether deliveries run the code; enabling needs code that compiles' }),
  ),
  variables: Type.Optional(Nullable(Variables)),
});
export type TransformationPatch = Static<typeof TransformationPatch>;

export const TransformationSimulateIn = Type.Object({
  code: Code,
  eventType: EventTypeName,
  channels: Type.Optional(Nullable(Type.Array(Channel, { maxItems: 10 }))),
  payload: Type.Object({}, { additionalProperties: true }),
  variables: Type.Optional(Nullable(Variables)),
});

export const TransformationSimulateOut = Type.Object({
  url: Type.String(),
  payload: Type.String({ description: 'The body the endpoint would receive' }),
  method: Nullable(Type.Union([Type.Literal('POST'), Type.Literal('PUT'), Type.Literal('PATCH')])),
  cancel: Type.Boolean(),
  headers: Type.Optional(
    Type.Record(Type.String(), Type.String(), {
      description: 'Herald: the headers the code adds to the request',
    }),
  ),
});
