/**
 * OpenTelemetry traces end to end: Herald exports through the real OTLP/HTTP exporter to a receiver on
 * 127.0.0.1, and one message's trace holds the ingest request (a child of the client's `traceparent`), the
 * write, and each delivery attempt, across a retry. An endpoint with `propagateTraceContext` gets its attempt's
 * `traceparent`; the others get none. With no OTEL_* variable set, nothing is traced or sent.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTEMPT_SPAN, BATCH_SPAN } from '../../src/delivery/tracing.js';
import { WRITE_SPAN } from '../../src/api/ingest-tracing.js';
import { tracingConfigured } from '../../src/util/otel.js';
import { freshPgDatabase, PG_URL } from '../helpers/env.js';
import { HERALD_STORES, startTestHerald, type RunningHerald } from '../helpers/herald.js';
import {
  exportTo,
  startOtlpReceiver,
  stopExporting,
  type OtlpReceiver,
  type ReceivedSpan,
} from '../helpers/otlp-receiver.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { killAllServes, startServe } from '../helpers/serve-process.js';

/**
 * Sends a message with the client's own `traceparent`, over node:http: fetch would be traced by the undici
 * instrumentation, which adds a `traceparent` of its own.
 */
function sendTraced(h: RunningHerald, path: string, body: unknown, traceparent: string) {
  const payload = JSON.stringify(body);
  return new Promise<{ status: number; body: { id: string } }>((resolve, reject) => {
    const request = http.request(`${h.url}/api/v1${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${h.token}`,
        'content-type': 'application/json',
        traceparent,
      },
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }),
      );
    });
    request.on('error', reject);
    request.end(payload);
  });
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

