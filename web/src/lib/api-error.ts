/** The API's error bodies, read into an ApiError whose message says what went wrong (no imports: tests read it). */

/** One problem of a 422, as Svix's `HTTPValidationError` lists them: where it is in the request, and the fix. */
export interface ApiProblem {
  loc: string[];
  msg: string;
  type?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    /** A 422's problems, each naming its field as the request sent it. */
    readonly problems: ApiProblem[] = [],
  ) {
    super(detail);
    this.name = 'ApiError';
  }

  /**
   * The problems with the body's top-level fields, by field name (`url`, `channels`), to show at the form
   * field that sends it; a nested place stays in the message (`[1] must match pattern …`).
   */
  fieldErrors(): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const { loc, msg } of this.problems) {
      if (loc[0] !== 'body' || loc[1] === undefined) continue;
      const inner = placeOf(loc.slice(2));
      fields[loc[1]] ??= inner === '' ? msg : `${inner} ${msg}`;
    }
    return fields;
  }
}

/** `["filter", "payload.amount", "$gte"]` as `filter["payload.amount"].$gte`, the way the API names places. */
export function placeOf(path: string[]): string {
  return path
    .map((segment, index) => {
      if (/^\d+$/.test(segment)) return `[${segment}]`;
      if (!/^[A-Za-z_$][\w$-]*$/.test(segment)) return `[${JSON.stringify(segment)}]`;
      return index === 0 ? segment : `.${segment}`;
    })
    .join('');
}

/**
 * Turns an error body into one message: `{code, detail}`'s sentence, or a 422's problems
 * (`{detail: [{loc, msg, type}]}`) as sentences, each naming its field without the request part ("body").
 */
export function describe(status: number, body: unknown): ApiError {
  const { code, detail } = (body && typeof body === 'object' ? body : {}) as {
    code?: string;
    detail?: unknown;
  };
  if (typeof detail === 'string' && detail !== '') return new ApiError(status, code ?? 'error', detail);
  if (Array.isArray(detail)) {
    const problems = (detail as ApiProblem[]).filter(
      (item) => Array.isArray(item?.loc) && typeof item?.msg === 'string',
    );
    // A problem that spans fields is listed once per field with the same message; say it once.
    const messages = new Map<string, string>();
    for (const { loc, msg } of problems) {
      const place = placeOf(loc.slice(1));
      if (!messages.has(msg)) messages.set(msg, place === '' ? msg : `${place} ${msg}`);
    }
    const text = [...messages.values()].join('; ');
    return new ApiError(status, code ?? 'validation', text || `the server answered ${status}`, problems);
  }
  return new ApiError(status, 'error', `the server answered ${status}; try again, or check Herald's log`);
}
