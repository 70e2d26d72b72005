/** A real Herald, listening on 127.0.0.1 with its delivery worker, for end-to-end tests. */
import { loadConfig } from '../../src/config/config.js';
import { startHerald, type Herald } from '../../src/herald.js';
import { freshPgDatabase, PG_URL, tempDir } from './env.js';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, expect } from 'vitest';
import { startReceiver, type Receiver } from './receiver.js';

/** The stores an end-to-end suite runs on: SQLite always, PostgreSQL when HERALD_TEST_DATABASE_URL is set. */
export const HERALD_STORES = [
  { dialect: 'sqlite', postgres: false, skip: false },
  { dialect: 'postgres', postgres: true, skip: !PG_URL },
];

export interface RunningHerald {
  herald: Herald;
  url: string;
  token: string;
  /** Calls the API with the admin key; returns status and parsed JSON (or null). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test code reads arbitrary JSON bodies
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startTestHerald(
  env: Record<string, string> = {},
  options: { postgres?: boolean; logger?: pino.Logger } = {},
): Promise<RunningHerald> {
  const tmp = tempDir();
  const database = options.postgres ? await freshPgDatabase() : null;
  const config = loadConfig({
    HERALD_DATA_DIR: tmp.dir,
    HERALD_HOST: '127.0.0.1',
    HERALD_PORT: '0',
    HERALD_LOG_LEVEL: 'silent',
    HERALD_SSRF_ALLOW_CIDRS: '127.0.0.1/32',
    HERALD_POLL_INTERVAL_MS: '50',
    ...(database
      ? { DATABASE_URL: database.url, HERALD_MASTER_KEY: randomBytes(32).toString('base64') }
      : {}),
    ...env,
  });
  let token = '';
  const herald = await startHerald(config, {
    logger: options.logger ?? pino({ level: 'silent' }),
    onFirstAdminKey: (created) => (token = created),
  });
  const url = herald.url!;
  return {
    herald,
    url,
    token,
    async call(method, path, body) {
      const response = await fetch(`${url}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text === '' ? null : JSON.parse(text) };
    },
    async close() {
      await herald.close();
      await database?.drop();
      tmp.remove();
    },
  };
}

export interface HeraldSuite {
  h: RunningHerald;
  receivers: Receiver[];
  /** Starts a receiver and creates an endpoint of `appUid` that points at it, with `body`'s settings. */
  receiverEndpoint(
    appUid: string,
    body: Record<string, unknown>,
  ): Promise<{ receiver: Receiver; endpointId: string }>;
}

/**
 * A Herald for one end-to-end suite on one store: started before its tests (then `setup` runs), stopped after
 * them with the receivers the suite opened. Read `suite.h` inside tests.
 */
export function heraldSuite(
  store: { postgres: boolean; skip: boolean },
  setup: (h: RunningHerald) => Promise<void> = async () => {},
): HeraldSuite {
  const suite: HeraldSuite = { h: undefined as unknown as RunningHerald, receivers: [], receiverEndpoint };
  beforeAll(async () => {
    if (store.skip) return;
    suite.h = await startTestHerald({}, { postgres: store.postgres });
    await setup(suite.h);
  });
  afterAll(async () => {
    await Promise.all(suite.receivers.map((receiver) => receiver.close()));
    await suite.h?.close();
  });
  async function receiverEndpoint(appUid: string, body: Record<string, unknown>) {
    const receiver = await startReceiver();
    suite.receivers.push(receiver);
    const created = await suite.h.call('POST', `/app/${appUid}/endpoint`, {
      url: `${receiver.url}/hook`,
      ...body,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return { receiver, endpointId: created.body.id as string };
  }
  return suite;
}
