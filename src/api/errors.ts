/**
 * The API's one error type and the one handler that turns every failure into its body with the right status:
 * `{code, detail}` (Svix's `HttpErrorOut`), or for a 422 `{code, detail: [{loc, msg, type}, …]}` (Svix's
 * `HTTPValidationError`, see problems.ts). `detail` always tells the caller what to fix. Nothing unexpected
 * leaks: a bug becomes a logged 500 with a generic body.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseBusy, isDatabaseUnavailable, UniqueViolation } from '../store/index.js';
import {
  describeProblem,
  type Loc,
  partOf,
  pointerSegments,
  problemFromSentence,
  type ValidationProblem,
} from './problems.js';

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

/**
 * A 422: the request is well-formed but some of its values are not acceptable. `problems` become the body's
 * `detail` list; `detail` (what logs and the audit log read) is them as one sentence.
 */
export class ValidationFailed extends HttpError {
  constructor(
    readonly problems: ValidationProblem[],
    code = 'validation',
  ) {
    super(422, code, problems.map(describeProblem).join('; '));
  }
}

/**
 * A 422 about the value at `loc` (`['body', 'url']`, `['query', 'limit']`), named as the caller sent it; `msg`
 * says what is wrong and what to do without repeating the place. A list of problems covers a request whose
 * problem is in several fields. The one-string form (a sentence that starts with its place, such as
 * `body.url must …`) is kept for older call sites: the place is read from the sentence, or is the whole body.
 */
export function unprocessable(loc: Loc, msg: string, type?: string): ValidationFailed;
export function unprocessable(problems: ValidationProblem[]): ValidationFailed;
export function unprocessable(sentence: string): ValidationFailed;
export function unprocessable(
  first: Loc | ValidationProblem[] | string,
  msg?: string,
  type = 'value_error',
): ValidationFailed {
  if (typeof first === 'string') return new ValidationFailed([problemFromSentence(first)]);
  if (msg === undefined) return new ValidationFailed(first as ValidationProblem[]);
  return new ValidationFailed([{ loc: [...(first as Loc)], msg, type }]);
}

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

/** Turns an Ajv issue into a problem such as `{loc: ['body', 'url'], msg: 'must match format "uri"'}`. */
function problemOf(context: string | undefined, issue: ValidationIssue): ValidationProblem {
  const loc = [partOf(context), ...pointerSegments(issue.instancePath)];
  let msg = issue.message ?? 'is invalid';
  let type = `value_error.${issue.keyword}`;
  switch (issue.keyword) {
    case 'required':
      loc.push(String(issue.params.missingProperty));
      msg = 'is required';
      type = 'value_error.missing';
      break;
    case 'additionalProperties':
      loc.push(String(issue.params.additionalProperty));
      msg = 'is not a known field';
      type = 'value_error.extra';
      break;
    case 'enum':
      msg = `must be one of ${(issue.params.allowedValues as unknown[]).join(', ')}`;
      break;
    case 'type':
      type = `type_error.${String(issue.params.type).split(',')[0]}`;
      break;
  }
  return { loc, msg, type };
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
    http = new ValidationFailed(error.validation.map((issue) => problemOf(error.validationContext, issue)));
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
  // A 422's detail is its list of problems (Svix's HTTPValidationError); `code` stays for Herald's own clients.
  // A 422 made some other way (`new HttpError(422, …)`) still answers the list, its place read from the sentence.
  const detail =
    http instanceof ValidationFailed
      ? http.problems
      : http.statusCode === 422
        ? [problemFromSentence(http.detail)]
        : http.detail;
  return reply
    .status(http.statusCode)
    .headers(http.headers)
    .send({ code: http.code, detail, ...http.extra });
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
