/** A delivery thread's entry point (see `delivery/threads.ts`): its own store, sender and worker. */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger, storeFor } from './runtime.js';
import { Vault } from './security/vault.js';
import { startDeliveryEngine } from './delivery/engine.js';
import { Metrics } from './delivery/metrics.js';
import { startTracing } from './util/otel.js';
import { configFromThreadData, type FromThread, type ThreadData, type ToThread } from './delivery/threads.js';

const data = workerData as ThreadData;
const port = parentPort!;
const config = configFromThreadData(data);
const logger = createLogger(config).child({ thread: data.share.index });
const stopTracing = await startTracing(logger);
const store = storeFor(config, 'elsewhere', logger);
const metrics = new Metrics(null, config.metricsEndpointLabels);
const engine = await startDeliveryEngine(
  { config, store, vault: new Vault(config.masterKey!), logger, metrics },
  data.share,
).catch(async (error: unknown) => {
  await store.close();
  throw error;
});

const send = (message: FromThread) => port.postMessage(message);
port.on('message', (message: ToThread) => {
  if (message.type === 'wake') engine.worker.wake();
  else if (message.type === 'metrics')
    void metrics.registry
      .getMetricsAsJSON()
      .then((snapshot) => send({ type: 'metrics', id: message.id, metrics: snapshot }));
  else if (message.type === 'stop')
    void engine
      .stop()
      .catch((error: unknown) => logger.error({ err: error }, 'stopping the delivery worker failed'))
      .then(() => store.close())
      .catch((error: unknown) => logger.error({ err: error }, "closing the delivery thread's store failed"))
      .then(stopTracing)
      .finally(() => port.close());
});
logger.info({ worker: engine.worker.id }, 'delivery thread started');
send({ type: 'ready' });
