/** The idempotency pruner deletes idempotency keys past their expiry, so their table does not grow for ever. */
import type { Store } from '../store/index.js';
import type { MaintenanceService } from './maintenance.js';

export const IDEMPOTENCY_PRUNE_INTERVAL_MS = 10 * 60_000;

export function idempotencyPruner(store: Store): MaintenanceService {
  return {
    name: 'idempotency-pruner',
    intervalMs: IDEMPOTENCY_PRUNE_INTERVAL_MS,
    async run(now) {
      await store.idempotencyPrune(now);
    },
  };
}
