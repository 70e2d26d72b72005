/**
 * The lease rescuer puts back in the queue every delivery whose lease ran out: its worker stopped, or lost its
 * database for longer than a lease, before it recorded a result. Live workers renew their leases, so only the
 * deliveries of a worker that is gone are rescued, and another worker sends them again.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/index.js';
import type { MaintenanceService } from './maintenance.js';

export const RESCUE_INTERVAL_MS = 5_000;

export function leaseRescuer(store: Store, logger: Logger): MaintenanceService {
  return {
    name: 'lease-rescuer',
    intervalMs: RESCUE_INTERVAL_MS,
    async run(now) {
      const rescued = await store.deliveryRescueExpired(now);
      if (rescued > 0) logger.warn({ rescued }, 'rescued deliveries whose lease expired');
    },
  };
}

/**
 * Requeues every leased delivery at once, whatever its lease. Only for an embedded database at process start: one
 * process owns it, so anything still leased was cut off by a crash and is sent again now, before any worker of
 * this process claims, rather than after its lease runs out.
 */
export async function requeueLeftovers(store: Store, logger: Logger): Promise<void> {
  const released = await store.deliveryRescueExpired(Date.now(), true);
  if (released > 0) logger.warn({ released }, 'requeued deliveries left in flight by the last run');
}
