/** A delivery worker on a test's store and vault, sending to 127.0.0.1 only, with its logs silenced. */
import pino from 'pino';
import { Metrics } from '../../src/delivery/metrics.js';
import { OperationalEvents } from '../../src/delivery/operational-events.js';
import { Sender } from '../../src/delivery/sender.js';
import { DeliveryWorker, type WorkerOptions } from '../../src/delivery/worker.js';
import type { Vault } from '../../src/security/vault.js';
import { parseCidrList } from '../../src/util/cidr.js';
import type { Store } from '../../src/store/index.js';

export interface TestWorker {
  worker: DeliveryWorker;
  metrics: Metrics;
  /** Stops the worker, then closes its sender. */
  stop(): Promise<void>;
}

/** Starts a worker; options not given: 500 ms polls, 10 s timeouts, 75 s leases, a circuit threshold of 10. */
export function startTestWorker(
  store: Store,
  vault: Vault,
  options: Partial<WorkerOptions> & Pick<WorkerOptions, 'concurrency' | 'endpointConcurrency'>,
): TestWorker {
  const logger = pino({ level: 'silent' });
  const metrics = new Metrics(null);
  const sender = new Sender({ ssrfAllow: parseCidrList('127.0.0.1/32'), connections: 10 });
  const worker = new DeliveryWorker(
    { store, vault, sender, logger, events: new OperationalEvents(store, logger, () => {}), metrics },
    {
      pollIntervalMs: 500,
      timeoutMs: 10_000,
      leaseMs: 75_000,
      takeoverMs: 10_000,
      shutdownGraceMs: 1_000,
      circuitThreshold: 10,
      ...options,
    },
  );
  worker.start();
  return {
    worker,
    metrics,
    async stop() {
      await worker.stop();
      await sender.close();
    },
  };
}
