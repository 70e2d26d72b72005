/**
 * The two storage backends and what differs between them, declared as capabilities rather than scattered
 * `if (dialect === …)` checks.
 */
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

export interface DialectProfile {
  readonly name: DialectName;
  /** Row locks with `FOR UPDATE SKIP LOCKED`, so several workers can claim from one queue. */
  readonly supportsSkipLocked: boolean;
  /** Several processes may share the database (and so must coordinate through it). */
  readonly multiProcess: boolean;
  /** The SQL function `f(haystack, needle)` that returns the 1-based position of a substring, 0 if absent. */
  readonly substringPositionFn: 'instr' | 'strpos';
  /** Is this driver error a unique-constraint violation? */
  isUniqueViolation(error: unknown): boolean;
}

export interface Connection {
  readonly db: Kysely<Database>;
  readonly profile: DialectProfile;
}

const sqliteProfile: DialectProfile = {
  name: 'sqlite',
  supportsSkipLocked: false,
  multiProcess: false,
  substringPositionFn: 'instr',
  isUniqueViolation: (error) =>
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'),
};

const postgresProfile: DialectProfile = {
  name: 'postgres',
  supportsSkipLocked: true,
  multiProcess: true,
  substringPositionFn: 'strpos',
  isUniqueViolation: (error) =>
    typeof error === 'object' && error !== null && 'code' in error && error.code === '23505',
};

const INT8_OID = 20;

export interface ConnectOptions {
  /** PostgreSQL URL; without it, SQLite at `sqliteFile`. */
  databaseUrl?: string | undefined;
  sqliteFile?: string;
  poolSize?: number;
}

export function connect(options: ConnectOptions): Connection {
  if (options.databaseUrl !== undefined) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      // Times are stored as bigint milliseconds, well inside Number's exact range.
      types: {
        getTypeParser: (oid: number, format?: 'text' | 'binary') =>
          oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format),
      },
    });
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), profile: postgresProfile };
  }
  const file = options.sqliteFile ?? ':memory:';
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const database = new SqliteDatabase(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 10000');
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database }) }), profile: sqliteProfile };
}
