import { Type, type Static } from '@sinclair/typebox';
import { Metadata, Nullable, RateLimit, TEXT_PATTERN, ThrottleRate, Timestamp, Uid } from './common.js';

const Name = Type.String({
  minLength: 1,
  maxLength: 256,
  pattern: TEXT_PATTERN,
  example: 'My first application',
});

export const ApplicationIn = Type.Object({
  name: Name,
  uid: Type.Optional(Nullable(Uid)),
  metadata: Type.Optional(Metadata),
  /** Messages per second at most to all the application's endpoints together (docs/delivery.md#rate-limits). */
  throttleRate: Type.Optional(Nullable(ThrottleRate)),
  rateLimit: Type.Optional(Nullable(RateLimit)),
});
export type ApplicationIn = Static<typeof ApplicationIn>;

/** PATCH takes the fields of a create, each optional. */
export const ApplicationPatch = Type.Partial(ApplicationIn);
export type ApplicationPatch = Static<typeof ApplicationPatch>;

export const ApplicationOut = Type.Object({
  id: Type.String({ example: 'app_01JDQ8Z5S3V6J8K2M4N7P9R1T3' }),
  uid: Nullable(Type.String()),
  name: Type.String(),
  metadata: Type.Record(Type.String(), Type.String()),
  throttleRate: Nullable(Type.Integer()),
  rateLimit: Nullable(Type.Integer({ description: 'The same as throttleRate, for the svix SDKs' })),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
