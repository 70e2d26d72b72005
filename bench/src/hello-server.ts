/**
 * The ingest baseline, in its own process: a fastify hello-world route that takes the same JSON POST as Herald's
 * message route and answers without doing anything. Herald's single-message ingest is reported as a ratio of it.
 */
import Fastify from 'fastify';
import { serveCalls } from './ipc.js';

const app = Fastify({ logger: false });
app.post('/hello', async (_request, reply) => reply.status(202).send({ hello: 'world' }));

serveCalls({
  listen: async () => {
    await app.listen({ host: '127.0.0.1', port: 0 });
    return (app.server.address() as { port: number }).port;
  },
});
