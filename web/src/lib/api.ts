/** Calls Herald's API with the signed-in key. Every failure becomes an ApiError whose message says what to do. */
import type { Page } from './types';

export const API_BASE = '/api/v1';

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
function describe(status: number, body: unknown): ApiError {
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

export type Query = Record<string, string | number | boolean | string[] | undefined | null>;

export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) value.forEach((item) => params.append(name, item));
    else params.set(name, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export class Api {
  constructor(
    private readonly token: string,
    /** Called when the key stops working (revoked, expired), so the app can ask for another. */
    private readonly onUnauthorized: (detail: string) => void = () => {},
  ) {}

  async request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${API_BASE}${path}${queryString(query)}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'network', 'Herald cannot be reached; check that it is running, then try again');
    }
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      parsed = null;
    }
    if (!response.ok) {
      const error = describe(response.status, parsed);
      if (response.status === 401) this.onUnauthorized(error.message);
      throw error;
    }
    return parsed as T;
  }

  get<T>(path: string, query?: Query) {
    return this.request<T>('GET', path, undefined, query);
  }
  post<T>(path: string, body: unknown = {}, query?: Query) {
    return this.request<T>('POST', path, body, query);
  }
  put<T>(path: string, body: unknown) {
    return this.request<T>('PUT', path, body);
  }
  patch<T>(path: string, body: unknown) {
    return this.request<T>('PATCH', path, body);
  }
  del(path: string, query?: Query) {
    return this.request<null>('DELETE', path, undefined, query);
  }

  /** Every page of a list, up to `max` items. */
  async all<T>(path: string, query: Query = {}, max = 1000): Promise<T[]> {
    const items: T[] = [];
    let iterator: string | null = null;
    do {
      const page: Page<T> = await this.get<Page<T>>(path, { ...query, limit: 250, iterator });
      items.push(...page.data);
      iterator = page.done ? null : page.iterator;
    } while (iterator !== null && items.length < max);
    return items.slice(0, max);
  }
}

export const enc = encodeURIComponent;
