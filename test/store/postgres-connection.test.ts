import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/store/dialect.js';
import { isDatabaseUnavailable, openStore, type Store } from '../../src/store/index.js';
import { freshPgDatabase, PG_URL } from '../helpers/env.js';
import { databaseOutage } from '../helpers/pg-outage.js';

describe.skipIf(!PG_URL)('store: PostgreSQL connections', () => {
  let database: Awaited<ReturnType<typeof freshPgDatabase>>;
  let store: Store;
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);

  beforeAll(async () => {
    database = await freshPgDatabase();
    store = openStore({ databaseUrl: database.url, poolSize: 3 });
    await store.migrate();
    process.on('uncaughtException', onUncaught);
  });
  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    await store?.close();
    await database?.drop();
  });

  it('survives the server ending its idle connections, and carries on with new ones', async () => {
    // Fill the pool with idle connections.
    await Promise.all([store.ping(), store.ping(), store.ping()]);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const name = new URL(database.url).pathname.slice(1);
    const ended = await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [name],
    );
    await admin.end();
    expect(ended.rowCount).toBeGreaterThan(0);
    // Give the pool time to hear that its connections are gone.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(uncaught).toEqual([]);
    await store.ping();
    expect(await store.applicationGet('nothing-here')).toBeUndefined();
  });
  it('survives the server ending a connection that a transaction holds, and reports it as an outage', async () => {
    const connection = connect({ databaseUrl: database.url, poolSize: 1 });
    try {
      const failure = await connection.db
        .transaction()
        .execute(async (trx) => {
          await sql`select 1`.execute(trx);
          // Between two statements, with the connection out of the pool: no one but the client hears this.
          await databaseOutage(database.url).endConnections();
          await new Promise((resolve) => setTimeout(resolve, 200));
          await sql`select 1`.execute(trx);
        })
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(uncaught).toEqual([]);
      expect(isDatabaseUnavailable(failure)).toBe(true);
      // The broken connection went back to the pool and was dropped: the next query gets a new one.
      await sql`select 1`.execute(connection.db);
    } finally {
      await connection.close();
    }
  });
});
