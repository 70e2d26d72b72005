/**
 * The worker takeover: gives the deliveries of every worker whose heartbeat lapsed to the others, at once rather
 * than when their leases run out. It runs four times per takeover period, so a dead worker's deliveries are
 * back in the queue between one and about one and a half periods after its last heartbeat. The lease rescuer
 * stays as the last resort, for workers that never had a heartbeat row.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/index.js';
import type { MaintenanceService } from './maintenance.js';

export function workerTakeover(store: Store, logger: Logger, takeoverMs: number): MaintenanceService {
  return {
    name: 'worker-takeover',
    intervalMs: Math.max(100, Math.floor(takeoverMs / 4)),
    async run(now) {
      const taken = await store.workerTakeOverSilent(takeoverMs, now);
      if (taken.workers.length > 0)
        logger.warn(
          { workers: taken.workers, deliveries: taken.deliveries, silentMs: takeoverMs },
          'took over the deliveries of workers whose heartbeat lapsed',
        );
    },
  };
}