describe.each(HERALD_STORES)('tracing ($dialect)', ({ postgres, skip }) => {
  let otlp: OtlpReceiver;
  let h: RunningHerald;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    if (skip) return;
    otlp = await startOtlpReceiver();
    exportTo(otlp);
    h = await startTestHerald({}, { postgres });
  });
  afterAll(async () => {
    await h?.close();
    stopExporting();
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await otlp?.close();
  });

  async function endpoint(app: string, settings: Record<string, unknown>) {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const created = await h.call('POST', `/app/${app}/endpoint`, {
      url: `${receiver.url}/hook`,
      ...settings,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return { receiver, id: created.body.id as string };
  }

  it.skipIf(skip)('one trace per message: request, write and each attempt, across a retry', async () => {
    const app = `traced-${hex(4)}`;
    await h.call('POST', '/app', { name: app, uid: app });
    // Fails once, then answers 200: the retry (after 0 s) is a second attempt span in the same trace.
    const traced = await endpoint(app, { propagateTraceContext: true, retrySchedule: [0] });
    let calls = 0;
    traced.receiver.answer(() => (++calls === 1 ? { status: 500, body: 'down' } : { status: 200 }));
    const plain = await endpoint(app, {});

    const traceId = hex(16);
    const clientSpan = hex(8);
    const sent = await sendTraced(
      h,
      `/app/${app}/msg`,
      { eventType: 'order.paid', payload: { order: 1 } },
      `00-${traceId}-${clientSpan}-01`,
    );
    expect(sent.status).toBe(202);
    const msgId = sent.body.id;
    const [first, second] = await traced.receiver.waitFor(2);
    const [untraced] = await plain.receiver.waitFor(1);

    const attemptsOf = (spans: ReceivedSpan[], endpointId: string) =>
      spans.filter((s) => s.name === ATTEMPT_SPAN && s.attributes['herald.endpoint.id'] === endpointId);
    const spans = await otlp.waitFor(
      (all) =>
        attemptsOf(all, traced.id).length === 2 &&
        attemptsOf(all, plain.id).length === 1 &&
        all.some((s) => s.name === WRITE_SPAN && s.traceId === traceId),
    );
    const inTrace = spans.filter((s) => s.traceId === traceId);
    const byId = new Map(inTrace.map((s) => [s.spanId, s]));

    // The request's span is a child of the client's, and the write descends from it.
    const request = inTrace.find((s) => s.parentSpanId === clientSpan)!;
    expect(request).toBeDefined();
    expect(request.service).toBe('herald');
    expect(request.attributes['http.route']).toBe('/api/v1/app/:app_id/msg');
    const write = inTrace.find((s) => s.name === WRITE_SPAN)!;
    let ancestor = byId.get(write.parentSpanId);
    while (ancestor !== undefined && ancestor !== request) ancestor = byId.get(ancestor.parentSpanId);
    expect(ancestor).toBe(request);
    expect(write.attributes).toMatchObject({ 'herald.message.id': msgId, 'herald.message.count': 1 });

    // Every attempt, the retry too, is a child of the write, in the same trace.
    const attempts = attemptsOf(spans, traced.id).sort(
      (a, b) => Number(a.attributes['herald.attempt.number']) - Number(b.attributes['herald.attempt.number']),
    );
    for (const span of [...attempts, ...attemptsOf(spans, plain.id)]) {
      expect(span.traceId).toBe(traceId);
      expect(span.parentSpanId).toBe(write.spanId);
      expect(span.scope).toBe('herald');
    }
    expect(attempts[0]!.attributes).toMatchObject({
      'herald.message.id': msgId,
      'herald.endpoint.id': traced.id,
      'herald.attempt.number': 1,
      'http.response.status_code': 500,
      'error.type': 'http_status',
      'herald.attempt.outcome': 'retry',
      'server.address': '127.0.0.1',
    });
    expect(attempts[0]!.attributes['herald.attempt.duration_ms']).toBeTypeOf('number');
    expect(attempts[0]!.status.code).toBe(2);
    expect(attempts[1]!.attributes).toMatchObject({
      'herald.attempt.number': 2,
      'http.response.status_code': 200,
      'herald.attempt.outcome': 'success',
    });
    expect(attempts[1]!.attributes['error.type']).toBeUndefined();

    // The endpoint that asked for it sees each attempt as its parent; the other gets no trace context.
    expect(first!.headers.traceparent).toBe(`00-${traceId}-${attempts[0]!.spanId}-01`);
    expect(second!.headers.traceparent).toBe(`00-${traceId}-${attempts[1]!.spanId}-01`);
    expect(untraced!.headers.traceparent).toBeUndefined();
    // No span carries the endpoint's path: only its host.
    expect(JSON.stringify(spans)).not.toContain('/hook');
  });

  it.skipIf(skip)(
    'a batch request is a span of its own, linked both ways to each message attempt',
    async () => {
      const app = `batched-${hex(4)}`;
      await h.call('POST', '/app', { name: app, uid: app });
      // Both messages wait for each other and go in one request, which fails once and is retried.
      const batched = await endpoint(app, {
        propagateTraceContext: true,
        retrySchedule: [0],
        batching: { maxMessages: 2, maxWaitMs: 60_000 },
      });
      let calls = 0;
      batched.receiver.answer(() => (++calls === 1 ? { status: 503 } : { status: 204 }));
      const traceIds = [hex(16), hex(16)];
      const msgIds: string[] = [];
      for (const traceId of traceIds) {
        const sent = await sendTraced(
          h,
          `/app/${app}/msg`,
          { eventType: 'order.paid', payload: {} },
          `00-${traceId}-${hex(8)}-01`,
        );
        expect(sent.status).toBe(202);
        msgIds.push(sent.body.id);
      }
      const requests = await batched.receiver.waitFor(2);
      const ofEndpoint = (s: ReceivedSpan) => s.attributes['herald.endpoint.id'] === batched.id;
      const spans = await otlp.waitFor(
        (all) =>
          all.filter((s) => s.name === BATCH_SPAN && ofEndpoint(s)).length === 2 &&
          all.filter((s) => s.name === ATTEMPT_SPAN && ofEndpoint(s)).length === 4,
      );
      const batches = spans.filter((s) => s.name === BATCH_SPAN && ofEndpoint(s));
      const attempts = spans.filter((s) => s.name === ATTEMPT_SPAN && ofEndpoint(s));

      for (const [index, request] of requests.entries()) {
        // The request's span: the receiver's parent, in a trace of its own, the whole response on it.
        const batch = batches.find(
          (s) => s.attributes['herald.batch.id'] === request!.headers['webhook-id'],
        )!;
        expect(request!.headers.traceparent).toBe(`00-${batch.traceId}-${batch.spanId}-01`);
        expect(batch.parentSpanId).toBe('');
        expect(traceIds).not.toContain(batch.traceId);
        expect(batch.kind).toBe(3); // client
        expect(batch.attributes).toMatchObject({
          'herald.batch.size': 2,
          'herald.app.id': expect.stringMatching(/^app_/),
          'http.response.status_code': index === 0 ? 503 : 204,
          'server.address': '127.0.0.1',
        });
        expect(batch.status.code).toBe(index === 0 ? 2 : 0);
        // Each message's attempt: in the message's trace under its write, linked to and from the request.
        const mine = attempts.filter(
          (s) => s.attributes['herald.batch.id'] === batch.attributes['herald.batch.id'],
        );
        expect(mine.map((s) => s.attributes['herald.message.id']).sort()).toEqual([...msgIds].sort());
        expect(batch.links.map((link) => link.spanId).sort()).toEqual(mine.map((s) => s.spanId).sort());
        for (const attempt of mine) {
          const message = msgIds.indexOf(String(attempt.attributes['herald.message.id']));
          const write = spans.find((s) => s.name === WRITE_SPAN && s.traceId === traceIds[message])!;
          expect(attempt.traceId).toBe(traceIds[message]);
          expect(attempt.parentSpanId).toBe(write.spanId);
          expect(attempt.kind).toBe(1); // internal: the request is the batch's span
          expect(attempt.links).toEqual([{ traceId: batch.traceId, spanId: batch.spanId, attributes: {} }]);
          expect(attempt.attributes).toMatchObject({
            'herald.attempt.number': index + 1,
            'herald.attempt.outcome': index === 0 ? 'retry' : 'success',
            'http.response.status_code': index === 0 ? 503 : 204,
          });
          const link = batch.links.find((l) => l.spanId === attempt.spanId)!;
          expect(link.attributes['herald.message.id']).toBe(attempt.attributes['herald.message.id']);
        }
      }
    },
  );

  it.skipIf(skip)('propagateTraceContext is read back, changed by PATCH and reset by PUT', async () => {
    const app = `settings-${hex(4)}`;
    await h.call('POST', '/app', { name: app, uid: app });
    const { id } = await endpoint(app, {});
    const path = `/app/${app}/endpoint/${id}`;
    expect((await h.call('GET', path)).body.propagateTraceContext).toBe(false);
    expect((await h.call('PATCH', path, { propagateTraceContext: true })).body.propagateTraceContext).toBe(
      true,
    );
    expect((await h.call('GET', path)).body.propagateTraceContext).toBe(true);
    const url = (await h.call('GET', path)).body.url as string;
    expect((await h.call('PUT', path, { url })).body.propagateTraceContext).toBe(false);
    const bad = await h.call('PATCH', path, { propagateTraceContext: 'yes' });
    expect(bad.status).toBe(422);
  });
});

