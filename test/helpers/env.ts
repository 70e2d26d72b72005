/** Test fixtures over real parts: a temporary SQLite file, a fresh PostgreSQL database, a real Herald API. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildApi, type Api } from '../../src/api/server.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { generateApiKey } from '../../src/security/api-keys.js';
import { Vault } from '../../src/security/vault.js';
import { openStore, type Store } from '../../src/store/index.js';

export const PG_URL = process.env.HERALD_TEST_DATABASE_URL;

export function tempDir(): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-test-'));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Creates a database of its own on the test PostgreSQL server, and drops it afterwards. */
export async function freshPgDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!PG_URL) throw new Error('HERALD_TEST_DATABASE_URL is not set');
  const name = `herald_test_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

export interface StoreFixture {
  store: Store;
  close(): Promise<void>;
}

export type StoreFactory = () => Promise<StoreFixture>;

export const sqliteStore: StoreFactory = async () => {
  const tmp = tempDir();
  const store = openStore({ sqliteFile: path.join(tmp.dir, 'herald.db') });
  await store.migrate();
  return {
    store,
    async close() {
      await store.close();
      tmp.remove();
    },
  };
};

export const postgresStore: StoreFactory = async () => {
  const database = await freshPgDatabase();
  const store = openStore({ databaseUrl: database.url, poolSize: 5 });
  await store.migrate();
  return {
    store,
    async close() {
      await store.close();
      await database.drop();
    },
  };
};

/** The dialects to run a behaviour suite on: SQLite always, PostgreSQL when a test database is configured. */
export const DIALECTS: Array<{ name: string; make: StoreFactory; skip: boolean }> = [
  { name: 'sqlite', make: sqliteStore, skip: false },
  { name: 'postgres', make: postgresStore, skip: !PG_URL },
];

export function testConfig(overrides: Record<string, string> = {}, dataDir?: string): Config {
  return loadConfig({
    HERALD_DATA_DIR: dataDir ?? os.tmpdir(),
    HERALD_LOG_LEVEL: 'silent',
    HERALD_API_KEY_CACHE_SECONDS: '0',
    HERALD_SSRF_ALLOW_CIDRS: '127.0.0.1/32',
    ...overrides,
  });
}

export interface ApiFixture {
  api: Api;
  store: Store;
  config: Config;
  /** The vault the API seals secrets with, for a worker that must open them. */
  vault: Vault;
  /** An admin key's bearer token. */
  adminToken: string;
  /** Authorization headers for the admin key. */
  admin: { authorization: string };
  /** Creates an application-scoped key and returns its Authorization headers. */
  appKey(appId: string): Promise<{ authorization: string }>;
  /** POSTs to `/api/v1<url>` as the admin, expects success and returns the parsed answer. */
  post<T = { id: string }>(url: string, payload: object): Promise<T>;
  close(): Promise<void>;
}

/** A Herald API over a real store, driven with `inject()`; no port is opened. */
export async function apiFixture(
  makeStore: StoreFactory = sqliteStore,
  overrides: Record<string, string> = {},
): Promise<ApiFixture> {
  const fixture = await makeStore();
  const config = testConfig(overrides);
  const vault = new Vault(randomBytes(32));
  const api = await buildApi({ config, store: fixture.store, vault });
  const { key, token } = generateApiKey({ name: 'test admin', appId: null });
  await fixture.store.apiKeyCreate(key);
  const admin = { authorization: `Bearer ${token}` };
  return {
    api,
    store: fixture.store,
    config,
    vault,
    adminToken: token,
    admin,
    async appKey(appId: string) {
      const scoped = generateApiKey({ name: 'test app key', appId });
      await fixture.store.apiKeyCreate(scoped.key);
      return { authorization: `Bearer ${scoped.token}` };
    },
    async post<T>(url: string, payload: object): Promise<T> {
      const response = await api.inject({ method: 'POST', url: `/api/v1${url}`, headers: admin, payload });
      if (response.statusCode >= 300)
        throw new Error(`POST ${url} answered ${response.statusCode}: ${response.body}`);
      return response.json<T>();
    },
    async close() {
      await api.close();
      await fixture.close();
    },
  };
}
