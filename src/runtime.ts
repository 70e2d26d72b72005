/** What every Herald thread opens the same way: its logger and its store. */
import path from 'node:path';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config/config.js';
import { openStore, type Store, type StoreLogger } from './store/index.js';

export const SQLITE_FILE = 'herald.db';

/**
 * The process's logger: JSON lines on stdout, or on `destination` (tests collect them). What it may carry is
 * in docs/privacy.md: ids, hosts, counts and error classes, never payloads, bodies, headers or credentials.
 */
export function createLogger(config: Config, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', '*.token', '*.secret', '*.key'],
        censor: '[redacted]',
      },
      serializers: { err: errorForLog },
    },
    destination,
  );
}

/**
 * Fields that database and HTTP client errors carry beside their message and that may quote stored values: a
 * PostgreSQL error's `detail` and `where` name the row or JSON it refused, a client's the request it sent.
 */
const ERROR_FIELDS_WITH_DATA = [
  'detail',
  'where',
  'internalQuery',
  'parameters',
  'query',
  'body',
  'headers',
  'request',
  'response',
];

/** pino's error serializer, less the fields that may hold payloads, bodies or headers. */
function errorForLog(error: Error): Record<string, unknown> {
  const serialized: Record<string, unknown> = { ...pino.stdSerializers.err(error) };
  for (const field of ERROR_FIELDS_WITH_DATA) delete serialized[field];
  return serialized;
}

/**
 * The store of a Herald process. On SQLite a serving process's store checkpoints the log on a background
 * thread and a delivery thread's store (`elsewhere`) leaves checkpoints to it; a one-off command (`inline`)
 * checkpoints as it commits. The logger hears of lost connections the store recovers from by itself.
 */
export function storeFor(
  config: Config,
  checkpoints: 'inline' | 'background' | 'elsewhere' = 'inline',
  logger?: StoreLogger,
): Store {
  return openStore({
    databaseUrl: config.databaseUrl,
    sqliteFile: path.join(config.dataDir, SQLITE_FILE),
    poolSize: config.dbPoolSize,
    statementTimeoutMs: config.dbStatementTimeoutMs,
    lockTimeoutMs: config.dbLockTimeoutMs,
    checkpoints,
    logger,
  });
}
