import { routeModule } from '../route-group.js';

/**
 * Prometheus metrics at /metrics, outside the versioned API. They need an admin key, like the rest of the
 * management surface: configure the scraper with `authorization: { credentials: <admin key> }`.
 */
export const metricsRoutes = routeModule({}, (route, { metrics }) => {
  route.get('/metrics', { access: 'admin', hide: true }, async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.text()),
  );
});
