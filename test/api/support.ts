/** Small helpers shared by the API behaviour tests: requests with `inject()`, error assertions, seed data. */
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import {
  DeliveryStatus,
  TriggerType,
  type Attempt,
  type JsonObject,
  type Message,
} from '../../src/store/index.js';
import { formatLoc } from '../../src/api/problems.js';
import { newId } from '../../src/util/ids.js';
import type { ApiFixture } from '../helpers/env.js';

export const V1 = '/api/v1';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
export type Headers = Record<string, string>;

export interface Client {
  send(method: Method, path: string, payload?: unknown, headers?: Headers): Promise<LightMyRequestResponse>;
  get(path: string, headers?: Headers): Promise<LightMyRequestResponse>;
  post(path: string, payload?: unknown, headers?: Headers): Promise<LightMyRequestResponse>;
  put(path: string, payload?: unknown, headers?: Headers): Promise<LightMyRequestResponse>;
  patch(path: string, payload?: unknown, headers?: Headers): Promise<LightMyRequestResponse>;
  del(path: string, headers?: Headers): Promise<LightMyRequestResponse>;
}

/** Requests under /api/v1 with the given credentials (the admin key by default; `null` for none). */
export function client(f: ApiFixture, auth: Headers | null = f.admin): Client {
  const send: Client['send'] = (method, path, payload, headers) => {
    const all: Headers = { ...(auth ?? {}) };
    if (payload !== undefined) all['content-type'] = 'application/json';
    Object.assign(all, headers);
    return f.api.inject({
      method,
      url: `${V1}${path}`,
      headers: all,
      // Objects are sent as JSON; strings and buffers are sent as they are, for malformed bodies.
      ...(payload !== undefined && {
        payload: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
      }),
    });
  };
  return {
    send,
    get: (path, headers) => send('GET', path, undefined, headers),
    post: (path, payload, headers) => send('POST', path, payload, headers),
    put: (path, payload, headers) => send('PUT', path, payload, headers),
    patch: (path, payload, headers) => send('PATCH', path, payload, headers),
    del: (path, headers) => send('DELETE', path, undefined, headers),
  };
}

/** A 422's problems, as Svix's `HTTPValidationError` has them. */
export interface Problem {
  loc: string[];
  msg: string;
  type: string;
  [more: string]: unknown;
}

/**
 * Asserts that `body` has Svix's `HTTPValidationError` shape (`{detail: [{loc, msg, type}, …]}`, every `loc` a
 * non-empty list of strings starting with the request's part) and returns its problems as one sentence.
 */
export function expectValidationShape(body: unknown): { text: string; problems: Problem[] } {
  const detail = (body as { detail?: unknown }).detail;
  expect(Array.isArray(detail), JSON.stringify(body)).toBe(true);
  const problems = detail as Problem[];
  expect(problems.length).toBeGreaterThan(0);
  for (const problem of problems) {
    expect(problem.loc.length, JSON.stringify(problem)).toBeGreaterThan(0);
    expect(['body', 'query', 'path', 'header']).toContain(problem.loc[0]);
    for (const segment of problem.loc) expect(typeof segment, JSON.stringify(problem)).toBe('string');
    expect(typeof problem.msg).toBe('string');
    expect(problem.msg.length).toBeGreaterThan(0);
    expect(typeof problem.type).toBe('string');
  }
  return { text: problems.map((p) => `${formatLoc(p.loc)} ${p.msg}`).join('; '), problems };
}

/**
 * Asserts an error response: the status, a JSON body and its code. Other errors are `{code, detail}` with a
 * non-empty string; a 422 is Svix's `HTTPValidationError`, and comes back with `detail` as one sentence (each
 * problem's place and message) and its list in `problems`. `detail` is matched against that sentence.
 */
export function expectError(
  res: LightMyRequestResponse,
  status: number,
  code?: string,
  detail?: RegExp | string,
): { code: string; detail: string; problems: Problem[] } & Record<string, unknown> {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json() as { code: unknown; detail: unknown } & Record<string, unknown>;
  expect(typeof body.code).toBe('string');
  let text: string;
  let problems: Problem[] = [];
  if (status === 422) ({ text, problems } = expectValidationShape(body));
  else {
    expect(typeof body.detail).toBe('string');
    text = body.detail as string;
  }
  expect(text.length).toBeGreaterThan(0);
  if (code !== undefined) expect(body.code).toBe(code);
  if (detail !== undefined) expect(text).toMatch(detail);
  return { ...body, code: body.code as string, detail: text, problems };
}

export async function createApp(
  f: ApiFixture,
  body: Record<string, unknown> = {},
): Promise<{ id: string; uid: string | null; name: string }> {
  const res = await client(f).post('/app', { name: 'An application', ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

export async function createEndpoint(
  f: ApiFixture,
  app: string,
  body: Record<string, unknown> = {},
): Promise<{ id: string; uid: string | null; url: string }> {
  const res = await client(f).post(`/app/${app}/endpoint`, { url: 'https://example.com/hook', ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

export async function createEventType(
  f: ApiFixture,
  name: string,
  body: Record<string, unknown> = {},
): Promise<void> {
  const res = await client(f).post('/event-type', { name, description: `The ${name} event`, ...body });
  expect(res.statusCode, res.body).toBe(201);
}

/** A message stored directly, as the (not yet built) message-create route would, with one delivery per endpoint. */
export async function seedMessage(
  f: ApiFixture,
  appId: string,
  options: {
    eventType?: string;
    eventId?: string | null;
    payload?: JsonObject | null;
    channels?: string[] | null;
    createdAt?: number;
    endpointIds?: string[];
  } = {},
): Promise<{ message: Message; deliveries: Array<{ id: string; endpointId: string }> }> {
  const createdAt = options.createdAt ?? Date.now();
  const message: Message = {
    id: newId('message', createdAt),
    appId,
    eventType: options.eventType ?? 'user.signup',
    eventId: options.eventId ?? null,
    payload: options.payload === undefined ? { hello: 'world' } : options.payload,
    orderingKey: null,
    channels: options.channels ?? null,
    createdAt,
  };
  const deliveries = (options.endpointIds ?? []).map((endpointId) => ({
    id: newId('delivery', createdAt),
    endpointId,
  }));
  const result = await f.store.messageCreate({ message, deliveries });
  expect(result.created).toBe(true);
  return { message, deliveries };
}

export async function seedAttempt(
  f: ApiFixture,
  delivery: { appId: string; msgId: string; endpointId: string; deliveryId: string },
  options: Partial<Omit<Attempt, 'appId' | 'msgId' | 'endpointId' | 'deliveryId'>> = {},
): Promise<Attempt> {
  const createdAt = options.createdAt ?? Date.now();
  const attempt: Attempt = {
    id: newId('attempt', createdAt),
    url: 'https://example.com/hook',
    status: DeliveryStatus.Success,
    responseStatusCode: 200,
    responseBody: 'ok',
    responseHeaders: { 'content-type': 'text/plain' },
    requestHeaders: { 'webhook-id': delivery.msgId },
    requestBody: null,
    durationMs: 12,
    triggerType: TriggerType.Scheduled,
    errorClass: null,
    errorDetail: null,
    ...options,
    ...delivery,
    createdAt,
  };
  await f.store.attemptInsertMany([attempt]);
  return attempt;
}
