/** What every Herald thread opens the same way: its logger and its store. */
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { Config } from './config/config.js';
import { openStore, type Store, type StoreLogger } from './store/index.js';

export const SQLITE_FILE = 'herald.db';

export function createLogger(config: Config): Logger {
  return pino({
    level: config.logLevel,
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', '*.token', '*.secret', '*.key'],
      censor: '[redacted]',
    },
  });
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
