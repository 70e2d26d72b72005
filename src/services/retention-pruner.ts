/**
 * The retention pruner removes content past its retention: payloads whose message or application set a
 * retention of their own (once the message is settled), then message content and attempt logs older than
 * HERALD_RETENTION_DAYS (when it is not 0). SLA rollups are kept for the longest SLA window and a day, whatever
 * HERALD_RETENTION_DAYS says: they hold counts, not content.
 */
import type { Logger } from 'pino';
import { ROLLUP_RETENTION_MS } from '../delivery/sla.js';
import type { Store } from '../store/index.js';
import type { MaintenanceService } from './maintenance.js';

export const RETENTION_INTERVAL_MS = 60 * 60_000;

export function retentionPruner(store: Store, logger: Logger, retentionMs: number): MaintenanceService {
  return {
    name: 'retention-pruner',
    intervalMs: RETENTION_INTERVAL_MS,
    async run(now) {
      const rollups = await store.slaRollupPrune(now - ROLLUP_RETENTION_MS);
      if (rollups > 0) logger.info({ minutes: rollups }, 'pruned SLA rollups older than the longest window');
      const expired = await store.contentPruneExpired(now);
      if (expired > 0) logger.info({ messages: expired }, 'removed payloads past their own retention');
      if (retentionMs <= 0) return;
      const pruned = await store.contentPrune(now - retentionMs);
      if (pruned.messages + pruned.attempts > 0) logger.info(pruned, 'pruned content past its retention');
    },
  };
}
