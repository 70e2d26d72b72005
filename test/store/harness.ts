/**
 * The store behaviour suite's harness: every suite file describes behaviour once with `describeStore`, and it
 * runs on each dialect in `DIALECTS` (PostgreSQL only when HERALD_TEST_DATABASE_URL is set, skipped otherwise).
 */
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { DIALECTS, freshPgDatabase, tempDir, type StoreFixture } from '../helpers/env.js';
import type { ConnectOptions, Store } from '../../src/store/index.js';

export interface StoreContext {
  /** The dialect this run is on. */
  readonly dialect: string;
  /** A migrated store shared by the tests of one file: tests make their own applications to stay apart. */
  readonly store: Store;
  /** Another migrated store on an empty database of its own, for tests about deployment-wide state. */
  fresh(): Promise<Store>;
}

export function describeStore(title: string, body: (ctx: StoreContext) => void): void {
  describe(title, () => {
    for (const d of DIALECTS) {
      describe.skipIf(d.skip)(d.name, () => {
        let shared: StoreFixture | undefined;
        const extra: StoreFixture[] = [];
        beforeAll(async () => {
          shared = await d.make();
        });
        afterAll(async () => {
          await Promise.all(extra.map((fixture) => fixture.close()));
          await shared?.close();
        });
        body({
          dialect: d.name,
          get store() {
            if (!shared) throw new Error('the store is opened in beforeAll');
            return shared.store;
          },
          async fresh() {
            const fixture = await d.make();
            extra.push(fixture);
            return fixture.store;
          },
        });
      });
    }
  });
}

/** An empty, unmigrated database that several stores can open at once. */
export interface BlankDatabase {
  options: ConnectOptions;
  /** Reads `herald_migration` directly, past the store, to see what was recorded. */
  migrationVersions(): Promise<number[]>;
  /** Records a migration directly, past the store. */
  recordMigration(version: number): Promise<void>;
  remove(): Promise<void>;
}

export async function blankDatabase(dialect: string): Promise<BlankDatabase> {
  if (dialect === 'postgres') {
    const database = await freshPgDatabase();
    const query = async (text: string, values: unknown[] = []) => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        return await client.query<{ version: number }>(text, values);
      } finally {
        await client.end();
      }
    };
    return {
      options: { databaseUrl: database.url, poolSize: 3 },
      async migrationVersions() {
        const result = await query('select version from herald_migration order by version');
        return result.rows.map((row) => Number(row.version));
      },
      async recordMigration(version) {
        await query('insert into herald_migration (version, name, applied_at) values ($1, $2, $3)', [
          version,
          'from the future',
          Date.now(),
        ]);
      },
      remove: () => database.drop(),
    };
  }
  const tmp = tempDir();
  const file = path.join(tmp.dir, 'herald.db');
  const withFile = <T>(work: (db: SqliteDatabase.Database) => T): T => {
    const db = new SqliteDatabase(file);
    try {
      return work(db);
    } finally {
      db.close();
    }
  };
  return {
    options: { sqliteFile: file },
    async migrationVersions() {
      return withFile((db) =>
        (
          db.prepare('select version from herald_migration order by version').all() as Array<{
            version: number;
          }>
        ).map((row) => row.version),
      );
    },
    async recordMigration(version) {
      withFile((db) =>
        db
          .prepare('insert into herald_migration (version, name, applied_at) values (?, ?, ?)')
          .run(version, 'from the future', Date.now()),
      );
    },
    async remove() {
      tmp.remove();
    },
  };
}
