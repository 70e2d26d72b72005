/**
 * The write of a send request's messages as a span (docs/observability.md): a child of the request's span,
 * itself a child of the client's `traceparent` when it sent one. Each message stores the write's context, so
 * that its delivery attempts join the same trace. With tracing off nothing is captured or created.
 */
import { context, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import type { NewMessage } from '../store/index.js';
import { activeTracer, contextCarrier } from '../util/otel.js';

export const WRITE_SPAN = 'herald.message.write';

/** The context a send request runs in, kept until its write; undefined when tracing is off. */
export function requestContext(): Context | undefined {
  return activeTracer() === null ? undefined : context.active();
}

/** The spans of one group's writes: ended together once the group's transaction is settled. */
export interface WriteSpans {
  end(error?: unknown): void;
}

const NONE: WriteSpans = { end() {} };

/**
 * Starts the write span of each request in a group (those whose context was kept) and stores its context with
 * the request's messages.
 */
export function startWriteSpans(
  group: Array<{ trace?: Context | undefined; inputs: NewMessage[] }>,
): WriteSpans {
  const tracer = activeTracer();
  if (tracer === null) return NONE;
  const spans: Span[] = [];
  const messages = group.reduce((sum, { inputs }) => sum + inputs.length, 0);
  for (const { trace: parent, inputs } of group) {
    if (parent === undefined) continue;
    const span = tracer.startSpan(
      WRITE_SPAN,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'herald.app.id': inputs[0]?.message.appId ?? '',
          'herald.message.count': inputs.length,
          'herald.delivery.count': inputs.reduce((sum, input) => sum + input.deliveries.length, 0),
          // Requests arriving together share one transaction.
          'herald.write.group_messages': messages,
          ...(inputs.length === 1 && { 'herald.message.id': inputs[0]!.message.id }),
        },
      },
      parent,
    );
    const stored = contextCarrier(trace.setSpan(parent, span));
    if (stored !== undefined) for (const input of inputs) input.message.traceContext = stored;
    spans.push(span);
  }
  return {
    end(error) {
      for (const span of spans) {
        // The error's name only: a database error's message may quote stored values.
        if (error !== undefined)
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).name ?? 'Error' });
        span.end();
      }
    },
  };
}
