/** Starting and stopping a Herald process: storage, migrations, the first admin key and the API. */
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { buildApi, type Api } from './api/server.js';
import { Sender } from './delivery/sender.js';
import { DeliveryWorker } from './delivery/worker.js';
import type { Config } from './config/config.js';
import { generateApiKey } from './security/api-keys.js';
import { loadMasterKey, Vault } from './security/vault.js';
import { runPeriodically } from './services/periodic.js';
import { openStore, type Store } from './store/index.js';

export const SQLITE_FILE = 'herald.db';
/** How long shutdown lets requests in flight finish before leaving them to another worker's lease rescue. */
const SHUTDOWN_GRACE_MS = 10_000;
/** How often expired idempotency keys are deleted. Each process may do it; the delete is harmless twice. */
const IDEMPOTENCY_PRUNE_INTERVAL_MS = 10 * 60 * 1000;

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
  // Everything started so far, stopped in reverse order on close or on a failed start.
  const stops: Array<() => Promise<void>> = [() => store.close()];
  const close = async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };

  try {
    const migration = await store.migrate();
    if (migration.applied.length > 0) logger.info({ applied: migration.applied }, 'database migrated');
    const token = await bootstrapAdminKey(store);
    if (token !== null) options.onFirstAdminKey?.(token);

    let worker: DeliveryWorker | null = null;
    if (config.role !== 'api') {
      const sender = new Sender({ ssrfAllow: config.ssrfAllow, connections: config.endpointConcurrency });
      stops.push(() => sender.close());
      const started = new DeliveryWorker(store, vault, sender, logger, {
        concurrency: config.workerConcurrency,
        endpointConcurrency: config.endpointConcurrency,
        pollIntervalMs: config.pollIntervalMs,
        timeoutMs: config.deliveryTimeoutMs,
        leaseMs: 3 * config.deliveryTimeoutMs + 30_000,
        shutdownGraceMs: SHUTDOWN_GRACE_MS,
      });
      started.start();
      stops.push(() => started.stop());
      const unlisten = await store.deliveryListen(() => started.wake());
      stops.push(unlisten);
      worker = started;
    }

    let api: Api | null = null;
    let url: string | null = null;
    if (config.role !== 'worker') {
      const pruner = runPeriodically(
        'idempotency-pruner',
        IDEMPOTENCY_PRUNE_INTERVAL_MS,
        () => store.idempotencyPrune(),
        logger,
      );
      stops.push(() => pruner.stop());
      const announce = coalesced(() => store.deliveryAnnounce(), logger);
      api = await buildApi({
        config,
        store,
        vault,
        logger,
        notify: () => {
          worker?.wake();
          announce();
        },
      });
      const server = api;
      stops.push(() => server.close());
      await api.listen({ host: config.host, port: config.port });
      const address = api.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      // With port 0 the system picks the port, and a public URL derived from host and port ends in ":0" until
      // now. A configured HERALD_PUBLIC_URL (a proxy's address, say) is kept as it is.
      url = config.port === 0 ? config.publicUrl.replace(/:0$/, `:${port}`) : config.publicUrl;
      logger.info({ url, role: config.role, database: store.dialect }, 'Herald is serving');
    }
    return { api, store, url, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Runs `task` for every call, but never two at once: calls that arrive while one runs are folded into a
 * single run after it. Announcing new deliveries this way costs one NOTIFY per burst, not one per message.
 */
function coalesced(task: () => Promise<void>, logger: Logger): () => void {
  let running = false;
  let again = false;
  const run = () => {
    running = true;
    again = false;
    task()
      .catch((error: unknown) => logger.warn({ err: error }, 'announcing new deliveries failed'))
      .finally(() => {
        running = false;
        if (again) run();
      });
  };
  return () => {
    if (running) again = true;
    else run();
  };
}
