import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ApiContext } from '../context.js';
import { routeGroup } from '../route-group.js';

/**
 * Prometheus metrics at /metrics, outside the versioned API. They need an admin key, like the rest of the
 * management surface: configure the scraper with `authorization: { credentials: <admin key> }`.
 */
export const metricsRoutes =
  ({ metrics }: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    routeGroup(app).get('/metrics', { access: 'admin', hide: true }, async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.text()),
    );
  };