describe.skipIf(!PG_URL)('tracing across processes (postgres; needs npm run build)', () => {
  let otlp: OtlpReceiver;
  let database: Awaited<ReturnType<typeof freshPgDatabase>>;
  let api: RunningHerald;
  let receiver: Receiver;

  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    exportTo(otlp);
    database = await freshPgDatabase();
    const shared = { DATABASE_URL: database.url, HERALD_MASTER_KEY: randomBytes(32).toString('base64') };
    // This process takes the message and delivers nothing; a `herald serve --role worker` process delivers it,
    // reading the trace context from the database, and exports its spans under its own service name.
    api = await startTestHerald({ ...shared, HERALD_ROLE: 'api' });
    await startServe(['--role', 'worker'], {
      ...shared,
      HERALD_SSRF_ALLOW_CIDRS: '127.0.0.1/32',
      HERALD_LOG_LEVEL: 'warn',
      OTEL_SERVICE_NAME: 'herald-worker',
    });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await killAllServes();
    await api?.close();
    await database?.drop();
    stopExporting();
    await receiver?.close();
    await otlp?.close();
  });

  it('attempts made by another process, and its retry, are children of the write', async () => {
    await api.call('POST', '/app', { name: 'split', uid: 'split' });
    const created = await api.call('POST', '/app/split/endpoint', {
      url: receiver.url,
      retrySchedule: [0],
      propagateTraceContext: true,
    });
    let calls = 0;
    receiver.answer(() => (++calls === 1 ? { status: 503 } : { status: 204 }));
    const traceId = hex(16);
    const sent = await sendTraced(
      api,
      '/app/split/msg',
      { eventType: 'order.paid', payload: {} },
      `00-${traceId}-${hex(8)}-01`,
    );
    expect(sent.status).toBe(202);
    const [first, second] = await receiver.waitFor(2);
    const spans = await otlp.waitFor(
      (all) => all.filter((s) => s.name === ATTEMPT_SPAN && s.traceId === traceId).length === 2,
    );
    const write = spans.find((s) => s.name === WRITE_SPAN && s.traceId === traceId)!;
    const attempts = spans.filter((s) => s.name === ATTEMPT_SPAN && s.traceId === traceId);
    expect(attempts.map((s) => s.parentSpanId)).toEqual([write.spanId, write.spanId]);
    expect(attempts.map((s) => s.attributes['herald.endpoint.id'])).toEqual([
      created.body.id,
      created.body.id,
    ]);
    expect(attempts.map((s) => s.attributes['herald.attempt.number']).sort()).toEqual([1, 2]);
    expect(write.service).toBe('herald');
    expect(attempts.map((s) => s.service)).toEqual(['herald-worker', 'herald-worker']);
    for (const request of [first!, second!])
      expect(attempts.map((s) => `00-${traceId}-${s.spanId}-01`)).toContain(request.headers.traceparent);
  });
});

