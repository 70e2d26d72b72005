/**
 * Applies forward-only migrations. Safe when several processes start at once: where the database has advisory
 * locks (PostgreSQL) the whole run holds a transaction-scoped one, elsewhere (SQLite) an IMMEDIATE transaction
 * takes the single write lock.
 * A process that waited finds the work done and applies nothing.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { errorCode, type Connection } from './dialect.js';
import { MIGRATIONS } from './migrations/index.js';
import type { Migration } from './migrations/types.js';
import type { Database } from './schema.js';

/** Arbitrary constant naming Herald's migration lock among the database's advisory locks. */
const MIGRATION_LOCK_KEY = 7_106_052_001;

const CREATE_MIGRATION_TABLE = `create table if not exists herald_migration (
  version integer primary key,
  name text not null,
  applied_at bigint not null
)`;

export interface MigrationResult {
  applied: number[];
  current: number;
}

async function applyPending(
  db: Kysely<Database> | Transaction<Database>,
  connection: Connection,
  migrations: readonly Migration[],
): Promise<MigrationResult> {
  await sql.raw(CREATE_MIGRATION_TABLE).execute(db);
  const rows = await db.selectFrom('herald_migration').select('version').execute();
  const done = new Set(rows.map((row) => Number(row.version)));
  const latestKnown = migrations.at(-1)?.version ?? 0;
  const newest = Math.max(0, ...done);
  if (newest > latestKnown)
    throw new Error(
      `the database is at migration ${newest}, newer than this Herald knows (${latestKnown}); upgrade Herald`,
    );
  const applied: number[] = [];
  for (const migration of migrations) {
    if (done.has(migration.version)) continue;
    for (const statement of migration.statements(connection.profile)) await sql.raw(statement).execute(db);
    await db
      .insertInto('herald_migration')
      .values({ version: migration.version, name: migration.name, applied_at: Date.now() })
      .execute();
    applied.push(migration.version);
  }
  return { applied, current: Math.max(newest, ...applied) };
}

/** SQLite's write lock is held by another connection. */
const isBusy = (error: unknown): boolean => errorCode(error)?.startsWith('SQLITE_BUSY') === true;

/**
 * Takes SQLite's write lock, waiting for it without blocking the event loop. better-sqlite3 waits out
 * `busy_timeout` synchronously, so if the holder is another connection in this same process (two stores on one
 * file), the holder could never run to release it and the wait would end in "database is locked".
 */
async function beginImmediate(db: Kysely<Database>): Promise<void> {
  const [setting] = (await sql<{ timeout: number }>`pragma busy_timeout`.execute(db)).rows;
  const timeoutMs = setting?.timeout ?? 0;
  const deadline = Date.now() + timeoutMs;
  await sql.raw('pragma busy_timeout = 0').execute(db);
  try {
    for (;;) {
      try {
        await sql.raw('begin immediate').execute(db);
        return;
      } catch (error) {
        if (!isBusy(error) || Date.now() >= deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  } finally {
    await sql.raw(`pragma busy_timeout = ${Number(timeoutMs)}`).execute(db);
  }
}

export async function migrate(
  connection: Connection,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationResult> {
  const { db, profile } = connection;
  if (profile.supportsAdvisoryLocks) {
    return db.transaction().execute(async (trx) => {
      // A migration may rewrite a large table, and may wait for another process's: no timeout applies to it.
      await sql`set local statement_timeout = 0`.execute(trx);
      await sql`set local lock_timeout = 0`.execute(trx);
      await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`.execute(trx);
      return applyPending(trx, connection, migrations);
    });
  }
  return db.connection().execute(async (conn) => {
    await beginImmediate(conn);
    try {
      const result = await applyPending(conn, connection, migrations);
      await sql.raw('commit').execute(conn);
      return result;
    } catch (error) {
      await sql.raw('rollback').execute(conn);
      throw error;
    }
  });
}
