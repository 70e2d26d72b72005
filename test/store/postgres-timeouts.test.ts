/**
 * Statement and lock timeouts on Herald's PostgreSQL connections: a statement stuck behind another session's lock
 * fails with PostgreSQL's own error when its timeout passes, instead of holding up the process; migrations are
 * exempt from both.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { isDatabaseBusy, openStore, type Store } from '../../src/store/index.js';
import { apiFixture, freshPgDatabase, PG_URL, type StoreFixture } from '../helpers/env.js';

describe.skipIf(!PG_URL)('store: PostgreSQL timeouts', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** Another session that holds a lock on the application's row until the test ends. */
  async function lockApplication(databaseUrl: string, appId: string) {
    const holder = new pg.Client({ connectionString: databaseUrl });
    await holder.connect();
    cleanups.push(() => holder.end());
    await holder.query('begin');
    await holder.query('select id from application where id = $1 for update', [appId]);
    cleanups.push(() => holder.query('rollback'));
  }

  /** A migrated store with the given timeouts, an application in it, and another session holding a lock on it. */
  async function blocked(timeouts: { statementTimeoutMs?: number; lockTimeoutMs?: number }) {
    const database = await freshPgDatabase();
    cleanups.push(() => database.drop());
    const store: Store = openStore({ databaseUrl: database.url, poolSize: 2, ...timeouts });
    cleanups.push(() => store.close());
    await store.migrate();
    const app = await store.applicationCreate({
      id: 'app_t',
      uid: null,
      name: 'locked',
      metadata: {},
      throttleRate: null,
    });
    await lockApplication(database.url, app.id);
    return { store, app };
  }

  it('fails a statement that waits for a lock longer than the lock timeout', async () => {
    const { store, app } = await blocked({ lockTimeoutMs: 200, statementTimeoutMs: 60_000 });
    const error = await store
      .applicationUpdate(app.id, { name: 'renamed' })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: '55P03' });
    expect(isDatabaseBusy(error)).toBe(true);
    // The connection is still good for statements that need no such lock.
    expect(await store.applicationGet(app.id)).toMatchObject({ name: 'locked' });
  });

  it('fails a statement that runs longer than the statement timeout', async () => {
    const { store, app } = await blocked({ statementTimeoutMs: 200 });
    const error = await store
      .applicationUpdate(app.id, { name: 'renamed' })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: '57014' });
    expect(isDatabaseBusy(error)).toBe(true);
  });

  it('runs migrations without either timeout', async () => {
    const database = await freshPgDatabase();
    cleanups.push(() => database.drop());
    const store = openStore({
      databaseUrl: database.url,
      poolSize: 2,
      statementTimeoutMs: 1,
      lockTimeoutMs: 1,
    });
    cleanups.push(() => store.close());
    const migrated = await store.migrate();
    expect(migrated.applied.length).toBeGreaterThan(0);
  });

  it('answers 503 with Retry-After, not 500, when the database is too busy to answer in time', async () => {
    const database = await freshPgDatabase();
    const fixture = await apiFixture(async (): Promise<StoreFixture> => {
      const store = openStore({ databaseUrl: database.url, poolSize: 3, lockTimeoutMs: 200 });
      await store.migrate();
      return { store, close: () => store.close() };
    });
    cleanups.push(() => database.drop());
    cleanups.push(() => fixture.close());
    const app = await fixture.post<{ id: string }>('/app', { name: 'busy' });
    await lockApplication(database.url, app.id);

    const response = await fixture.api.inject({
      method: 'PUT',
      url: `/api/v1/app/${app.id}`,
      headers: fixture.admin,
      payload: { name: 'renamed' },
    });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.json()).toMatchObject({ code: 'database_busy' });
  });
});
