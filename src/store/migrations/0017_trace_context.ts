import type { Migration } from './types.js';

/**
 * Tracing (docs/observability.md). A message keeps the trace context of the write that stored it
 * (`trace_context`, the W3C `traceparent` and `tracestate` as a JSON object), so that every attempt of every
 * delivery of it, in any worker process and on any retry, is a span of the same trace; null when tracing was
 * off. An endpoint may ask for that context in a `traceparent` header (`propagate_trace_context` 1).
 */
export const traceContext: Migration = {
  version: 17,
  name: 'trace_context',
  statements() {
    return [
      `alter table message add column trace_context text`,
      `alter table endpoint add column propagate_trace_context integer not null default 0`,
    ];
  },
};
