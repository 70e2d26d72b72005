/**
 * The task reaper: marks `failed` every background task left `running` by a process that stopped (its
 * heartbeat lapsed), and deletes ended tasks after their retention, as Svix lists the tasks of the past 90 days.
 */
import type { Logger } from 'pino';
import { TASK_HEARTBEAT_MS, type Store } from '../store/index.js';
import type { MaintenanceService } from './maintenance.js';

/** A running task whose heartbeat is older than this is abandoned: its process missed eight beats. */
export const TASK_ABANDONED_MS = 8 * TASK_HEARTBEAT_MS;
export const TASK_RETENTION_MS = 90 * 86_400_000;

export function taskReaper(store: Store, logger: Logger): MaintenanceService {
  return {
    name: 'task-reaper',
    intervalMs: TASK_HEARTBEAT_MS * 2,
    async run(now) {
      const failed = await store.backgroundTaskFailAbandoned(now - TASK_ABANDONED_MS, now);
      if (failed.length > 0) logger.warn({ tasks: failed }, 'marked failed the tasks whose process stopped');
      await store.backgroundTaskPrune(now - TASK_RETENTION_MS);
    },
  };
}

/**
 * Marks failed, at once, every task still running. Only for an embedded database at process start: one
 * process owns it, so a running task was cut off by the last run's end.
 */
export async function failLeftoverTasks(store: Store, logger: Logger): Promise<void> {
  const failed = await store.backgroundTaskFailAbandoned(Number.MAX_SAFE_INTEGER);
  if (failed.length > 0)
    logger.warn({ tasks: failed }, 'marked failed the tasks left running by the last run');
}
