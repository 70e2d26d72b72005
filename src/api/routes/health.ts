import { Type } from '@sinclair/typebox';
import { routeModule } from '../route-group.js';
import { HttpErrorOut } from '../schemas/common.js';

export const healthRoutes = routeModule({ tags: ['Health'] }, (route, { store }) => {
  route.get(
    '/health',
    {
      access: 'public',
      summary: 'Health check',
      description: 'Answers 204 when the server is up and its database answers; 503 otherwise.',
      response: { 204: Type.Null(), 503: HttpErrorOut },
    },
    async (request, reply) => {
      try {
        await store.ping();
      } catch (error) {
        request.log.error({ err: error }, 'health check: database unreachable');
        return reply
          .status(503)
          .send({ code: 'database_unavailable', detail: 'the database does not answer' });
      }
      return reply.status(204).send(null);
    },
  );

  route.get(
    '/health/ping',
    { access: 'public', summary: 'Liveness ping', response: { 204: Type.Null() } },
    async (_request, reply) => reply.status(204).send(null),
  );
});
