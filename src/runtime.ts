/** What every Herald thread opens the same way: its logger and its store. */
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { Config } from './config/config.js';
import { openStore, type Store } from './store/index.js';

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
 * The store of a Herald process. On SQLite the process's first store checkpoints the log on a background
 * thread; a delivery thread's store (`elsewhere`) leaves checkpoints to it.
 */
export function storeFor(config: Config, checkpoints: 'background' | 'elsewhere' = 'background'): Store {
  return openStore({
    databaseUrl: config.databaseUrl,
    sqliteFile: path.join(config.dataDir, SQLITE_FILE),
    poolSize: config.dbPoolSize,
    checkpoints,
  });
}
