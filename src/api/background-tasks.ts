/**
 * Background tasks (Svix's `qtask_…`): an API call that may touch many rows (recover, replay, purge, usage
 * statistics) records a task, answers 202 with it, and this process runs the work after the answer. The task's
 * row says `running` until the work ends, then `finished` with its result in `data`, or `failed` with
 * `data.error`. While this process runs tasks it beats their heartbeat; a task whose process stopped (a crash,
 * a kill) is marked `failed` by the task reaper once its heartbeat lapses, and at the start of an embedded
 * (SQLite) Herald at once. Tasks are not resumed: the error says to start the operation again. See
 * docs/background-tasks.md.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import { TASK_HEARTBEAT_MS, type BackgroundTask, type Store } from '../store/index.js';
import { newId } from '../util/ids.js';

/** Svix's task types (BackgroundTaskType); Herald runs the ones its operations start. */
export const TASK_TYPES = [
  'endpoint.replay',
  'endpoint.recover',
  'application.stats',
  'message.broadcast',
  'sdk.generate',
  'event-type.aggregate',
  'application.purge_content',
  'endpoint.bulk-replay',
] as const;
export type TaskType = (typeof TASK_TYPES)[number];

/** The work of a task: resolves with the task's `data`, or throws (the task fails with the error's message). */
export type TaskWork = () => Promise<Record<string, unknown>>;

export class BackgroundTasks {
  /** This process, as the tasks it runs record it. */
  readonly holder = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  readonly #running = new Map<string, Promise<void>>();
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly logger: FastifyBaseLogger,
    private readonly heartbeatMs = TASK_HEARTBEAT_MS,
  ) {}

  /**
   * Records a running task of `task` on `appId` (null: the whole deployment) and starts `work` once the caller
   * has had the row; resolves with the row as stored.
   */
  async start(
    task: TaskType,
    appId: string | null,
    params: Record<string, unknown>,
    work: TaskWork,
  ): Promise<BackgroundTask> {
    const created = await this.store.backgroundTaskCreate(
      { id: newId('task'), appId, task, params },
      this.holder,
    );
    const run = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#run(created, work))
      .finally(() => {
        this.#running.delete(created.id);
        if (this.#running.size === 0) this.#stopBeating();
      });
    this.#running.set(created.id, run);
    this.#startBeating();
    return created;
  }

  async #run(task: BackgroundTask, work: TaskWork): Promise<void> {
    let status: 'finished' | 'failed' = 'finished';
    let data: Record<string, unknown>;
    try {
      data = await work();
    } catch (error) {
      status = 'failed';
      const message = error instanceof Error ? error.message : String(error);
      data = { error: message };
      this.logger.error({ err: error, task: task.id, type: task.task }, 'background task failed');
    }
    try {
      await this.store.backgroundTaskEnd(task.id, status, data);
    } catch (error) {
      // The heartbeat stops with this process's interest in the task, so the reaper marks it failed later.
      this.logger.error({ err: error, task: task.id }, 'recording the end of a background task failed');
    }
  }

  #startBeating(): void {
    if (this.#timer !== null) return;
    this.#timer = setInterval(() => {
      this.store
        .backgroundTaskBeat([...this.#running.keys()])
        .catch((error: unknown) =>
          this.logger.warn({ err: error }, 'beating the heartbeat of background tasks failed'),
        );
    }, this.heartbeatMs);
    this.#timer.unref();
  }

  #stopBeating(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Resolves once every task this process started has ended. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running.values()]);
  }

  /** Waits for the tasks in progress (each is a bounded amount of work), then stops beating. */
  async close(): Promise<void> {
    await this.idle();
    this.#stopBeating();
  }
}
