import { columnTypes, type Migration } from './types.js';

/**
 * Background tasks (docs/background-tasks.md), Svix's `qtask_…`: work an API call accepted with a 202 and runs
 * after answering (recover, replay, purge, usage statistics). `app_id` is the application the task acts on, or
 * null for one over the whole deployment (usage statistics), which only admin keys see. `params` is the
 * request as JSON and `data` the result (or progress) as JSON. `holder` is the process running it, which
 * beats `heartbeat_at` while it does; a `running` task whose heartbeat lapsed is marked `failed`.
 */
export const backgroundTasks: Migration = {
  version: 18,
  name: 'background_tasks',
  statements(profile) {
    const { id } = columnTypes(profile);
    return [
      `create table background_task (
        id ${id} primary key,
        app_id text references application (id) on delete cascade,
        task text not null,
        status text not null,
        params text not null,
        data text not null,
        holder text,
        heartbeat_at bigint,
        created_at bigint not null,
        updated_at bigint not null
      )`,
      `create index background_task_app on background_task (app_id, id)`,
      `create index background_task_running on background_task (status, heartbeat_at)`,
    ];
  },
};
