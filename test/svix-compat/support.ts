/**
 * The harness for the port of the Svix server's end-to-end suite (svix/svix-webhooks,
 * server/svix-server/tests/it/e2e_*.rs). Each Svix file becomes one `describeSvix` block run on SQLite and on
 * PostgreSQL, against a real Herald on 127.0.0.1 reached with `fetch`, and real receivers.
 *
 * How Svix's server-wide settings map onto Herald:
 * - `retry_schedule` (server-wide) becomes each endpoint's `retrySchedule` (in seconds; Svix's 1 ms is 0 here).
 * - Where Herald keeps a different default on purpose, SVIX_ENV turns on the setting that restores Svix's
 *   behaviour: `svix-*` delivery headers, replayed answers for a reused Idempotency-Key, 403 and 404 for an
 *   application key outside its application.
 * - Svix's organisation token is Herald's admin key; an application token from app-portal-access is Herald's
 *   application-scoped key (`hk_app_…`).
 */
import fs from 'node:fs';
import { Ajv } from 'ajv';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { PG_URL } from '../helpers/env.js';
import { startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';

/** Parsed JSON of an answer; the tests read arbitrary bodies. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test code reads arbitrary JSON bodies
export type Json = any;

/** The settings that restore Svix's behaviour where Herald's default differs (see docs/compatibility.md). */
export const SVIX_ENV: Record<string, string> = {
  HERALD_DELIVERY_HEADER_STYLE: 'svix',
  HERALD_IDEMPOTENCY_KEY_REUSE: 'replay',
  HERALD_APP_KEY_ACCESS: 'svix',
};

/** Svix's TestClient: a path relative to the server (`api/v1/app/`), the expected status, the parsed body. */
/** Svix's own `HTTPValidationError` schema, from its full OpenAPI document, which every 422 body must satisfy. */
const svixValidationError = (() => {
  const doc = JSON.parse(
    fs.readFileSync(new URL('../fixtures/svix-openapi-full.json', import.meta.url), 'utf8'),
  ) as { components: { schemas: Record<string, object> } };
  const { HTTPValidationError, ValidationError } = doc.components.schemas;
  const ajv = new Ajv({ strict: false });
  ajv.addSchema({ $id: 'svix', components: { schemas: { HTTPValidationError, ValidationError } } });
  return ajv.getSchema('svix#/components/schemas/HTTPValidationError')!;
})();

/** Asserts that `body` is a 422 body as Svix sends it: `{detail: [{loc: string[], msg, type}, …]}`. */
export function expectSvixValidationError(
  body: unknown,
): Array<{ loc: string[]; msg: string; type: string }> {
  expect(svixValidationError(body), JSON.stringify(svixValidationError.errors)).toBe(true);
  const detail = (body as { detail: Array<{ loc: string[]; msg: string; type: string }> }).detail;
  expect(detail.length).toBeGreaterThan(0);
  return detail;
}

export class SvixClient {
  constructor(
    readonly baseUrl: string,
    readonly token: string,
  ) {}

  withToken(token: string): SvixClient {
    return new SvixClient(this.baseUrl, token);
  }

  async request(
    method: string,
    path: string,
    body: unknown,
    status: number,
    headers: Record<string, string> = {},
  ): Promise<Json> {
    const response = await fetch(`${this.baseUrl}/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    expect(response.status, `${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`).toBe(
      status,
    );
    const parsed = text === '' ? null : JSON.parse(text);
    if (response.status === 422) expectSvixValidationError(parsed);
    return parsed;
  }

  get(path: string, status = 200): Promise<Json> {
    return this.request('GET', path, undefined, status);
  }
  post(path: string, body: unknown, status: number, headers?: Record<string, string>): Promise<Json> {
    return this.request('POST', path, body, status, headers);
  }
  put(path: string, body: unknown, status = 200): Promise<Json> {
    return this.request('PUT', path, body, status);
  }
  patch(path: string, body: unknown, status = 200): Promise<Json> {
    return this.request('PATCH', path, body, status);
  }
  delete(path: string, status = 204): Promise<Json> {
    return this.request('DELETE', path, undefined, status);
  }
}

export interface SvixServer {
  herald: RunningHerald;
  client: SvixClient;
}

export interface SvixHarness {
  /** The suite's shared server (started once per dialect). */
  server(): SvixServer;
  /** A server of the test's own, with extra settings; closed after the test. */
  start(env?: Record<string, string>): Promise<SvixServer>;
  /** A receiver on 127.0.0.1 answering `status` (and `body`), closed after the test. */
  receiver(status?: number, body?: string): Promise<Receiver>;
  dialect: string;
}

const DIALECTS = [
  { name: 'sqlite', postgres: false, skip: false },
  { name: 'postgres', postgres: true, skip: !PG_URL },
];

/** One Svix e2e file: `body` declares its tests once; they run on every dialect. */
export function describeSvix(name: string, body: (h: SvixHarness) => void): void {
  for (const dialect of DIALECTS) {
    describe.skipIf(dialect.skip)(`svix ${name} (${dialect.name})`, { timeout: 60_000 }, () => {
      let shared: SvixServer | undefined;
      const own: RunningHerald[] = [];
      const receivers: Receiver[] = [];
      const start = async (env: Record<string, string> = {}): Promise<SvixServer> => {
        const herald = await startTestHerald({ ...SVIX_ENV, ...env }, { postgres: dialect.postgres });
        return { herald, client: new SvixClient(herald.url, herald.token) };
      };
      beforeAll(async () => {
        shared = await start();
      });
      afterEach(async () => {
        await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
        await Promise.all(own.splice(0).map((herald) => herald.close()));
      });
      afterAll(async () => shared?.herald.close());
      body({
        dialect: dialect.name,
        server: () => shared!,
        async start(env) {
          const server = await start(env);
          own.push(server.herald);
          return server;
        },
        async receiver(status = 200, answer = '') {
          const receiver = await startReceiver();
          receiver.answer(() => ({ status, body: answer, headers: { 'content-type': 'application/json' } }));
          receivers.push(receiver);
          return receiver;
        },
      });
    });
  }
}

/** Svix's run_with_retries: tries `probe` until it stops throwing, for at most ~10 s. */
export async function eventually<T>(probe: () => Promise<T>): Promise<T> {
  let last: unknown;
  for (let i = 0; i < 200; i++) {
    try {
      return await probe();
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw last;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let uniq = 0;
/** A name unique in this process, for uids in a shared server. */
export const unique = (prefix: string) => `${prefix}-${process.pid}-${++uniq}`;

// Svix's common_calls.rs

export const applicationIn = (name: string) => ({ name });

export async function createTestApp(client: SvixClient, name: string): Promise<Json> {
  return client.post('api/v1/app/', applicationIn(name), 201);
}

/** Svix's `endpoint_in`: a URL and version 1; `retrySchedule` stands in for Svix's server-wide schedule. */
export const endpointIn = (url: string, extra: Record<string, unknown> = {}) => ({
  url,
  version: 1,
  ...extra,
});

export async function createTestEndpoint(
  client: SvixClient,
  appId: string,
  url: string,
  extra: Record<string, unknown> = {},
): Promise<Json> {
  return client.post(`api/v1/app/${appId}/endpoint/`, endpointIn(url, extra), 201);
}

export const messageIn = (eventType: string, payload: unknown) => ({
  eventType,
  payload,
  payloadRetentionPeriod: 5,
});

export async function createTestMessage(client: SvixClient, appId: string, payload: unknown): Promise<Json> {
  return client.post(`api/v1/app/${appId}/msg/`, messageIn('event.type', payload), 202);
}

export async function createTestMsgWith(
  client: SvixClient,
  appId: string,
  payload: unknown,
  eventType: string,
  channels: string[],
): Promise<Json> {
  return client.post(
    `api/v1/app/${appId}/msg/`,
    { ...messageIn(eventType, payload), ...(channels.length > 0 && { channels }) },
    202,
  );
}

export const eventTypeIn = (name: string, schemas?: unknown) => ({
  name,
  description: 'test-event-description',
  ...(schemas !== undefined && { schemas }),
});

export async function getMsgAttemptListAndAssertCount(
  client: SvixClient,
  appId: string,
  msgId: string,
  count: number,
): Promise<Json> {
  return eventually(async () => {
    const list = await client.get(`api/v1/app/${appId}/attempt/msg/${msgId}/`);
    expect(list.data).toHaveLength(count);
    return list;
  });
}

export async function recoverWebhooks(client: SvixClient, since: Date, path: string): Promise<void> {
  await client.post(path, { since: since.toISOString() }, 202);
}

/** Svix's app_portal_access: a client holding an application token for `appId`. */
export async function appPortalAccess(client: SvixClient, appId: string, featureFlags: string[] = []) {
  const answer = await client.post(`api/v1/auth/app-portal-access/${appId}/`, { featureFlags }, 200);
  return client.withToken(answer.token);
}

/**
 * Svix's common_test_list: ten items created, listed in their order (`sortAsc`) or the reverse, with limits,
 * iterators, a malformed iterator (422), the opposite order, and the page-size cap.
 */
export async function commonTestList(
  client: SvixClient,
  path: string,
  create: (i: number) => unknown,
  sortAsc: boolean,
  supportsReverse: boolean,
): Promise<void> {
  const items: Json[] = [];
  for (let i = 0; i < 10; i++) {
    items.push(await client.post(path, create(i), 201));
    await sleep(5);
  }
  const original = await eventually(async () => {
    const list = await client.get(`${path}?with_content=true`);
    expect(list.data).toHaveLength(10);
    return list;
  });
  for (let i = 0; i < 10; i++) expect(original.data[i]).toEqual(items[sortAsc ? i : 9 - i]);

  let list = await client.get(`${path}?limit=1`);
  expect(list.data).toHaveLength(1);
  expect(list.done).toBe(false);
  list = await client.get(`${path}?limit=50`);
  expect(list.data).toHaveLength(10);
  expect(list.done).toBe(true);
  list = await client.get(`${path}?limit=10`);
  expect(list.data).toHaveLength(10);
  expect(list.done).toBe(true);
  list = await client.get(`${path}?limit=6`);
  expect(list.data).toHaveLength(6);
  expect(list.done).toBe(false);
  list = await client.get(`${path}?limit=6&iterator=${list.iterator}`);
  expect(list.data).toHaveLength(4);
  expect(list.done).toBe(true);
  const prev = await client.get(`${path}?limit=3&iterator=${list.prevIterator}`);
  expect(prev.data).toHaveLength(3);
  expect(prev.data[0]).toEqual(original.data[3]);

  await client.get(`${path}?limit=6&iterator=BAD-$$$ITERATOR`, 422);

  if (supportsReverse) {
    const opposite = sortAsc ? 'descending' : 'ascending';
    const first = await client.get(`${path}?limit=3&order=${opposite}`);
    const second = await client.get(`${path}?limit=3&order=${opposite}&iterator=${first.iterator}`);
    const back = await client.get(`${path}?limit=3&order=${opposite}&iterator=${second.prevIterator}`);
    for (let i = 0; i < 3; i++) {
      expect(first.data[i]).toEqual(original.data[9 - i]);
      expect(second.data[i]).toEqual(original.data[6 - i]);
      expect(back.data[i]).toEqual(original.data[9 - i]);
    }
  }

  for (let i = 10; i < 251; i++) await client.post(path, create(i), 201);
  // A hard cap answers 422 to limit=300; a soft one caps the page at 250. Either is Svix-compatible.
  const response = await fetch(`${client.baseUrl}/${path}?limit=300`, {
    headers: { authorization: `Bearer ${client.token}` },
  });
  if (response.status !== 422) {
    expect(response.status).toBe(200);
    expect(((await response.json()) as Json).data).toHaveLength(250);
  }
}
