/** Builds the HTTP API: one fastify instance with validation, authentication, idempotency and every route. */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { Config } from '../config/config.js';
import { Metrics } from '../delivery/metrics.js';
import { OperationalEvents } from '../delivery/operational-events.js';
import type { Vault } from '../security/vault.js';
import type { Store } from '../store/index.js';
import { Audit } from './audit.js';
import { KeyCache, registerAuth } from './auth.js';
import { registerAuthAudit } from './auth-audit.js';
import { BackgroundTasks } from './background-tasks.js';
import { registerDashboard } from './dashboard.js';
import type { ApiContext } from './context.js';
import { errorHandler, HttpError } from './errors.js';
import { registerIdempotency } from './idempotency.js';
import { openApiOptions } from './openapi.js';
import { parseQueryString } from './query-string.js';
import { registerRateLimit } from './rate-limit.js';
import { routeGroup } from './route-group.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { applicationRoutes } from './routes/applications.js';
import { attemptRoutes } from './routes/attempts.js';
import { attemptExtraRoutes } from './routes/attempt-extras.js';
import { endpointFilterRoutes } from './routes/endpoint-filters.js';
import { endpointSecurityRoutes } from './routes/endpoint-security.js';
import { operationalWebhookRoutes } from './routes/operational-webhooks.js';
import { endpointSettingRoutes } from './routes/endpoint-settings.js';
import { endpointRoutes } from './routes/endpoints.js';
import { environmentRoutes } from './routes/environment.js';
import { eventTypeRoutes } from './routes/event-types.js';
import { eventTypeOpenApiRoutes } from './routes/event-type-openapi.js';
import { eventTypeRetryRoutes } from './routes/event-type-retry.js';
import { healthRoutes } from './routes/health.js';
import { healthReportRoutes } from './routes/health-report.js';
import { metricsRoutes } from './routes/metrics.js';
import { ingestRoutes } from './routes/ingest.js';
import { messageRoutes } from './routes/messages.js';
import { messageFeedRoutes } from './routes/message-feed.js';
import { pollerRoutes } from './routes/poller.js';
import { pollerLeaseRoutes } from './routes/poller-leases.js';
import { relayRoutes } from './routes/relay.js';
import { portalAccessRoutes } from './routes/portal-access.js';
import { authTokenRoutes } from './routes/auth-tokens.js';
import { pollerTokenRoutes } from './routes/poller-tokens.js';
import { endpointOauthRoutes } from './routes/endpoint-oauth.js';
import { endpointThrottlingRoutes } from './routes/endpoint-throttling.js';
import { environmentSettingsRoutes } from './routes/environment-settings.js';
import { privacyRoutes } from './routes/privacy.js';
import { recoveryRoutes } from './routes/recovery.js';
import { backgroundTaskRoutes } from './routes/background-tasks.js';
import { endpointReplayRoutes } from './routes/endpoint-replays.js';
import { messageBroadcastRoutes } from './routes/message-broadcast.js';
import { messagePurgeRoutes } from './routes/message-purge.js';
import { usageStatRoutes } from './routes/usage-stats.js';
import { securityRoutes } from './routes/security.js';
import { slaRoutes } from './routes/slas.js';
import { statisticsRoutes } from './routes/statistics.js';
import { templateRenderRoutes } from './routes/template-render.js';
import { templateVersionRoutes } from './routes/template-versions.js';
import { templateRoutes } from './routes/templates.js';
import { transformationRoutes } from './routes/transformations.js';
import { sharedSchemas } from './schemas/common.js';
import { lazySerializerFactory, validatorCompiler } from './validation.js';
import { fastifyTracing } from '../util/otel.js';

export interface ApiOptions {
  config: Config;
  store: Store;
  vault: Vault;
  /** A pino logger; without one the API does not log. */
  logger?: FastifyBaseLogger;
  /** Called when accepted messages created deliveries, to wake a worker in this process. */
  notify?: () => void;
  /** This process's metrics, served at /metrics; a fresh set when omitted. */
  metrics?: Metrics;
  /** `operations` serves only health and metrics, for a worker-only process. Default: everything. */
  surface?: 'all' | 'operations';
}

export const API_PREFIX = '/api/v1';

