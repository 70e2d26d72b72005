/**
 * The API's one error type and the one handler that turns every failure into `{code, detail}` with the right
 * status. `detail` always tells the caller what to fix. Nothing unexpected leaks: a bug becomes a logged 500
 * with a generic body.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseBusy, isDatabaseUnavailable, UniqueViolation } from '../store/index.js';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
    /** Response headers that go with the error, such as `Retry-After`. */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpError';
  }
}

export const notFound = (what: string, id: string) =>
  new HttpError(404, 'not_found', `${what} "${id}" does not exist; check the id or uid`);

export const conflict = (detail: string) => new HttpError(409, 'conflict', detail);

export const forbidden = (detail: string) => new HttpError(403, 'forbidden', detail);

export const badRequest = (detail: string) => new HttpError(400, 'bad_request', detail);

export const unprocessable = (detail: string) => new HttpError(422, 'validation', detail);

/** Seconds a caller is asked to wait when the database was too busy to answer in time. */
export const DATABASE_BUSY_RETRY_SECONDS = 1;
/**
 * Seconds a caller is asked to wait when the database cannot be reached: an outage (a restart, a failover)
 * usually lasts seconds, and callers that all come back at once every second would only add to the load.
 */
export const DATABASE_UNAVAILABLE_RETRY_SECONDS = 5;

/**
 * The database cannot be reached. `what` says what that means for the caller; by default, that the request
 * was not carried out (or, for a write whose connection was cut, may not have been) and should be sent again.
 */
export const databaseUnavailable = (
  what = `the request was not carried out; send it again in ${DATABASE_UNAVAILABLE_RETRY_SECONDS} s (Retry-After)`,
) =>
  new HttpError(
    503,
    'database_unavailable',
    `the database does not answer (it is down, restarting or unreachable); ${what}`,
    {},
    { 'retry-after': String(DATABASE_UNAVAILABLE_RETRY_SECONDS) },
  );

interface ValidationIssue {
  instancePath: string;
  message?: string | undefined;
  keyword: string;
  params: Record<string, unknown>;
}

/** Turns an Ajv issue into a sentence such as `body.url: must match format "uri"`. */
function describeIssue(
  context: string,
  issue: ValidationIssue,
): { loc: string[]; msg: string; type: string } {
  const path = issue.instancePath.split('/').filter(Boolean);
  if (issue.keyword === 'required') path.push(String(issue.params.missingProperty));
  if (issue.keyword === 'additionalProperties') path.push(String(issue.params.additionalProperty));
  const loc = [context, ...path];
  let msg = issue.message ?? 'is invalid';
  if (issue.keyword === 'required') msg = 'is required';
  if (issue.keyword === 'enum')
    msg = `must be one of ${(issue.params.allowedValues as unknown[]).join(', ')}`;
  if (issue.keyword === 'additionalProperties') msg = 'is not a known field';
  return { loc, msg, type: `value_error.${issue.keyword}` };
}

const FASTIFY_ERRORS: Record<string, (error: FastifyError) => HttpError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () =>
    new HttpError(
      413,
      'payload_too_large',
      'the request body is larger than this server accepts; send less data',
    ),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    new HttpError(415, 'unsupported_media_type', 'send the body as JSON with Content-Type: application/json'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () =>
    badRequest(
      'the body is empty but Content-Type is application/json; send a JSON object or drop the header',
    ),
  FST_ERR_CTP_INVALID_JSON_BODY: (error) =>
    new HttpError(400, 'invalid_json', `the body is not valid JSON: ${error.message}`),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    badRequest('Content-Length does not match the body that was sent'),
  FST_ERR_BAD_URL: () =>
    badRequest(
      'the request path is not a valid URL; check its percent-escapes (%XX) and encode them properly',
    ),
  FST_ERR_MAX_PARAM_LENGTH: () =>
    new HttpError(
      414,
      'uri_too_long',
      'a path parameter is too long; ids and uids have at most 256 characters',
    ),
};

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  let http: HttpError | undefined;
  if (error instanceof HttpError) http = error;
  else if (error instanceof UniqueViolation) http = conflict(uniqueDetail(error.target));
  else if (isDatabaseBusy(error)) {
    // The statement was cancelled; a request that repeats a write is safe with an idempotency key.
    request.log.warn({ err: error }, 'the database was too busy to answer in time');
    http = new HttpError(
      503,
      'database_busy',
      `the database was too busy to answer in time; send the request again in ${DATABASE_BUSY_RETRY_SECONDS} s (Retry-After)`,
      {},
      { 'retry-after': String(DATABASE_BUSY_RETRY_SECONDS) },
    );
  } else if (isDatabaseUnavailable(error)) {
    // A write cut off with its connection may or may not have committed; repeating it is safe with an
    // idempotency key or an eventId. What was answered 2xx before the outage is stored.
    request.log.error({ err: error }, 'the database cannot be reached');
    http = databaseUnavailable();
  } else if (error.validation) {
    const issues = error.validation.map((issue) => describeIssue(error.validationContext ?? 'body', issue));
    const detail = issues.map((issue) => `${issue.loc.join('.')} ${issue.msg}`).join('; ');
    http = new HttpError(422, 'validation', detail, { errors: issues });
  } else if (error.code && FASTIFY_ERRORS[error.code]) http = FASTIFY_ERRORS[error.code]!(error);
  else if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY')
    http = new HttpError(400, 'invalid_json', `the body is not valid JSON: ${error.message}`);
  else if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500)
    http = new HttpError(error.statusCode, 'bad_request', error.message);

  if (!http) {
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send({
      code: 'internal_error',
      detail: 'Herald failed to handle this request; the error is in its log',
    });
  }
  return reply
    .status(http.statusCode)
    .headers(http.headers)
    .send({ code: http.code, detail: http.detail, ...http.extra });
}

function uniqueDetail(target: string): string {
  switch (target) {
    case 'application.uid':
      return 'another application already has this uid; choose a different uid';
    case 'endpoint.uid':
      return 'another endpoint of this application already has this uid; choose a different uid';
    case 'event_type.name':
      return 'an event type with this name already exists; update it with PUT or PATCH instead';
    default:
      return `this value is already taken (${target})`;
  }
}
