/**
 * Validation problems in Svix's `HTTPValidationError` shape: a 422 answers `{detail: [{loc, msg, type}, …]}`.
 * `loc` says where the problem is in the request the caller sent, starting with the part (`body`, `query`,
 * `path`, `header`) and going on with the field names exactly as sent (`["body", "filterTypes"]`,
 * `["body", "channels", "0"]`). Every element is a string, as Svix's schema says. `msg` says what is wrong and
 * what to do, without repeating the place: read together they make a sentence, `body.url must use https://`.
 */

/** Where the request sent the value: its part, then field names and array indexes, all as strings. */
export type Loc = readonly string[];

export interface ValidationProblem {
  loc: string[];
  msg: string;
  /** `value_error`, `type_error` or a more precise kind, such as `value_error.missing`. */
  type: string;
  /** Anything else that helps a client, such as a template problem's `line` and `column`. */
  [more: string]: unknown;
}

const PARTS = new Set(['body', 'query', 'path', 'header']);
const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/** `["body", "filter", "payload.amount", "$gte"]` as `body.filter["payload.amount"].$gte`. */
export function formatLoc(loc: Loc): string {
  return loc
    .map((segment, index) => {
      if (index === 0) return segment;
      if (/^\d+$/.test(segment)) return `[${segment}]`;
      return IDENTIFIER.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
    })
    .join('');
}

/** One problem as a sentence: `body.url must use https://`. */
export const describeProblem = (problem: ValidationProblem) => `${formatLoc(problem.loc)} ${problem.msg}`;

/**
 * What an error body says, as one line: its `detail` sentence, or a 422's problems as sentences. Null when
 * the body is not one of Herald's (or Svix's) error bodies.
 */
export function errorBodyText(body: unknown): string | null {
  const detail = (body as { detail?: unknown } | null)?.detail;
  if (typeof detail === 'string') return detail;
  if (!Array.isArray(detail)) return null;
  return detail
    .filter((item): item is ValidationProblem => Array.isArray(item?.loc) && typeof item?.msg === 'string')
    .map(describeProblem)
    .join('; ');
}

/**
 * Reads a place written as `formatLoc` writes it (`body.schemas["2"].examples[1]`) from the start of `text`.
 * Returns the place and the text after it, or null when `text` does not start with one of the request's parts.
 */
export function parseLoc(text: string): { loc: string[]; rest: string } | null {
  const first = /^(body|query|path|header)\b/.exec(text);
  if (!first) return null;
  const loc = [first[1]!];
  let at = first[0].length;
  for (;;) {
    const rest = text.slice(at);
    const dotted = /^\.([A-Za-z_$][\w$-]*)/.exec(rest);
    const index = /^\[(\d+)\]/.exec(rest);
    const quoted = /^\[("(?:[^"\\]|\\.)*")\]/.exec(rest);
    const match = dotted ?? index ?? quoted;
    if (!match) break;
    loc.push(quoted ? (JSON.parse(quoted[1]!) as string) : match[1]!);
    at += match[0].length;
  }
  return { loc, rest: text.slice(at) };
}

/**
 * A problem from one of Herald's sentences that starts with its place, such as `body.key: too short` or
 * `query.limit must be at most 250`. A sentence that names no place is about the body as a whole.
 */
export function problemFromSentence(sentence: string, type = 'value_error'): ValidationProblem {
  const parsed = parseLoc(sentence);
  if (parsed === null || !PARTS.has(parsed.loc[0]!)) return { loc: ['body'], msg: sentence, type };
  const msg = parsed.rest.replace(/^\s*:?\s*/, '');
  return { loc: parsed.loc, msg: msg === '' ? 'is invalid' : msg, type };
}

/** Ajv's JSON pointer (`/channels/0/a~1b`) as loc segments (`channels`, `0`, `a/b`). */
export function pointerSegments(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** Fastify's name for a part of the request, as Svix (and FastAPI) name it in `loc`. */
export function partOf(validationContext: string | undefined): string {
  switch (validationContext) {
    case 'querystring':
      return 'query';
    case 'params':
      return 'path';
    case 'headers':
      return 'header';
    default:
      return 'body';
  }
}
