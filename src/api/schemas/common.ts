/** TypeBox building blocks shared by the resource schemas. Field names and limits follow the Svix contract. */
import { Type, type TSchema } from '@sinclair/typebox';

export const NAME_PATTERN = '^[a-zA-Z0-9\\-_.]+$';

/**
 * Free text stored in a text column: anything but NUL, which PostgreSQL cannot store (it would be a 500 there,
 * and SQLite would keep it).
 */
export const TEXT_PATTERN = '^[^\\x00]*$';

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const Uid = Type.String({
  minLength: 1,
  maxLength: 256,
  pattern: NAME_PATTERN,
  description: 'Your own unique identifier; it works anywhere the id does',
});

export const EventTypeName = Type.String({ maxLength: 256, pattern: NAME_PATTERN, example: 'user.signup' });

export const Channel = Type.String({ maxLength: 128, pattern: NAME_PATTERN, example: 'project_1337' });

/** Free-form string labels; bounded so a single record cannot grow without limit. */
export const Metadata = Type.Record(Type.String({ maxLength: 256 }), Type.String({ maxLength: 4096 }), {
  maxProperties: 64,
  // TypeBox does not carry the key schema into the JSON Schema; this bounds the keys too.
  propertyNames: { maxLength: 256 },
});

export const Timestamp = Type.String({ format: 'date-time' });

export const ThrottleRate = Type.Integer({
  minimum: 1,
  maximum: 65535,
  description: 'Maximum messages per second to send',
});

/** `throttleRate` under the name newer svix SDKs use. */
export const RateLimit = Type.Integer({
  minimum: 1,
  maximum: 65535,
  description: 'The same as throttleRate, under the name newer svix SDKs use; send one or the other',
});

export const Ordering = Type.Union([Type.Literal('ascending'), Type.Literal('descending')]);

/** The most retries a retry schedule (an endpoint's, an event type's) may list. */
export const MAX_RETRIES = 20;

export const MAX_PAGE_SIZE = 250;
export const DEFAULT_PAGE_SIZE = 50;

export const PageQueryString = {
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, description: `Page size, at most ${MAX_PAGE_SIZE}` }),
  ),
  iterator: Type.Optional(
    Type.String({ maxLength: 300, description: 'The iterator (or prevIterator) returned by a prior page' }),
  ),
};

/** The query of a listing that can be read oldest or newest first. */
export const OrderedPageQuery = Type.Object({ ...PageQueryString, order: Type.Optional(Ordering) });

export const ListResponse = <T extends TSchema>(item: T) =>
  Type.Object({
    data: Type.Array(item),
    iterator: Nullable(Type.String()),
    prevIterator: Nullable(Type.String()),
    done: Type.Boolean(),
  });

export const HttpErrorOut = Type.Object(
  {
    code: Type.String({ description: 'A stable machine-readable error code' }),
    detail: Type.String({ description: 'What went wrong and what to change' }),
  },
  { additionalProperties: true },
);

export const AppIdParam = Type.String({ minLength: 1, maxLength: 256, pattern: NAME_PATTERN });

export const AppParams = Type.Object({ app_id: AppIdParam });

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
});

/** The standard error responses every authenticated route may give, for the OpenAPI document. */
export const errorResponses = {
  400: HttpErrorOut,
  401: HttpErrorOut,
  403: HttpErrorOut,
  404: HttpErrorOut,
  409: HttpErrorOut,
  413: HttpErrorOut,
  422: HttpErrorOut,
  429: HttpErrorOut,
  503: HttpErrorOut,
};

export const toIso = (ms: number) => new Date(ms).toISOString();
