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

/** One validation problem, as Svix's `ValidationError`: where it is in the request, and what to do. */
export const ValidationErrorSchema = Type.Object(
  {
    loc: Type.Array(Type.String(), {
      description:
        'Where the value is in the request: the part (`body`, `query`, `path`, `header`), then field names as ' +
        'the request sent them and array indexes, as strings (`["body", "channels", "0"]`)',
    }),
    msg: Type.String({
      description: 'What is wrong with the value and what to change, without repeating loc',
    }),
    type: Type.String({ description: 'The kind of problem: `value_error…` or `type_error…`' }),
  },
  {
    $id: 'ValidationError',
    additionalProperties: true,
    description: 'One problem of a 422; a template problem also has its `line` and `column`.',
  },
);

/**
 * Svix's `HTTPValidationError`, the body of every 422. `code` (`validation`, or `idempotency_key_reused`) is
 * Herald's, so that a client can branch on `code` whatever the status; Svix clients ignore it.
 */
export const HTTPValidationErrorSchema = Type.Object(
  {
    code: Type.Optional(
      Type.String({ description: "Herald's error code: `validation` or `idempotency_key_reused`" }),
    ),
    detail: Type.Array(Type.Ref(ValidationErrorSchema)),
  },
  { $id: 'HTTPValidationError', additionalProperties: true },
);

/** The schemas responses refer to by `$ref`, added to the server once (and named so in the OpenAPI document). */
export const sharedSchemas = [ValidationErrorSchema, HTTPValidationErrorSchema];

export const HTTPValidationError = Type.Ref(HTTPValidationErrorSchema);

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
  422: HTTPValidationError,
  429: HttpErrorOut,
  503: HttpErrorOut,
};

export const toIso = (ms: number) => new Date(ms).toISOString();
