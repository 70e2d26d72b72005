/**
 * Each delivery attempt as a span of its message's trace (docs/observability.md): a child of the write that
 * stored the message, whatever process makes the attempt and however many retries came before. With tracing
 * off the attempt runs as it is, with nothing created.
 */
import { context, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { DeliveryStatus } from '../store/index.js';
import { activeTracer, contextFromCarrier } from '../util/otel.js';
import type { AttemptReport } from './attempt.js';
import type { Job } from './job.js';

/** The span's name: one per attempt, whatever the endpoint, so that names stay few. */
export const ATTEMPT_SPAN = 'herald.delivery.attempt';

/** What the attempt's decision means for the delivery: delivered, to be retried, or given up. */
export function attemptOutcome(report: Pick<AttemptReport, 'decision'>): 'success' | 'retry' | 'failed' {
  if (report.decision.status === DeliveryStatus.Success) return 'success';
  return report.decision.status === DeliveryStatus.Fail ? 'failed' : 'retry';
}

function startAttributes({ delivery, message, target }: Job): Attributes {
  let host: string | undefined;
  let port: number | undefined;
  try {
    // The host only: an endpoint URL's path and query may hold credentials.
    const url = new URL(target.url);
    host = url.hostname;
    port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  } catch {
    // An URL that does not parse fails the attempt; the span says so through its error class.
  }
  return {
    'http.request.method': 'POST',
    ...(host !== undefined && { 'server.address': host, 'server.port': port }),
    'herald.app.id': delivery.appId,
    'herald.endpoint.id': delivery.endpointId,
    'herald.message.id': message.id,
    'herald.delivery.id': delivery.id,
    'herald.event_type': message.eventType,
    'herald.attempt.number': delivery.attemptCount + 1,
  };
}

/** Makes the attempt `run` inside its span, when tracing is on, and ends the span with what it reports. */
export async function tracedAttempt(job: Job, run: () => Promise<AttemptReport>): Promise<AttemptReport> {
  const tracer = activeTracer();
  if (tracer === null) return run();
  const parent = contextFromCarrier(job.message.traceContext);
  const span = tracer.startSpan(
    ATTEMPT_SPAN,
    { kind: SpanKind.CLIENT, attributes: startAttributes(job) },
    parent,
  );
  let report: AttemptReport;
  try {
    report = await context.with(trace.setSpan(parent, span), run);
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).name ?? 'Error' });
    span.end();
    throw error;
  }
  const { attempt, outcome } = report;
  const result = attemptOutcome(report);
  span.setAttributes({
    'herald.attempt.outcome': result,
    'herald.attempt.duration_ms': outcome.durationMs,
    ...(attempt.responseStatusCode > 0 && { 'http.response.status_code': attempt.responseStatusCode }),
    ...(attempt.errorClass !== null && { 'error.type': attempt.errorClass }),
    ...(report.decision.nextAttemptAt !== null && {
      'herald.delivery.next_attempt_at': new Date(report.decision.nextAttemptAt).toISOString(),
    }),
  });
  if (result !== 'success')
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: attempt.errorClass ?? 'failed',
    });
  span.end(report.finishedAt);
  return report;
}
