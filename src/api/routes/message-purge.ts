/** Svix's expunge-all-contents: a background task that removes the payload of every message of an application. */
import { routeModule } from '../route-group.js';
import { TaskAccepted, taskAccepted } from '../schemas/background-tasks.js';
import { AppParams, IdempotencyHeaders } from '../schemas/common.js';

export const messagePurgeRoutes = routeModule({ tags: ['Message'] }, (route, { store, tasks }) => {
  route.post(
    '/app/:app_id/msg/expunge-all-contents',
    {
      access: 'app',
      optionalBody: true,
      summary: 'Expunge the contents of all messages',
      description:
        'Starts a background task (`application.purge_content`) that removes the payload of every message of ' +
        'the application, and the request bodies its attempts recorded, as expunging each message would. The ' +
        'messages stay listed; they can no longer be resent or replayed. The finished task counts them in ' +
        '`data.messagesPurged`.',
      params: AppParams,
      headers: IdempotencyHeaders,
      response: { 202: TaskAccepted },
    },
    async (request, reply) => {
      const appId = request.application.id;
      const task = await tasks.start('application.purge_content', appId, {}, async () => ({
        messagesPurged: await store.messageExpungeAll(appId),
      }));
      return reply.status(202).send(taskAccepted(task));
    },
  );
});
