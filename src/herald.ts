/** Starting and stopping a Herald process: storage, migrations, the first admin key and the API. */
import type { Logger } from 'pino';
import { buildApi, type Api } from './api/server.js';
import { Metrics } from './delivery/metrics.js';
import { startDeliveryEngine } from './delivery/engine.js';
import { DeliveryThreads } from './delivery/threads.js';
import type { DeliveryWorker } from './delivery/worker.js';
import { ensureOperatorEndpoint } from './delivery/operator-endpoint.js';
import { listOperationalEventTypes } from './delivery/operational-events.js';
import { autoDisabler } from './services/auto-disabler.js';
import { idempotencyPruner } from './services/idempotency-pruner.js';
import { leaseRescuer, requeueLeftovers } from './services/lease-rescuer.js';
import { workerTakeover } from './services/worker-takeover.js';
import { Maintenance, type MaintenanceService } from './services/maintenance.js';
import { retentionPruner } from './services/retention-pruner.js';
import { failLeftoverTasks, taskReaper } from './services/task-reaper.js';
import { slaEvaluator } from './services/sla-evaluator.js';
import type { Config } from './config/config.js';
import { generateApiKey } from './security/api-keys.js';
import { loadMasterKey, Vault } from './security/vault.js';
import { lockDataDir } from './util/instance-lock.js';
import { startTracing } from './util/otel.js';
import type { Store } from './store/index.js';
import { createLogger, storeFor } from './runtime.js';

export { createLogger, storeFor } from './runtime.js';

/** Creates the first admin key when there is none. Returns its token, which the caller shows once. */
export async function bootstrapAdminKey(store: Store): Promise<string | null> {
  const { key, token } = generateApiKey({ name: 'first admin key', appId: null });
  return (await store.apiKeyCreateFirstAdmin(key)) ? token : null;
}

export interface Herald {
  api: Api;
  store: Store;
  url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Called with the first admin key's token when this start created it. */
  onFirstAdminKey?: (token: string) => void;
}

export async function startHerald(config: Config, options: StartOptions = {}): Promise<Herald> {
  const logger = options.logger ?? createLogger(config);
  const masterKey = loadMasterKey(config);
  const vault = new Vault(masterKey);
  // SQLite is for one process: a second one on the same data directory is refused, not silently raced.
  const unlock = config.databaseUrl === undefined ? lockDataDir(config.dataDir) : () => {};
  // Tracing starts first and stops last, so that the spans of everything else are exported.
  const stopTracing = await startTracing(logger);
  const store = storeFor(config, 'background', logger);
  // Everything started so far, stopped in reverse order on close or on a failed start.
  const stops: Array<() => Promise<void>> = [stopTracing, async () => unlock(), () => store.close()];
  const close = async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };

  try {
    const migration = await store.migrate();
    if (migration.applied.length > 0) logger.info({ applied: migration.applied }, 'database migrated');
    const token = await bootstrapAdminKey(store);
    if (token !== null) options.onFirstAdminKey?.(token);
    if (config.operationalEventTypes === 'catalogue') await listOperationalEventTypes(store);

    const metrics = new Metrics(store, config.metricsEndpointLabels);
    let worker: DeliveryWorker | null = null;
    let threads: DeliveryThreads | null = null;
    /** Wakes every delivery worker of this process: the main thread's and the delivery threads'. */
    const wakeDelivery = () => {
      worker?.wake();
      threads?.wake();
    };
    // Maintenance runs on this thread only, and once per interval across every process sharing the database.
    const services: MaintenanceService[] = [];
    if (!store.profile.multiProcess) await failLeftoverTasks(store, logger);
    if (config.role !== 'api') {
      if (!store.profile.multiProcess) await requeueLeftovers(store, logger);
      const engine = await startDeliveryEngine(
        { config, store, vault, logger, metrics },
        { index: 0, of: config.workerThreads },
      );
      // The main thread's worker and the delivery threads stop together, each within its grace period.
      stops.push(async () => {
        await Promise.all([engine.stop(), threads?.stop()]);
      });
      worker = engine.worker;
      if (config.operatorWebhookUrl !== undefined)
        await ensureOperatorEndpoint(store, vault, engine.events, config.operatorWebhookUrl);
      if (config.workerThreads > 1)
        threads = await DeliveryThreads.start({ config, masterKey, logger, metrics });
      const unlisten = await store.deliveryListen(wakeDelivery);
      stops.push(unlisten);
      services.push(leaseRescuer(store, logger), workerTakeover(store, logger, config.workerTakeoverMs));
      services.push(retentionPruner(store, logger, config.retentionMs));
      services.push(slaEvaluator(store, engine.events, logger, config.slaEvaluateMs));
      if (config.autoDisableAfterMs > 0)
        services.push(autoDisabler(store, engine.events, logger, config.autoDisableAfterMs));
    }

    // Every role listens: a worker-only process serves just health and metrics, for probes and scrapers.
    let notify = wakeDelivery;
    if (config.role !== 'worker') {
      services.push(idempotencyPruner(store), taskReaper(store, logger));
      const announce = coalesced(() => store.deliveryAnnounce(), logger);
      notify = () => {
        wakeDelivery();
        announce();
      };
    }
    const maintenance = new Maintenance(store, logger, services);
    maintenance.start();
    stops.push(() => maintenance.stop());
    const api: Api = await buildApi({
      config,
      store,
      vault,
      logger,
      notify,
      metrics,
      surface: config.role === 'worker' ? 'operations' : 'all',
    });
    stops.push(() => api.close());
    await api.listen({ host: config.host, port: config.port });
    const address = api.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    // With port 0 the system picks the port, and a public URL derived from host and port ends in ":0" until
    // now. A configured HERALD_PUBLIC_URL (a proxy's address, say) is kept as it is.
    const url = config.port === 0 ? config.publicUrl.replace(/:0$/, `:${port}`) : config.publicUrl;
    logger.info({ url, role: config.role, database: store.dialect }, 'Herald is serving');
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
