/** Calls Herald's API with the signed-in key. Every failure becomes an ApiError whose message says what to do. */
import type { Page } from './types';
import { ApiError, describe } from './api-error';

export { ApiError, placeOf, type ApiProblem } from './api-error';

export const API_BASE = '/api/v1';

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
