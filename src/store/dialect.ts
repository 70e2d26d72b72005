/**
 * The two storage backends and what differs between them, declared as capabilities rather than scattered
 * `if (dialect === …)` checks.
 */
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase as SqliteDialectDatabase,
  type SqliteDialectConfig,
} from 'kysely';
import pg from 'pg';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';
import { postgresListen, silentLogger, type StoreLogger } from './listener.js';
import type { Database } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

export interface DialectProfile {
  readonly name: DialectName;
  /** Row locks with `FOR UPDATE SKIP LOCKED`, so several workers can claim from one queue. */
  readonly supportsSkipLocked: boolean;
  /** Several processes may share the database (and so must coordinate through it). */
  readonly multiProcess: boolean;
  /**
   * Write transactions worth running at once from one process: 1 for SQLite's single writer; more for
   * PostgreSQL, where transactions committing together share one flush of the log to disk.
   */
  readonly concurrentWrites: number;
  /**
   * Inserts inside `WITH` (data-modifying common table expressions) and bound arrays unnested into rows: a batch
   * of messages and their deliveries is written by one statement, atomic by itself, whatever its size.
   */
  readonly supportsWritableCtes: boolean;
  /**
   * Transaction-scoped advisory locks (`pg_advisory_xact_lock`): processes take turns on a named lock without
   * locking a table. Without them, a write transaction that takes the database's single write lock up front
   * serialises the same work.
   */
  readonly supportsAdvisoryLocks: boolean;
  /** The SQL function `f(haystack, needle)` that returns the 1-based position of a substring, 0 if absent. */
  readonly substringPositionFn: 'instr' | 'strpos';
  /**
   * The column type for ids: text compared byte by byte, so that ids (which start with their creation time)
   * sort in creation order and cursor pages follow it. PostgreSQL's default collation would not compare so.
   */
  readonly idColumnType: 'text' | 'text collate "C"';
  /**
   * The database's clock as milliseconds since the epoch, in SQL: for times that processes on different hosts
   * compare (worker heartbeats), so that their clocks' skew does not matter.
   */
  readonly clockMsSql: string;
  /** Is this driver error a unique-constraint violation? */
  isUniqueViolation(error: unknown): boolean;
}

export interface Connection {
  readonly db: Kysely<Database>;
  readonly profile: DialectProfile;
  /**
   * Subscribes to a notification channel shared by every process on the database (PostgreSQL LISTEN), or
   * `null` where there is only one process and an in-process signal is enough.
   */
  readonly listen: ((channel: string, onNotify: () => void) => Promise<() => Promise<void>>) | null;
  close(): Promise<void>;
}

const sqliteProfile: DialectProfile = {
  name: 'sqlite',
  supportsSkipLocked: false,
  multiProcess: false,
  concurrentWrites: 1,
  supportsWritableCtes: false,
  supportsAdvisoryLocks: false,
  substringPositionFn: 'instr',
  idColumnType: 'text',
  clockMsSql: `cast(unixepoch('subsec') * 1000 as integer)`,
  isUniqueViolation: (error) => {
    const code = errorCode(error);
    return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  },
};

const postgresProfile: DialectProfile = {
  name: 'postgres',
  supportsSkipLocked: true,
  multiProcess: true,
  concurrentWrites: 4,
  supportsWritableCtes: true,
  supportsAdvisoryLocks: true,
  substringPositionFn: 'strpos',
  idColumnType: 'text collate "C"',
  clockMsSql: 'cast(extract(epoch from clock_timestamp()) * 1000 as bigint)',
  isUniqueViolation: (error) => errorCode(error) === '23505',
};

const INT8_OID = 20;

export interface ConnectOptions {
  /** PostgreSQL URL; without it, SQLite at `sqliteFile`. */
  databaseUrl?: string | undefined;
  sqliteFile?: string;
  poolSize?: number;
  /** PostgreSQL: how long one statement may run, and wait for a lock, in milliseconds (0 or unset: no limit). */
  statementTimeoutMs?: number;
  lockTimeoutMs?: number;
  /**
   * Who checkpoints an SQLite file's write-ahead log: this connection when it commits (`inline`, SQLite's
   * default), a background thread this connection starts (`background`, see `checkpointer.ts`), or another
   * connection of the process that runs one (`elsewhere`).
   */
  checkpoints?: 'inline' | 'background' | 'elsewhere';
  /** Where the connection reports what it recovers from by itself (lost connections); silent by default. */
  logger?: StoreLogger;
}

/** SQLite's own checkpoint threshold, in pages, restored if the background checkpointer stops. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;
/** Compiled statements kept per SQL text; the least recently used go first. */
const STATEMENT_CACHE_SIZE = 256;
/**
 * Longer statements are not kept: multi-row inserts and updates differ with every row count, and a few hundred
 * of them would hold over 100 MB while rarely being reused.
 */
const STATEMENT_CACHE_MAX_SQL = 4096;

/**
 * Kysely asks better-sqlite3 to compile every query it runs, and compiling costs more than running most of
 * Herald's statements. The SQL text of a query shape does not change between calls (values are bound), so the
 * compiled statement is kept and reused. Kysely never iterates two results of one statement at once, and SQLite
 * recompiles a kept statement by itself after a schema change.
 */
function withStatementCache(database: SqliteDatabase.Database): SqliteDialectDatabase {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => database.close(),
    prepare(source: string) {
      if (source.length > STATEMENT_CACHE_MAX_SQL) return database.prepare(source);
      let statement = statements.get(source);
      if (statement !== undefined) statements.delete(source);
      else {
        statement = database.prepare(source);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      }
      statements.set(source, statement);
      return statement;
    },
  };
}

