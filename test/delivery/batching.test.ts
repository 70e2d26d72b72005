/**
 * Batching end to end, on SQLite and PostgreSQL, with real receivers on 127.0.0.1: due messages are collected
 * into requests of at most `maxMessages` (and `maxBytes`), a batch waits up to `maxWaitMs` for more, each body is
 * a JSON array signed once under the batch's own webhook-id, each message gets its own attempt record, a failed
 * batch is retried and its messages are dead letters and resent one by one, an ordered endpoint gets each batch
 * as a run of one key in order, and the settings a batch cannot carry are refused with a 422.
 */
import { describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../src/verify.js';
import { HERALD_STORES, heraldSuite } from '../helpers/herald.js';
import { seeded } from '../helpers/ordered-receiver.js';
import type { Received } from '../helpers/receiver.js';
import { waitUntil } from '../helpers/tracking-receiver.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

interface Element {
  id: string;
  eventType: string;
  timestamp: string;
  payload: { n: number; key?: string; pad?: string };
}

/** The elements of a batch request, after checking its signature over the whole body. */
function elements(request: Received): Element[] {
  expect(request.headers['content-type']).toBe('application/json');
  expect(String(request.headers['webhook-id'])).toMatch(/^batch_/);
  const body = verifyWebhook(SECRET, request.headers, request.body) as unknown;
  expect(Array.isArray(body)).toBe(true);
  return body as Element[];
}

describe.each(HERALD_STORES)('batching ($dialect)', { timeout: 120_000 }, ({ postgres, skip }) => {
  const test = skip ? it.skip : it;
  const suite = heraldSuite({ postgres, skip }, async (started) => {
    const created = await started.call('POST', '/event-type', {
      name: 'order.updated',
      description: 'Order',
    });
    expect(created.status).toBe(201);
  });
  let count = 0;

  async function app() {
    const uid = `bapp-${++count}`;
    expect((await suite.h.call('POST', '/app', { name: 'Batched', uid })).status).toBe(201);
    return uid;
  }

  /** A new application with one endpoint on its own receiver, with these settings. */
  async function endpoint(settings: Record<string, unknown>) {
    const uid = await app();
    return { uid, ...(await suite.receiverEndpoint(uid, { secret: SECRET, ...settings })) };
  }

  async function send(uid: string, payloads: object[], orderingKey?: string): Promise<string[]> {
    const sent = await suite.h.call('POST', `/app/${uid}/msg/batch`, {
      messages: payloads.map((payload) => ({
        eventType: 'order.updated',
        payload,
        ...(orderingKey !== undefined && { orderingKey }),
      })),
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    return (sent.body.data as Array<{ id: string }>).map((message) => message.id);
  }

  async function attempts(uid: string, msgId: string, wanted: number) {
    let listed: Array<Record<string, unknown>> = [];
    await waitUntil(
      async () => {
        listed = (await suite.h.call('GET', `/app/${uid}/attempt/msg/${msgId}`)).body.data;
        return listed.length >= wanted;
      },
      30_000,
      'attempts of a message',
    );
    return listed;
  }

  const numbered = (count: number, from = 0) => Array.from({ length: count }, (_, i) => ({ n: from + i }));
  const all = (requests: Received[]) => requests.flatMap(elements);

  test('collects due messages into requests of at most maxMessages, each message with its own attempt', async () => {
    const { uid, receiver } = await endpoint({ batching: { maxMessages: 10, maxWaitMs: 1000 } });
    const ids = await send(uid, numbered(25));
    await waitUntil(() => all(receiver.received).length >= 25, 30_000, 'all 25 messages');
    const requests = receiver.received;
    for (const request of requests) expect(elements(request).length).toBeLessThanOrEqual(10);
    expect(requests.length).toBeLessThan(25);
    const received = all(requests);
    expect(received.map((element) => element.id).sort()).toEqual([...ids].sort());
    const first = received.find((element) => element.id === ids[0])!;
    expect(first).toMatchObject({ eventType: 'order.updated', payload: { n: 0 } });
    expect(new Date(first.timestamp).getTime()).toBeGreaterThan(0);

    // Each message has one attempt: the batch's request and response, under the batch's webhook-id.
    const batchOf = new Map<string, string>();
    for (const request of requests)
      for (const element of elements(request)) batchOf.set(element.id, String(request.headers['webhook-id']));
    for (const msgId of [ids[0]!, ids[24]!]) {
      const [attempt] = await attempts(uid, msgId, 1);
      expect(attempt).toMatchObject({ responseStatusCode: 200, status: 0 });
      const detail = await suite.h.call('GET', `/app/${uid}/msg/${msgId}/attempt/${String(attempt!.id)}`);
      expect(detail.body.requestHeaders['webhook-id']).toBe(batchOf.get(msgId));
    }
  });

  test('a batch waits up to maxWaitMs for more messages, and maxBytes bounds each body', async () => {
    const waiting = await endpoint({ batching: { maxMessages: 5, maxWaitMs: 60_000 } });
    for (let n = 0; n < 5; n++) await send(waiting.uid, [{ n }]);
    const [request] = await waiting.receiver.waitFor(1, 30_000);
    // One request for all five; unordered, so in no particular order.
    expect(
      elements(request!)
        .map((element) => element.payload.n)
        .sort(),
    ).toEqual([0, 1, 2, 3, 4]);

    const pad = 'x'.repeat(300);
    const small = await endpoint({ batching: { maxMessages: 100, maxBytes: 1024 } });
    await send(
      small.uid,
      numbered(12).map((payload) => ({ ...payload, pad })),
    );
    await waitUntil(() => all(small.receiver.received).length >= 12, 30_000, 'all 12 messages');
    for (const received of small.receiver.received) {
      expect(received.raw.length).toBeLessThanOrEqual(1024);
      expect(elements(received).length).toBeGreaterThanOrEqual(1);
    }
    expect(small.receiver.received.some((received) => elements(received).length > 1)).toBe(true);
  });

  test('a failed batch is retried per message; given up, its messages are dead letters resent one by one', async () => {
    const retried = await endpoint({ batching: { maxMessages: 10 }, retrySchedule: [0] });
    retried.receiver.answer((request) =>
      retried.receiver.received.indexOf(request) === 0 ? { status: 500 } : { status: 200 },
    );
    const ids = await send(retried.uid, numbered(3));
    await waitUntil(
      () => new Set(all(retried.receiver.received.slice(1)).map((e) => e.id)).size >= 3,
      30_000,
      'the retried messages',
    );
    const failedFirst = elements(retried.receiver.received[0]!).map((element) => element.id);
    for (const msgId of failedFirst) {
      const listed = await attempts(retried.uid, msgId, 2);
      expect(listed.map((attempt) => attempt.responseStatusCode).sort()).toEqual([200, 500]);
    }
    expect(failedFirst.every((id) => ids.includes(id))).toBe(true);

    const dead = await endpoint({ batching: { maxMessages: 10 }, retrySchedule: [] });
    dead.receiver.answer(() => ({ status: 503 }));
    const deadIds = await send(dead.uid, numbered(4));
    for (const msgId of deadIds) expect((await attempts(dead.uid, msgId, 1))[0]).toMatchObject({ status: 2 });
    let letters: Array<{ msgId?: string; id?: string }> = [];
    await waitUntil(
      async () => {
        letters = (await suite.h.call('GET', `/app/${dead.uid}/dead-letter`)).body.data;
        return letters.length >= 4;
      },
      30_000,
      'the dead letters',
    );
    dead.receiver.answer(() => ({ status: 200 }));
    const before = dead.receiver.received.length;
    const resent = await suite.h.call(
      'POST',
      `/app/${dead.uid}/msg/${deadIds[2]}/endpoint/${dead.endpointId}/resend`,
    );
    expect(resent.status, JSON.stringify(resent.body)).toBeLessThan(300);
    const [again] = (await dead.receiver.waitFor(before + 1, 30_000)).slice(before);
    expect(elements(again!).map((element) => element.id)).toEqual([deadIds[2]]);
  });

  test('an ordered endpoint gets each batch as a run of one key, in order, through failures', async () => {
    const random = seeded(14);
    const { uid, receiver } = await endpoint({
      ordering: 'key',
      batching: { maxMessages: 5 },
      retrySchedule: Array<number>(20).fill(0),
    });
    const succeeded = new Set<Received>();
    receiver.answer((request) => {
      if (random() < 0.2) return { status: 500 };
      succeeded.add(request);
      return { status: 200 };
    });
    const keys = ['a', 'b', 'c'];
    for (const key of keys)
      await send(
        uid,
        numbered(20).map((payload) => ({ ...payload, key })),
        key,
      );
    /** The numbers received successfully per key (the first success of each message), in the order received. */
    const delivered = () => {
      const seen = new Set<string>();
      const byKey = new Map<string, number[]>();
      for (const request of receiver.received.filter((request) => succeeded.has(request)))
        for (const element of elements(request)) {
          if (seen.has(element.id)) continue;
          seen.add(element.id);
          byKey.set(element.payload.key!, [...(byKey.get(element.payload.key!) ?? []), element.payload.n]);
        }
      return byKey;
    };
    await waitUntil(() => [...delivered().values()].flat().length >= 60, 60_000, '60 ordered deliveries');
    for (const request of receiver.received) {
      const batch = elements(request);
      expect(batch.length).toBeLessThanOrEqual(5);
      expect(new Set(batch.map((element) => element.payload.key)).size).toBe(1);
      const numbers = batch.map((element) => element.payload.n);
      // A run: consecutive places of one key.
      expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));
    }
    expect(receiver.received.some((request) => elements(request).length > 1)).toBe(true);
    for (const key of keys) expect(delivered().get(key)).toEqual(numbered(20).map(({ n }) => n));
  });

  test('a rate limit counts requests: a batch takes one token', async () => {
    // One request per second at most; unbatched, ten messages would take ten seconds and ten requests.
    const { uid, receiver } = await endpoint({ throttleRate: 1, batching: { maxMessages: 10 } });
    const ids = await send(uid, numbered(10));
    await waitUntil(() => all(receiver.received).length >= 10, 30_000, 'the ten messages');
    expect(
      all(receiver.received)
        .map((element) => element.id)
        .sort(),
    ).toEqual([...ids].sort());
    expect(receiver.received.length).toBeLessThan(10);
  });

  test('refuses, with a 422, batching with XML or form bodies; reads back its limits', async () => {
    const uid = await app();
    const base = { url: 'http://127.0.0.1:9/hook' };
    const xml = await suite.h.call('POST', `/app/${uid}/endpoint`, {
      ...base,
      conversion: 'xml',
      batching: { maxMessages: 10 },
    });
    expect(xml.status).toBe(422);
    expect(JSON.stringify(xml.body)).toMatch(/batching.*XML/);
    for (const batching of [
      { maxMessages: 0 },
      { maxMessages: 1001 },
      { maxMessages: 5, maxWaitMs: 60_001 },
      {},
    ])
      expect((await suite.h.call('POST', `/app/${uid}/endpoint`, { ...base, batching })).status).toBe(422);

    const created = await suite.h.call('POST', `/app/${uid}/endpoint`, {
      ...base,
      batching: { maxMessages: 10 },
    });
    expect(created.status).toBe(201);
    expect(created.body.batching).toEqual({ maxMessages: 10, maxBytes: 1048576, maxWaitMs: 0 });
    const id = created.body.id as string;
    const form = await suite.h.call('PATCH', `/app/${uid}/endpoint/${id}`, { conversion: 'form' });
    expect(form.status).toBe(422);
    expect(JSON.stringify(form.body)).toMatch(/form-encoded/);
    const patched = await suite.h.call('PATCH', `/app/${uid}/endpoint/${id}`, {
      batching: { maxMessages: 3, maxBytes: 2048, maxWaitMs: 250 },
    });
    expect(patched.body.batching).toEqual({ maxMessages: 3, maxBytes: 2048, maxWaitMs: 250 });
    const untouched = await suite.h.call('PATCH', `/app/${uid}/endpoint/${id}`, { description: 'still' });
    expect(untouched.body.batching).toEqual({ maxMessages: 3, maxBytes: 2048, maxWaitMs: 250 });
    const put = await suite.h.call('PUT', `/app/${uid}/endpoint/${id}`, base);
    expect(put.body.batching).toBeNull();
    const read = await suite.h.call('GET', `/app/${uid}/endpoint/${id}`);
    expect(read.body.batching).toBeNull();

    const template = await suite.h.call('POST', '/template', {
      name: `text-${uid}`,
      contentType: 'text',
      body: 'an order changed',
    });
    expect(template.status, JSON.stringify(template.body)).toBe(201);
    const text = await suite.h.call('PUT', `/app/${uid}/endpoint/${id}`, {
      ...base,
      templateId: template.body.id,
      batching: { maxMessages: 10 },
    });
    expect(text.status).toBe(422);
    expect(JSON.stringify(text.body)).toMatch(/produces text/);
  });
});
