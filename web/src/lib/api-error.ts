/** The API's error bodies, read into an ApiError whose message says what went wrong (no imports: tests read it). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    /** Each problem the API named, such as `applications.0.endpoints.2.url: must match format "uri"`. */
    readonly problems: string[] = [],
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}

interface Problem {
  loc?: Array<string | number>;
  msg?: string;
}

const problemText = (problem: Problem) =>
  [(problem.loc ?? []).join('.'), problem.msg ?? ''].filter(Boolean).join(': ');

/**
 * Turns the API's `{code, detail, errors}` into one sentence. `detail` is a sentence, or (as Svix's 422
 * bodies) a list of `{loc, msg}`; either way each problem is also kept on its own.
 */
export function describe(status: number, body: unknown): ApiError {
  if (body && typeof body === 'object' && 'detail' in body) {
    const { code, detail, errors } = body as {
      code?: string;
      detail?: string | Problem[];
      errors?: Problem[];
    };
    const listed = [...(Array.isArray(detail) ? detail : []), ...(errors ?? [])];
    const problems = [...new Set(listed.map(problemText).filter(Boolean))];
    const sentence = typeof detail === 'string' ? detail : '';
    const text = [sentence, ...problems.filter((text) => !sentence.includes(text))]
      .filter(Boolean)
      .join('; ');
    return new ApiError(status, code ?? 'error', text || `the server answered ${status}`, problems);
  }
  return new ApiError(status, 'error', `the server answered ${status}; try again, or check Herald's log`);
}
