/** A real Herald, listening on 127.0.0.1 with its delivery worker, for end-to-end tests. */
import { loadConfig } from '../../src/config/config.js';
import { startHerald, type Herald } from '../../src/herald.js';
import { freshPgDatabase, tempDir } from './env.js';
import { randomBytes } from 'node:crypto';
import pino from 'pino';

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
  options: { postgres?: boolean } = {},
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
    logger: pino({ level: 'silent' }),
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
