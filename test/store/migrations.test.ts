import { afterEach, expect, it } from 'vitest';
import { MIGRATIONS, openStore, type Store } from '../../src/store/index.js';
import { appInsert } from './builders.js';
import { blankDatabase, describeStore, type BlankDatabase } from './harness.js';

/** Every migration's number, and the newest. */
const ALL = MIGRATIONS.map((migration) => migration.version);
const LATEST = ALL.at(-1)!;

// The migrator takes the last one as the newest it knows, and applies them in this order.
it('lists the migrations in ascending order of their numbers, each once', () => {
  expect(ALL).toEqual([...new Set(ALL)].sort((a, b) => a - b));
  for (const migration of MIGRATIONS) expect(migration.name).toMatch(/^[a-z0-9_]+$/);
});

describeStore('store: migrations', (ctx) => {
  const opened: Store[] = [];
  let database: BlankDatabase | undefined;

  async function blank(): Promise<BlankDatabase> {
    database = await blankDatabase(ctx.dialect);
    return database;
  }
  function open(db: BlankDatabase): Store {
    const store = openStore(db.options);
    opened.push(store);
    return store;
  }

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    await database?.remove();
    database = undefined;
  });

  it('applies the initial migration the first time and nothing the second time', async () => {
    const db = await blank();
    const store = open(db);
    expect(await store.migrate()).toEqual({ applied: ALL, current: LATEST });
    expect(await store.migrate()).toEqual({ applied: [], current: LATEST });
    expect(await db.migrationVersions()).toEqual(ALL);
    const app = await store.applicationCreate(appInsert());
    expect(await store.applicationGet(app.id)).toMatchObject({ id: app.id });
  });

  it('lets two stores migrate one database at the same moment, recording the migration once', async () => {
    const db = await blank();
    const first = open(db);
    const second = open(db);
    const results = await Promise.all([first.migrate(), second.migrate()]);
    expect(results.map((result) => result.current)).toEqual([LATEST, LATEST]);
    expect(results.flatMap((result) => result.applied)).toEqual(ALL);
    expect(await db.migrationVersions()).toEqual(ALL);
    const app = await first.applicationCreate(appInsert());
    expect(await second.applicationGet(app.id)).toMatchObject({ id: app.id });
  });

  it('refuses a database migrated by a newer Herald', async () => {
    const db = await blank();
    const store = open(db);
    await store.migrate();
    await db.recordMigration(99);
    await expect(store.migrate()).rejects.toThrow(/newer than this Herald knows/);
  });
});
