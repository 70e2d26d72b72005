/** Svix's background-task shapes: the task as `GET /background-task/{id}` returns it, and the 202 that starts one. */
import { Type } from '@sinclair/typebox';
import type { BackgroundTask } from '../../store/index.js';
import { TASK_TYPES } from '../background-tasks.js';
import { Nullable, Timestamp, toIso } from './common.js';

export const BackgroundTaskStatus = Type.Union(
  [Type.Literal('running'), Type.Literal('finished'), Type.Literal('failed')],
  { description: '`running` until the work ends, then `finished` (result in `data`) or `failed`' },
);

export const BackgroundTaskType = Type.Union(
  TASK_TYPES.map((type) => Type.Literal(type)),
  { description: 'What the task does' },
);

export const TaskId = Type.String({
  pattern: '^qtask_[A-Za-z0-9]+$',
  maxLength: 64,
  description: "The background task's id",
  example: 'qtask_01JEXAMPLE0000000000000000',
});

/** What an operation that starts a task answers (Svix's RecoverOut, ReplayOut, ExpungeAllContentsOut, …). */
export const TaskAccepted = Type.Object({
  id: TaskId,
  status: BackgroundTaskStatus,
  task: BackgroundTaskType,
  updatedAt: Timestamp,
});

export const BackgroundTaskOut = Type.Object({
  ...TaskAccepted.properties,
  data: Type.Record(Type.String(), Type.Unknown(), {
    description:
      'The result once finished (for example `messagesSent`), `error` once failed, `{}` while running',
  }),
});

/** Optional since and until of a replay, as Svix's RecoverIn and ReplayIn take them. */
export const ReplayWindow = {
  since: Timestamp,
  until: Type.Optional(Nullable(Timestamp)),
};

export const taskAccepted = (task: BackgroundTask) => ({
  id: task.id,
  status: task.status,
  task: task.task as (typeof TASK_TYPES)[number],
  updatedAt: toIso(task.updatedAt),
});

export const backgroundTaskOut = (task: BackgroundTask) => ({ ...taskAccepted(task), data: task.data });