describe('tracing off', () => {
  let h: RunningHerald;
  let receiver: Receiver;
  beforeAll(async () => {
    stopExporting();
    h = await startTestHerald();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });

  it('sends no trace context and stores none, even to an endpoint that asks for it', async () => {
    await h.call('POST', '/app', { name: 'off', uid: 'off' });
    await h.call('POST', '/app/off/endpoint', { url: receiver.url, propagateTraceContext: true });
    const sent = await sendTraced(
      h,
      '/app/off/msg',
      { eventType: 'order.paid', payload: {} },
      `00-${hex(16)}-${hex(8)}-01`,
    );
    expect(sent.status).toBe(202);
    const [received] = await receiver.waitFor(1);
    expect(received!.headers.traceparent).toBeUndefined();
    const [stored] = [...(await h.herald.store.messageGetMany([sent.body.id])).values()];
    expect(stored!.traceContext).toBeUndefined();
  });
});

describe('tracingConfigured', () => {
  it('is on with an OTLP endpoint or a named exporter, and off otherwise', () => {
    expect(tracingConfigured({})).toBe(false);
    expect(tracingConfigured({ OTEL_SERVICE_NAME: 'herald' })).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe(true);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' })).toBe(
      true,
    );
    expect(tracingConfigured({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(
      tracingConfigured({
        OTEL_TRACES_EXPORTER: 'none',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      }),
    ).toBe(false);
    expect(
      tracingConfigured({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }),
    ).toBe(false);
  });
});
