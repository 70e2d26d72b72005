/**
 * Background tasks: work accepted by an API call and run after the answer (see migration 0018). The process
 * that accepted a task runs it and beats its heartbeat; a task left `running` by a process that stopped is
 * marked `failed` once its heartbeat lapses, and finished tasks are pruned after their retention.
 */
import type { Connection } from './dialect.js';
import { fromJson, paged, pageOf, toJson } from './rows.js';
import type { BackgroundTaskTable } from './schema.js';
import type { Page, PageQuery } from './types.js';
import type { Selectable } from 'kysely';

export type BackgroundTaskStatus = 'running' | 'finished' | 'failed';

export interface BackgroundTask {
  id: string;
  /** The application the task acts on; null for a task over the whole deployment. */
  appId: string | null;
  /** Svix's task type: `endpoint.recover`, `endpoint.replay`, `application.purge_content`, … */
  task: string;
  status: BackgroundTaskStatus;
  /** What the task was asked to do (the request), as stored. */
  params: Record<string, unknown>;
  /** Its result once finished, its error once failed. */
  data: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export interface BackgroundTaskFilter {
  /** Only the tasks of this application (an application key's view); undefined: every task. */
  appId?: string;
  status?: BackgroundTaskStatus;
  task?: string;
}

export interface BackgroundTaskQueries {
  /** Records a new `running` task held by `holder`. */
  backgroundTaskCreate(
    task: Pick<BackgroundTask, 'id' | 'appId' | 'task' | 'params'>,
    holder: string,
    now?: number,
  ): Promise<BackgroundTask>;
  backgroundTaskGet(id: string): Promise<BackgroundTask | undefined>;
  backgroundTaskList(filter: BackgroundTaskFilter, page: PageQuery): Promise<Page<BackgroundTask>>;
  /** Ends a running task with its result (`finished`) or its error (`failed`); false if it was not running. */
  backgroundTaskEnd(
    id: string,
    status: 'finished' | 'failed',
    data: Record<string, unknown>,
    now?: number,
  ): Promise<boolean>;
  /** Beats the heartbeat of the running tasks `ids` (those of one process). */
  backgroundTaskBeat(ids: string[], now?: number): Promise<void>;
  /**
   * Marks `failed` every running task whose heartbeat is older than `before` (its process stopped), with
   * `data.error` saying so; returns their ids.
   */
  backgroundTaskFailAbandoned(before: number, now?: number): Promise<string[]>;
  /** Deletes the tasks that ended (finished or failed) before `before`; returns how many. */
  backgroundTaskPrune(before: number): Promise<number>;
}

/** How often a process beats the heartbeat of the tasks it runs. */
export const TASK_HEARTBEAT_MS = 15_000;

/** The error an abandoned task is left with. */
export const ABANDONED_ERROR =
  'the process running this task stopped before it finished; start the operation again';

function toTask(row: Selectable<BackgroundTaskTable>): BackgroundTask {
  return {
    id: row.id,
    appId: row.app_id,
    task: row.task,
    status: row.status as BackgroundTaskStatus,
    params: fromJson(row.params),
    data: fromJson(row.data),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function backgroundTaskQueries({ db }: Connection): BackgroundTaskQueries {
  return {
    async backgroundTaskCreate(task, holder, now = Date.now()) {
      const row = {
        id: task.id,
        app_id: task.appId,
        task: task.task,
        status: 'running',
        params: toJson(task.params),
        data: toJson({}),
        holder,
        heartbeat_at: now,
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('background_task').values(row).execute();
      return toTask(row);
    },

    async backgroundTaskGet(id) {
      const row = await db.selectFrom('background_task').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toTask(row);
    },

    async backgroundTaskList(filter, page) {
      let query = db.selectFrom('background_task').selectAll();
      if (filter.appId !== undefined) query = query.where('app_id', '=', filter.appId);
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      if (filter.task !== undefined) query = query.where('task', '=', filter.task);
      const rows = await paged(query, 'id', page).execute();
      return pageOf(rows.map(toTask), page, (task) => task.id);
    },

    async backgroundTaskEnd(id, status, data, now = Date.now()) {
      const result = await db
        .updateTable('background_task')
        .set({ status, data: toJson(data), holder: null, heartbeat_at: null, updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async backgroundTaskBeat(ids, now = Date.now()) {
      if (ids.length === 0) return;
      await db
        .updateTable('background_task')
        .set({ heartbeat_at: now })
        .where('id', 'in', ids)
        .where('status', '=', 'running')
        .execute();
    },

    async backgroundTaskFailAbandoned(before, now = Date.now()) {
      const rows = await db
        .updateTable('background_task')
        .set({
          status: 'failed',
          data: toJson({ error: ABANDONED_ERROR }),
          holder: null,
          heartbeat_at: null,
          updated_at: now,
        })
        .where('status', '=', 'running')
        .where('heartbeat_at', '<', before)
        .returning('id')
        .execute();
      return rows.map((row) => row.id);
    },

    async backgroundTaskPrune(before) {
      const result = await db
        .deleteFrom('background_task')
        .where('status', '!=', 'running')
        .where('updated_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
