/**
 * `isDatabaseUnavailable` on real failures: a server that is not there, a database that refuses connections,
 * one that does not exist, a session ended under a query, and an SQLite file that cannot be opened. Errors that
 * are the caller's or a busy database's are not outages.
 */
import net from 'node:net';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { isDatabaseBusy, isDatabaseUnavailable, openStore } from '../../src/store/index.js';
import { freshPgDatabase, PG_URL, tempDir } from '../helpers/env.js';
import { databaseOutage } from '../helpers/pg-outage.js';

/** What a promise rejects with (it must reject). */
async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

/** A TCP port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('isDatabaseUnavailable', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('is true when nothing listens where the PostgreSQL server should be', async () => {
    const store = openStore({ databaseUrl: `postgres://herald@127.0.0.1:${await closedPort()}/herald` });
    cleanups.push(() => store.close());
    const error = await failureOf(store.ping());
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(isDatabaseBusy(error)).toBe(false);
  });

  it('is true for an SQLite file that cannot be opened', () => {
    const tmp = tempDir();
    let error: unknown;
    try {
      // A directory where the database file should be: SQLite itself fails to open it.
      new SqliteDatabase(tmp.dir);
    } catch (caught) {
      error = caught;
    } finally {
      tmp.remove();
    }
    expect(error).toBeDefined();
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it('is false for what is not an outage', () => {
    for (const error of [
      new Error('boom'),
      Object.assign(new Error('duplicate key'), { code: '23505', severity: 'ERROR' }),
      Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
      Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }),
      Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }),
      null,
      'Connection terminated',
    ])
      expect(isDatabaseUnavailable(error)).toBe(false);
  });

  describe.skipIf(!PG_URL)('on PostgreSQL', () => {
    async function freshStore() {
      const database = await freshPgDatabase();
      cleanups.push(() => database.drop());
      const outage = databaseOutage(database.url);
      cleanups.push(() => outage.bringBack());
      const store = openStore({ databaseUrl: database.url, poolSize: 2 });
      cleanups.push(() => store.close());
      await store.migrate();
      return { database, outage, store };
    }

    it('is true for a database that refuses connections', async () => {
      const { outage, store } = await freshStore();
      await outage.takeAway();
      const error = await failureOf(store.ping());
      expect(isDatabaseUnavailable(error)).toBe(true);
    });

    it('is true for a query whose session is ended under it', async () => {
      const { database, outage } = await freshStore();
      const client = new pg.Client({ connectionString: database.url });
      client.on('error', () => undefined);
      await client.connect();
      cleanups.push(() => client.end().catch(() => undefined));
      const query = failureOf(client.query('select pg_sleep(30)'));
      // End the session as an administrator (or a failover) would, with the query sent or running.
      await outage.endConnections();
      const error = await query;
      expect(isDatabaseUnavailable(error)).toBe(true);
      // And the next query on that client, already broken.
      expect(isDatabaseUnavailable(await failureOf(client.query('select 1')))).toBe(true);
    });

    it('is true for a database that does not exist', async () => {
      const url = new URL(PG_URL!);
      url.pathname = '/herald_no_such_database';
      const store = openStore({ databaseUrl: url.toString() });
      cleanups.push(() => store.close());
      const error = await failureOf(store.ping());
      expect((error as { code?: string }).code).toBe('3D000');
      expect(isDatabaseUnavailable(error)).toBe(true);
    });
  });
});
