/** The retention pruner deletes message content and attempt logs older than HERALD_RETENTION. */
import type { Logger } from 'pino';
import type { Store } from '../store/index.js';
import type { MaintenanceService } from './maintenance.js';

export const RETENTION_INTERVAL_MS = 60 * 60_000;

export function retentionPruner(store: Store, logger: Logger, retentionMs: number): MaintenanceService {
  return {
    name: 'retention-pruner',
    intervalMs: RETENTION_INTERVAL_MS,
    async run(now) {
      const pruned = await store.contentPrune(now - retentionMs);
      if (pruned.messages + pruned.attempts > 0) logger.info(pruned, 'pruned content past its retention');
    },
  };
}
