/**
 * A real OTLP/HTTP trace receiver on 127.0.0.1, as an OpenTelemetry collector would listen: it takes the JSON
 * encoding (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`) at POST /v1/traces and keeps every span it was sent.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An OTLP attribute value in the JSON encoding. */
interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: Array<{ key: string; value: AnyValue }>;
  links?: Array<{ traceId: string; spanId: string; attributes?: Array<{ key: string; value: AnyValue }> }>;
  status?: { code?: number; message?: string };
}

interface OtlpRequest {
  resourceSpans: Array<{
    resource?: { attributes?: Array<{ key: string; value: AnyValue }> };
    scopeSpans: Array<{ scope?: { name: string }; spans: OtlpSpan[] }>;
  }>;
}

/** A span as received, its attributes as plain values. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  kind: number;
  scope: string;
  service: string;
  attributes: Record<string, string | number | boolean>;
  /** The spans it links to (span links), with their attributes. */
  links: Array<{ traceId: string; spanId: string; attributes: Record<string, string | number | boolean> }>;
  status: { code: number; message?: string };
}

function plain(value: AnyValue): string | number | boolean {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.boolValue !== undefined) return value.boolValue;
  return value.doubleValue ?? '';
}

function attributesOf(list: Array<{ key: string; value: AnyValue }> = []) {
  return Object.fromEntries(list.map(({ key, value }) => [key, plain(value)]));
}

export interface OtlpReceiver {
  /** The base URL, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  spans: ReceivedSpan[];
  /** Resolves with the spans once `ready` holds of them; rejects after `timeoutMs`. */
  waitFor(ready: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString()) as OtlpRequest;
      for (const { resource, scopeSpans } of body.resourceSpans) {
        const service = String(attributesOf(resource?.attributes)['service.name'] ?? '');
        for (const { scope, spans: received } of scopeSpans)
          for (const span of received)
            spans.push({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId ?? '',
              name: span.name,
              kind: span.kind,
              scope: scope?.name ?? '',
              service,
              attributes: attributesOf(span.attributes),
              links: (span.links ?? []).map((link) => ({
                traceId: link.traceId,
                spanId: link.spanId,
                attributes: attributesOf(link.attributes),
              })),
              status: { code: span.status?.code ?? 0, message: span.status?.message },
            });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    async waitFor(ready, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!ready(spans)) {
        if (Date.now() > deadline)
          throw new Error(`the spans expected did not arrive; got ${spans.map((s) => s.name).join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return spans;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The variables `exportTo` sets. */
const OTEL_ENV = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_BSP_SCHEDULE_DELAY'];

/**
 * Points the OTEL_* variables of this process (read by the next Herald started here, and passed on to child
 * processes) at the receiver, in JSON, exporting every 50 ms.
 */
export function exportTo(receiver: OtlpReceiver): void {
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
  process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
  process.env.OTEL_BSP_SCHEDULE_DELAY = '50';
}

/** Removes what `exportTo` set: the next Herald started here does not trace. */
export function stopExporting(): void {
  for (const name of OTEL_ENV) delete process.env[name];
}
