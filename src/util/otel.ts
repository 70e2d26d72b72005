/**
 * OpenTelemetry tracing, configured by the standard `OTEL_*` environment variables (docs/observability.md).
 * With no exporter configured tracing is off: the SDK is never loaded, and every helper here answers at once
 * without creating anything. Each thread that traces (the main thread, each delivery thread) starts the SDK
 * for itself, as OpenTelemetry's globals belong to one thread.
 */
import {
  context,
  diag,
  propagation,
  trace,
  ROOT_CONTEXT,
  type Context,
  type DiagLogger,
  type Tracer,
} from '@opentelemetry/api';
import type { FastifyPluginCallback } from 'fastify';
import type { Logger } from 'pino';

/** The instrumentation scope of Herald's own spans. */
export const TRACER_NAME = 'herald';

type Env = Record<string, string | undefined>;

const set = (value: string | undefined) => value !== undefined && value.trim() !== '';

/**
 * Whether the environment asks for traces: an OTLP endpoint is set, or `OTEL_TRACES_EXPORTER` names an
 * exporter other than `none`; never when `OTEL_SDK_DISABLED` is true.
 */
export function tracingConfigured(env: Env = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = env.OTEL_TRACES_EXPORTER?.split(',').map((name) => name.trim().toLowerCase());
  if (exporters !== undefined && exporters.some((name) => name !== '')) return !exporters.includes('none');
  return set(env.OTEL_EXPORTER_OTLP_ENDPOINT) || set(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

interface Started {
  tracer: Tracer;
  fastifyPlugin: () => FastifyPluginCallback;
  shutdown: () => Promise<void>;
  /** Herald processes in this thread using it (tests start several); the SDK stops with the last. */
  users: number;
}

let started: Promise<Started> | null = null;
/** Set once the SDK runs in this thread: the one check the hot path makes. */
let tracer: Tracer | null = null;
let fastifyPlugin: (() => FastifyPluginCallback) | null = null;

/** Herald's tracer while tracing is on in this thread; null when it is off. */
export function activeTracer(): Tracer | null {
  return tracer;
}

/** The fastify plugin that makes each API request a span (its `traceparent` the parent); null when off. */
export function fastifyTracing(): FastifyPluginCallback | null {
  return fastifyPlugin?.() ?? null;
}

/**
 * The context value that marks a delivery's own request: the undici instrumentation leaves it alone, since the
 * attempt's span is its client span and the endpoint's `propagateTraceContext` decides whether a `traceparent`
 * is sent. Other requests (an OAuth token fetch) get the instrumentation's span.
 */
const DELIVERY = Symbol.for('herald.delivery');

/** Runs `send`, a delivery's own request, marked as such while tracing is on. */
export function deliveryRequest<T>(send: () => T): T {
  return tracer === null ? send() : context.with(context.active().setValue(DELIVERY, true), send);
}

/** The current context as a propagation carrier in JSON (to store with a message); undefined when off. */
export function contextCarrier(ctx: Context): string | undefined {
  if (tracer === null) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return Object.keys(carrier).length > 0 ? JSON.stringify(carrier) : undefined;
}

/** The context a stored carrier describes; the root context for none or one that does not parse. */
export function contextFromCarrier(stored: string | undefined): Context {
  if (stored === undefined) return ROOT_CONTEXT;
  try {
    const carrier = JSON.parse(stored) as unknown;
    if (typeof carrier !== 'object' || carrier === null) return ROOT_CONTEXT;
    return propagation.extract(ROOT_CONTEXT, carrier as Record<string, string>);
  } catch {
    return ROOT_CONTEXT;
  }
}

/** The headers (`traceparent`, `tracestate`) that carry the active context to a receiver; none when off. */
export function traceHeaders(): Record<string, string> {
  if (tracer === null) return {};
  const headers: Record<string, string> = {};
  propagation.inject(context.active(), headers);
  return headers;
}

/** OpenTelemetry's own warnings and errors (a collector that cannot be reached) go to Herald's log. */
function diagLogger(logger: Logger): DiagLogger {
  const log = logger.child({ component: 'opentelemetry' });
  return {
    error: (message) => log.error(message),
    warn: (message) => log.warn(message),
    info: (message) => log.debug(message),
    debug: (message) => log.trace(message),
    verbose: (message) => log.trace(message),
  };
}

async function load(logger: Logger, env: Env): Promise<Started> {
  const [{ NodeSDK }, { UndiciInstrumentation }, { FastifyOtelInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-undici'),
    import('@fastify/otel'),
  ]);
  const named =
    set(env.OTEL_SERVICE_NAME) || /(^|,)\s*service\.name\s*=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? '');
  const fastify = new FastifyOtelInstrumentation({
    // Probes and scrapes are not worth a trace each.
    ignorePaths: ({ url }) => url === '/metrics' || url.startsWith('/api/v1/health'),
  });
  const sdk = new NodeSDK({
    ...(!named && { serviceName: 'herald' }),
    // Traces only: Herald's metrics are served at /metrics, its logs are JSON lines.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      fastify,
      new UndiciInstrumentation({
        ignoreRequestHook: () => context.active().getValue(DELIVERY) === true,
        // A URL's query may hold credentials: the span keeps the URL without it.
        requestHook: (span, request) => {
          span.setAttribute('url.full', `${request.origin}${request.path.split('?')[0]}`);
          span.setAttribute('url.query', '');
        },
      }),
    ],
  });
  if (!set(env.OTEL_LOG_LEVEL)) diag.setLogger(diagLogger(logger), { suppressOverrideMessage: true });
  sdk.start();
  return {
    tracer: trace.getTracer(TRACER_NAME),
    fastifyPlugin: () => fastify.plugin(),
    async shutdown() {
      await sdk.shutdown();
      // Unregistered, so that a later start in this thread (a test's second Herald) registers afresh.
      trace.disable();
      propagation.disable();
      context.disable();
      diag.disable();
    },
    users: 0,
  };
}

/**
 * Starts tracing in this thread when the environment configures it, and returns what stops it again (spans
 * not yet exported are flushed). Does nothing when it is not configured.
 */
export async function startTracing(logger: Logger, env: Env = process.env): Promise<() => Promise<void>> {
  if (!tracingConfigured(env)) return async () => {};
  started ??= load(logger, env);
  const sdk = await started;
  sdk.users++;
  tracer = sdk.tracer;
  fastifyPlugin = sdk.fastifyPlugin;
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    if (--sdk.users > 0) return;
    tracer = null;
    fastifyPlugin = null;
    started = null;
    await sdk.shutdown();
  };
}
