import { Type } from '@sinclair/typebox';
import { routeModule } from '../route-group.js';
import { databaseUnavailable } from '../errors.js';
import { HttpErrorOut } from '../schemas/common.js';

export const healthRoutes = routeModule({ tags: ['Health'] }, (route, { store }) => {
  route.get(
    '/health',
    {
      access: 'public',
      summary: 'Health check',
      description:
        'Answers 204 when the server is up and its database answers. When the database does not answer ' +
        '(down, unreachable, or refusing connections), 503 with code `database_unavailable`, a detail naming ' +
        'the database, and `Retry-After`; the server itself is up and answers again by itself once the ' +
        'database is back.',
      response: { 204: Type.Null(), 503: HttpErrorOut },
    },
    async (request, reply) => {
      try {
        await store.ping();
      } catch (error) {
        request.log.error({ err: error }, 'health check: database unreachable');
        throw databaseUnavailable('this server is up and answers again by itself once the database is back');
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
