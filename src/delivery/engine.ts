/**
 * One delivery worker with what it needs of its own: a connection pool for sending and the operational events
 * it emits. A process runs one on its main thread and, with HERALD_WORKER_THREADS above 1, one more on each
 * delivery thread (`threads.ts`); they share the database and nothing else.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Vault } from '../security/vault.js';
import type { Store } from '../store/index.js';
import type { Metrics } from './metrics.js';
import { OperationalEvents } from './operational-events.js';
import { Sender } from './sender.js';
import { DeliveryWorker } from './worker.js';

/** How long shutdown lets requests in flight finish before leaving them to the lease rescuer. */
export const SHUTDOWN_GRACE_MS = 10_000;

export interface DeliveryEngine {
  worker: DeliveryWorker;
  events: OperationalEvents;
  stop(): Promise<void>;
}

/** Which of the process's delivery workers this is (0 on the main thread) and how many there are. */
export interface WorkerShare {
  index: number;
  of: number;
}

/**
 * A worker's part of a per-process limit: the limit split evenly over the process's workers, the first ones
 * taking one more each while the remainder lasts, so that the parts add up to exactly the limit. The
 * configuration allows no more workers than the limit, so every part is at least one.
 */
export function shareOf(limit: number, share: WorkerShare): number {
  return Math.floor(limit / share.of) + (share.index < limit % share.of ? 1 : 0);
}

export async function startDeliveryEngine(
  deps: { config: Config; store: Store; vault: Vault; logger: Logger; metrics: Metrics },
  share: WorkerShare,
): Promise<DeliveryEngine> {
  const { config, store, vault, logger, metrics } = deps;
  let worker: DeliveryWorker | null = null;
  const events = new OperationalEvents(store, logger, () => worker?.wake());
  await events.lookup();
  const concurrency = shareOf(config.workerConcurrency, share);
  // Connections are pooled per origin, and several endpoints may share one (a customer's endpoints on one
  // host): a pool of endpointConcurrency would let one hanging endpoint stall its neighbours. The worker
  // already bounds requests per endpoint and in all, so the pool may hold as many as the worker sends.
  const sender = new Sender({ ssrfAllow: config.ssrfAllow, connections: concurrency });
  worker = new DeliveryWorker(
    { store, vault, sender, logger, events, metrics },
    {
      concurrency,
      endpointConcurrency: shareOf(config.endpointConcurrency, share),
      pollIntervalMs: config.pollIntervalMs,
      timeoutMs: config.deliveryTimeoutMs,
      leaseMs: 3 * config.deliveryTimeoutMs + 30_000,
      takeoverMs: config.workerTakeoverMs,
      shutdownGraceMs: SHUTDOWN_GRACE_MS,
      circuitThreshold: config.circuitThreshold,
      redactionRules: config.redactionRules,
    },
  );
  worker.start();
  const started = worker;
  return {
    worker: started,
    events,
    async stop() {
      await started.stop();
      await sender.close();
    },
  };
}