export async function buildApi(options: ApiOptions) {
  const { config, store, vault } = options;
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: false,
    // Response serializers are compiled on first use; see validation.ts.
    schemaController: { compilersFactory: { buildSerializer: lazySerializerFactory() } },
    // Path parameters hold ids and uids of up to 256 characters; fastify's default of 100 would turn a valid
    // long uid into "no such route". Longer ones still reach validation, which names the limit.
    // Svix's clients and tests write paths with a trailing slash (`/api/v1/app/`); both spellings reach a route.
    // Array parameters in bracket form (`event_types[]=a`) are read too; see query-string.ts.
    routerOptions: { maxParamLength: 1024, ignoreTrailingSlash: true, querystringParser: parseQueryString },
    // Router-level failures (a malformed percent-escape, an over-long parameter) get the usual {code, detail}.
    frameworkErrors: (error, request, reply) => errorHandler(error, request, reply),
    // One log line per request would dominate the log at webhook volumes; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<TypeBoxTypeProvider>();

  // With tracing on, every request is a span (before any route, so that all are covered).
  const tracing = fastifyTracing();
  if (tracing !== null) await app.register(tracing);

  // The API speaks JSON only: a text/plain body is a 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler());
  app.setErrorHandler(errorHandler);
  for (const schema of sharedSchemas) app.addSchema(schema);
  // The dashboard answers GETs outside /api/ that match no route; a worker-only process serves none.
  const dashboard = options.surface === 'operations' ? null : await registerDashboard(app);
  app.setNotFoundHandler((request, reply) => {
    if (dashboard?.serves(request)) return dashboard.page(reply);
    throw new HttpError(
      404,
      'not_found',
      `there is no route ${request.method} ${request.url.split('?')[0]}; the API is described at ${API_PREFIX}/docs`,
    );
  });

  const keys = new KeyCache(store, config.apiKeyCacheSeconds * 1000);
  const context: ApiContext = {
    config,
    store,
    vault,
    keys,
    audit: new Audit(store),
    notify: options.notify ?? (() => {}),
    metrics: options.metrics ?? new Metrics(store),
    // Endpoint changes are reported to the operational-webhook endpoints, as Svix reports them.
    events: new OperationalEvents(store, app.log, options.notify ?? (() => {})),
    tasks: new BackgroundTasks(store, app.log),
  };
  // Closing the API lets the tasks it started end, so that none is left running by a clean stop.
  app.addHook('onClose', () => context.tasks.close());
  registerAuth(app, store, keys, config.appKeyAccess);
  registerAuthAudit(app, context.audit);
  registerRateLimit(app, { defaultRate: config.apiRateLimit, audit: context.audit });
  registerIdempotency(app, store, config.idempotencyTtlSeconds * 1000, config.idempotencyKeyReuse);

  await app.register(swagger, openApiOptions(config));
  await app.register(metricsRoutes(context));
  if (options.surface === 'operations') {
    await app.register(healthRoutes(context), { prefix: API_PREFIX });
    return app;
  }
  await app.register(
    async (api) => {
      await api.register(healthRoutes(context));
      await api.register(applicationRoutes(context));
      await api.register(endpointRoutes(context));
      await api.register(endpointSettingRoutes(context));
      await api.register(endpointFilterRoutes(context));
      await api.register(eventTypeRoutes(context));
      await api.register(eventTypeOpenApiRoutes(context));
      await api.register(environmentRoutes(context));
      await api.register(eventTypeRetryRoutes(context));
      await api.register(templateRoutes(context));
      await api.register(templateVersionRoutes(context));
      await api.register(templateRenderRoutes(context));
      await api.register(transformationRoutes(context));
      await api.register(messageRoutes(context));
      await api.register(messageFeedRoutes(context));
      await api.register(pollerRoutes(context));
      await api.register(pollerLeaseRoutes(context));
      await api.register(relayRoutes(context));
      await api.register(ingestRoutes(context));
      await api.register(recoveryRoutes(context));
      await api.register(endpointReplayRoutes(context));
      await api.register(messagePurgeRoutes(context));
      await api.register(messageBroadcastRoutes(context));
      await api.register(backgroundTaskRoutes(context));
      await api.register(usageStatRoutes(context));
      await api.register(healthReportRoutes(context));
      await api.register(attemptRoutes(context));
      await api.register(attemptExtraRoutes(context));
      await api.register(statisticsRoutes(context));
      await api.register(apiKeyRoutes(context));
      await api.register(endpointSecurityRoutes(context));
      await api.register(operationalWebhookRoutes(context));
      await api.register(securityRoutes(context));
      await api.register(privacyRoutes(context));
      await api.register(slaRoutes(context));
      await api.register(portalAccessRoutes(context));
      await api.register(authTokenRoutes(context));
      await api.register(pollerTokenRoutes(context));
      await api.register(endpointOauthRoutes(context));
      await api.register(endpointThrottlingRoutes(context));
      await api.register(environmentSettingsRoutes(context));
      routeGroup(api).get('/openapi.json', { access: 'public', hide: true }, async () => app.swagger());
    },
    { prefix: API_PREFIX },
  );
  await app.register(swaggerUi, {
    routePrefix: `${API_PREFIX}/docs`,
    uiConfig: { docExpansion: 'list', deepLinking: true },
  });
  return app;
}

export type Api = Awaited<ReturnType<typeof buildApi>>;
