/**
 * Svix's background tasks: list and follow the tasks that recover, replay, purge and usage statistics start.
 * An admin key sees every task; an application key sees only the tasks of its own application (never the
 * deployment-wide ones), and any other task is a 404 to it, as if it did not exist.
 */
import { Type } from '@sinclair/typebox';
import { notFound } from '../errors.js';
import { mapPage, pageQuery } from '../pagination.js';
import { routeModule } from '../route-group.js';
import {
  BackgroundTaskOut,
  BackgroundTaskStatus,
  BackgroundTaskType,
  backgroundTaskOut,
  TaskId,
} from '../schemas/background-tasks.js';
import { ListResponse, OrderedPageQuery } from '../schemas/common.js';

export const backgroundTaskRoutes = routeModule({ tags: ['Background Task'] }, (route, { store }) => {
  route.get(
    '/background-task',
    {
      access: 'any',
      summary: 'List background tasks',
      description:
        'Newest first by default. Tasks are kept 90 days after they end. An application key lists only the ' +
        "tasks of its own application; an admin key lists every task, the deployment's statistics included.",
      querystring: Type.Object({
        ...OrderedPageQuery.properties,
        status: Type.Optional(BackgroundTaskStatus),
        task: Type.Optional(BackgroundTaskType),
      }),
      response: { 200: ListResponse(BackgroundTaskOut) },
    },
    async (request) => {
      const appId = request.principal?.appId ?? undefined;
      const { status, task } = request.query;
      const page = await store.backgroundTaskList(
        { appId, status, task },
        pageQuery(request.query, 'descending'),
      );
      return mapPage(page, backgroundTaskOut);
    },
  );

  route.get(
    '/background-task/:task_id',
    {
      access: 'any',
      summary: 'Get a background task',
      description:
        '`status` is `running` until the work ends, then `finished` with the result in `data`, or `failed` ' +
        'with `data.error` (a task whose process stopped fails so; start the operation again).',
      params: Type.Object({ task_id: TaskId }),
      response: { 200: BackgroundTaskOut },
    },
    async (request) => {
      const task = await store.backgroundTaskGet(request.params.task_id);
      const appId = request.principal?.appId ?? null;
      if (task === undefined || (appId !== null && task.appId !== appId))
        throw notFound('background task', request.params.task_id);
      return backgroundTaskOut(task);
    },
  );
});