const BEGIN_IMMEDIATE = CompiledQuery.raw('begin immediate');

/**
 * Transactions take SQLite's write lock when they begin. Several connections share the file (the delivery
 * threads each have one): a deferred transaction that read first and then writes would fail with
 * SQLITE_BUSY, without waiting, when another connection wrote in between, whereas one that asks for the lock
 * up front waits for it (`busy_timeout`).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(BEGIN_IMMEDIATE);
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #settings: SqliteDialectConfig;
  constructor(settings: SqliteDialectConfig) {
    super(settings);
    this.#settings = settings;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#settings);
  }
}

export function connect(options: ConnectOptions): Connection {
  if (options.databaseUrl !== undefined) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      // A stalled statement or a lock held too long fails its request instead of holding up the process.
      ...(options.statementTimeoutMs && { statement_timeout: options.statementTimeoutMs }),
      ...(options.lockTimeoutMs && { lock_timeout: options.lockTimeoutMs }),
      // Times are stored as bigint milliseconds, well inside Number's exact range.
      types: {
        getTypeParser: (oid: number, format?: 'text' | 'binary') =>
          oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format),
      },
    });
    const logger = options.logger ?? silentLogger;
    // An idle pooled connection that the server ends (a restart, a failover, an administrator) is reported here;
    // without a listener it would crash the process. The pool drops it and opens a new one when next needed, and
    // a query that fails meanwhile reports its own error where it runs. The log says why it went.
    pool.on('error', (error) =>
      logger.warn(
        { err: error },
        'an idle PostgreSQL connection failed; the pool opens a new one when needed',
      ),
    );
    // A connection in use (held by a transaction between two statements) that fails reports it on the client,
    // where the pool no longer listens while the connection is out: unheard, it would crash the process. The
    // statement that runs next on it fails with its own error, reported where it runs, and the pool drops the
    // connection when it is given back.
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const databaseUrl = options.databaseUrl;
    return {
      db,
      profile: postgresProfile,
      listen: (channel, onNotify) => postgresListen({ databaseUrl, channel, onNotify, logger }),
      close: () => db.destroy(),
    };
  }
  const file = options.sqliteFile ?? ':memory:';
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const database = new SqliteDatabase(file);
  // First, so that switching to WAL (which needs the file to itself) waits for another process that has the
  // file locked (migrating it, say) instead of failing at once with "database is locked".
  database.pragma('busy_timeout = 10000');
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  const checkpoints = file === ':memory:' ? 'inline' : (options.checkpoints ?? 'inline');
  let checkpointer: Checkpointer | null = null;
  if (checkpoints !== 'inline') database.pragma('wal_autocheckpoint = 0');
  if (checkpoints === 'background')
    checkpointer = startCheckpointer(file, () => {
      // The background thread is gone: checkpoint on commit again rather than let the log grow. (A delivery
      // thread's connection does not, but this one commits every ingest and every result of its own worker.)
      if (database.open) database.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
    });
  const db = new Kysely<Database>({
    dialect: new ImmediateSqliteDialect({ database: withStatementCache(database) }),
  });
  return {
    db,
    profile: sqliteProfile,
    listen: null,
    async close() {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

/** PostgreSQL's codes for a statement cancelled by `statement_timeout` and one that gave up waiting for a lock. */
const PG_TIMEOUT_CODES: ReadonlySet<string> = new Set(['57014', '55P03']);

/**
 * Whether an error means the database was too busy to answer in time: a PostgreSQL statement or lock timeout,
 * or SQLite's write lock still held when its busy timeout ran out. Trying again shortly may succeed.
 */
export function isDatabaseBusy(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && (PG_TIMEOUT_CODES.has(code) || code.startsWith('SQLITE_BUSY'));
}

/** The driver's error code (`23505`, `SQLITE_BUSY`, `ECONNREFUSED`…) of an error, if it has one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/**
 * Socket errors of a connection to PostgreSQL that could not be made or was lost: the server is down, restarting
 * or out of reach. (Node sets `code` on them; a connection to a host with several addresses fails with an
 * AggregateError that carries the same code.)
 */
const SOCKET_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
/**
 * PostgreSQL's codes for a session ended or refused by the server: an administrator's or a crash's shutdown
 * (57P01, 57P02), a server still starting (57P03), and a database that does not exist (3D000: dropped, or
 * renamed while Herald runs). The class 08 (connection exceptions) is matched by its prefix.
 */
const PG_UNAVAILABLE_CODES: ReadonlySet<string> = new Set(['57P01', '57P02', '57P03', '3D000']);
/**
 * node-postgres's own messages for a connection that went away under a query ("Connection terminated
 * unexpectedly", "Connection terminated due to connection timeout") or was already broken.
 */
const PG_CONNECTION_LOST = /^Connection terminated|is not queryable/;

/**
 * Whether an error means the database could not be reached at all: no connection could be made, or the one in
 * use was lost. Unlike a busy database, this lasts as long as the outage; trying again after a few seconds may
 * succeed. PostgreSQL ends a session with a FATAL error (a database that refuses connections, say), so every
 * FATAL error counts. SQLite: the file cannot be opened, or reading or writing it failed (a disk gone or full).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { severity, message } = error as { severity?: unknown; message?: unknown };
  const code = errorCode(error);
  if (code !== undefined) {
    if (SOCKET_ERROR_CODES.has(code) || PG_UNAVAILABLE_CODES.has(code) || code.startsWith('08')) return true;
    if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_FULL')
      return true;
  }
  if (severity === 'FATAL') return true;
  return typeof message === 'string' && PG_CONNECTION_LOST.test(message);
}
