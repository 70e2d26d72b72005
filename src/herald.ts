/** Starting and stopping a Herald process: storage, migrations, the first admin key and the API. */
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { buildApi, type Api } from './api/server.js';
import type { Config } from './config/config.js';
import { generateApiKey } from './security/api-keys.js';
import { loadMasterKey, Vault } from './security/vault.js';
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

export function storeFor(config: Config): Store {
  return openStore({
    databaseUrl: config.databaseUrl,
    sqliteFile: path.join(config.dataDir, SQLITE_FILE),
    poolSize: config.dbPoolSize,
  });
}

/** Creates the first admin key when there is none. Returns its token, which the caller shows once. */
export async function bootstrapAdminKey(store: Store): Promise<string | null> {
  const { key, token } = generateApiKey({ name: 'first admin key', appId: null });
  return (await store.apiKeyCreateFirstAdmin(key)) ? token : null;
}

export interface Herald {
  api: Api | null;
  store: Store;
  url: string | null;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Called with the first admin key's token when this start created it. */
  onFirstAdminKey?: (token: string) => void;
}

export async function startHerald(config: Config, options: StartOptions = {}): Promise<Herald> {
  const logger = options.logger ?? createLogger(config);
  const vault = new Vault(loadMasterKey(config));
  const store = storeFor(config);
  try {
    const migration = await store.migrate();
    if (migration.applied.length > 0) logger.info({ applied: migration.applied }, 'database migrated');
    const token = await bootstrapAdminKey(store);
    if (token !== null) options.onFirstAdminKey?.(token);
  } catch (error) {
    await store.close();
    throw error;
  }

  let api: Api | null = null;
  let url: string | null = null;
  if (config.role !== 'worker') {
    api = await buildApi({ config, store, vault, logger });
    await api.listen({ host: config.host, port: config.port });
    const address = api.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    url = config.publicUrl.replace(/:\d+$/, `:${port}`);
    logger.info({ url, role: config.role, database: store.dialect }, 'Herald is serving');
  }

  return {
    api,
    store,
    url,
    async close() {
      await api?.close();
      await store.close();
    },
  };
}
