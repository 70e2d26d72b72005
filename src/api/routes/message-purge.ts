/**
 * Svix's expunge-all-contents (a background task that removes the payload of every message of an application)
 * and bulk-expunge (the payloads of the messages named).
 */
import { Type } from '@sinclair/typebox';
import { routeModule } from '../route-group.js';
import { TaskAccepted, taskAccepted } from '../schemas/background-tasks.js';
import { AppParams, IdempotencyHeaders, Uid } from '../schemas/common.js';

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

  route.post(
    '/app/:app_id/msg/bulk-expunge',
    {
      access: 'app',
      summary: 'Expunge the contents of many messages',
      description:
        'Removes the payload of each message named in `ids` (message ids or eventIds), as ' +
        '`DELETE /api/v1/app/{app_id}/msg/{msg_id}/content` does for one. `results` answers each id as given: ' +
        '`expunged`, or `not-found` when the application has no such message.',
      params: AppParams,
      headers: IdempotencyHeaders,
      body: Type.Object({ ids: Type.Optional(Type.Array(Uid, { uniqueItems: true, default: [] })) }),
      response: {
        200: Type.Object({
          results: Type.Record(
            Type.String(),
            Type.Union([Type.Literal('expunged'), Type.Literal('not-found')]),
            {
              description: 'Each id of the request: `expunged` or `not-found`',
            },
          ),
        }),
      },
    },
    async (request) => {
      const appId = request.application.id;
      const results: Record<string, 'expunged' | 'not-found'> = {};
      for (const id of request.body.ids ?? []) {
        const message = await store.messageGet(appId, id);
        results[id] =
          message && (await store.messageExpungeContent(appId, message.id)) ? 'expunged' : 'not-found';
      }
      return { results };
    },
  );
});
