/**
 * Each delivery attempt as a span of its message's trace (docs/observability.md): a child of the write that
 * stored the message, whatever process makes the attempt and however many retries came before. With tracing
 * off the attempt runs as it is, with nothing created.
 */
import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
} from '@opentelemetry/api';
import { DeliveryStatus } from '../store/index.js';
import { activeTracer, contextFromCarrier } from '../util/otel.js';
import type { AttemptReport } from './attempt.js';
import type { JobReport } from './batch-attempt.js';
import { membersOf, type Job } from './job.js';

/** The span's name: one per attempt, whatever the endpoint, so that names stay few. */
export const ATTEMPT_SPAN = 'herald.delivery.attempt';

/** What the attempt's decision means for the delivery: delivered, to be retried, or given up. */
export function attemptOutcome(report: Pick<AttemptReport, 'decision'>): 'success' | 'retry' | 'failed' {
  if (report.decision.status === DeliveryStatus.Success) return 'success';
  return report.decision.status === DeliveryStatus.Fail ? 'failed' : 'retry';
}

/** The span of a batching endpoint's request, which carries several messages' attempts. */
export const BATCH_SPAN = 'herald.delivery.batch';

/** What the request's span says of where it goes: the endpoint, by id and host. */
function requestAttributes({ delivery, target }: Job): Attributes {
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
  };
}

function startAttributes(job: Job): Attributes {
  const { delivery, message } = job;
  return {
    ...requestAttributes(job),
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
    failed(span, error);
    throw error;
  }
  endAttempt(span, report);
  return report;
}

/** Ends a span whose request threw (a bug, not an endpoint's failure), naming the error's class only. */
function failed(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).name ?? 'Error' });
  span.end();
}

/** What the response (or the failure) says, on the request's span or on an attempt's. */
function responseAttributes({ attempt, outcome }: AttemptReport): Attributes {
  return {
    'herald.attempt.duration_ms': outcome.durationMs,
    ...(attempt.responseStatusCode > 0 && { 'http.response.status_code': attempt.responseStatusCode }),
    ...(attempt.errorClass !== null && { 'error.type': attempt.errorClass }),
  };
}

/** Ends an attempt's span with what the attempt came to. */
function endAttempt(span: Span, report: AttemptReport): void {
  const result = attemptOutcome(report);
  span.setAttributes({
    'herald.attempt.outcome': result,
    ...responseAttributes(report),
    ...(report.decision.nextAttemptAt !== null && {
      'herald.delivery.next_attempt_at': new Date(report.decision.nextAttemptAt).toISOString(),
    }),
  });
  if (result !== 'success')
    span.setStatus({ code: SpanStatusCode.ERROR, message: report.attempt.errorClass ?? 'failed' });
  span.end(report.finishedAt);
}

/**
 * Sends a batching endpoint's request inside spans, when tracing is on: the request's own span
 * (`herald.delivery.batch`, the receiver's parent), which starts a trace of its own since its messages belong to
 * several, and in each message's trace an attempt span (a child of the message's write, as for a request of
 * one), linked both ways to the request's span.
 */
export async function tracedBatch(
  job: Job,
  batchId: string,
  run: () => Promise<JobReport[]>,
): Promise<JobReport[]> {
  const tracer = activeTracer();
  if (tracer === null) return run();
  const members = membersOf(job);
  const batch = { 'herald.batch.id': batchId, 'herald.batch.size': members.length };
  const startTime = Date.now();
  const request = tracer.startSpan(
    BATCH_SPAN,
    { kind: SpanKind.CLIENT, attributes: { ...requestAttributes(job), ...batch }, startTime },
    ROOT_CONTEXT,
  );
  // The request is the span of the HTTP call; the attempts record each message's part in it.
  const attempts = new Map(
    members.map((member) => [
      member.delivery.id,
      tracer.startSpan(
        ATTEMPT_SPAN,
        {
          kind: SpanKind.INTERNAL,
          attributes: { ...startAttributes(member), ...batch },
          links: [{ context: request.spanContext() }],
          startTime,
        },
        contextFromCarrier(member.message.traceContext),
      ),
    ]),
  );
  request.addLinks(
    [...attempts.values()].map((span, index) => ({
      context: span.spanContext(),
      attributes: { 'herald.message.id': members[index]!.message.id },
    })),
  );
  let reports: JobReport[];
  try {
    reports = await context.with(trace.setSpan(ROOT_CONTEXT, request), run);
  } catch (error) {
    for (const span of [request, ...attempts.values()]) failed(span, error);
    throw error;
  }
  for (const { job: member, report } of reports) endAttempt(attempts.get(member.delivery.id)!, report);
  const first = reports[0]!.report;
  request.setAttributes(responseAttributes(first));
  if (first.attempt.errorClass !== null)
    request.setStatus({ code: SpanStatusCode.ERROR, message: first.attempt.errorClass });
  request.end(first.finishedAt);
  return reports;
}
