/**
 * Following a background task (`qtask_…`) that an operation such as recover started: its state is read until it
 * is no longer running.
 */
import type { Api } from './api';

export interface BackgroundTask {
  id: string;
  status: 'running' | 'finished' | 'failed';
  task: string;
  data: Record<string, unknown>;
}

const POLL_MS = 500;

/** Resolves with the task once it finished; throws its error if it failed. */
export async function followTask(api: Api, id: string): Promise<BackgroundTask> {
  for (;;) {
    const task = await api.get<BackgroundTask>(`/background-task/${encodeURIComponent(id)}`);
    if (task.status === 'finished') return task;
    if (task.status === 'failed')
      throw new Error(`The task failed: ${String(task.data.error ?? 'no reason was recorded')}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
