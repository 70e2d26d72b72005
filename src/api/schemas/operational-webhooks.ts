/** Operational-webhook endpoints: Svix's `OperationalWebhookEndpoint…` models. */
import { Type, type Static } from '@sinclair/typebox';
import { OPERATIONAL_EVENT_TYPES } from '../../delivery/operational-events.js';
import { Metadata, Nullable, RateLimit, ThrottleRate, Uid } from './common.js';
import { Description, EndpointOut, HeaderMap, Secret, Url } from './endpoints.js';

const operationalEventTypes = (description: string) =>
  Type.Array(Type.Union(OPERATIONAL_EVENT_TYPES.map((name) => Type.Literal(name))), {
    minItems: 1,
    uniqueItems: true,
    description,
    example: ['message.attempt.failing'],
  });

/** What a PUT replaces: every setting but the secret and the custom headers, which have routes of their own. */
export const OperationalWebhookEndpointUpsertIn = Type.Object({
  url: Url,
  uid: Type.Optional(Nullable(Uid)),
  description: Type.Optional(Description),
  disabled: Type.Optional(Type.Boolean()),
  eventTypes: Type.Optional(
    Nullable(
      operationalEventTypes(
        `Operational events this endpoint receives (omit or null for all): ${OPERATIONAL_EVENT_TYPES.join(', ')}`,
      ),
    ),
  ),
  filterTypes: Type.Optional(Nullable(operationalEventTypes('The same as eventTypes, for the svix SDKs'))),
  metadata: Type.Optional(Metadata),
  throttleRate: Type.Optional(Nullable(ThrottleRate)),
  rateLimit: Type.Optional(Nullable(RateLimit)),
});
export type OperationalWebhookEndpointUpsertIn = Static<typeof OperationalWebhookEndpointUpsertIn>;

export const OperationalWebhookEndpointIn = Type.Object({
  ...OperationalWebhookEndpointUpsertIn.properties,
  secret: Type.Optional(Nullable(Secret)),
  headers: Type.Optional(Nullable(HeaderMap)),
});

/** The fields of an endpoint that an operational-webhook endpoint has, as Svix's `OperationalWebhookEndpointOut`. */
export const OPERATIONAL_ENDPOINT_FIELDS = [
  'id',
  'uid',
  'url',
  'description',
  'disabled',
  'eventTypes',
  'filterTypes',
  'metadata',
  'throttleRate',
  'rateLimit',
  'createdAt',
  'updatedAt',
] as const;

export const OperationalWebhookEndpointOut = Type.Pick(EndpointOut, OPERATIONAL_ENDPOINT_FIELDS);

export const OperationalWebhookEndpointParams = Type.Object({ endpoint_id: Uid });
