/**
 * Retries under a fake clock: only `Date` is faked, so the worker, sockets and timers run for real while the
 * test moves time forward to make each retry due.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE_MS, JITTER } from '../../src/delivery/retry-policy.js';
import { startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';

describe('retries', () => {
  let h: RunningHerald;
  let receiver: Receiver;
  let uid: string;
  let endpointId: string;
  let n = 0;

  beforeAll(async () => {
    h = await startTestHerald();
  });
  afterAll(async () => h.close());

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    receiver = await startReceiver();
    uid = `retry-app-${++n}`;
    await h.call('POST', '/app', { name: uid, uid });
    endpointId = (await h.call('POST', `/app/${uid}/endpoint`, { url: receiver.url })).body.id;
  });
  afterEach(async () => {
    vi.useRealTimers();
    await receiver.close();
  });

  async function send(payload: object = { n: 1 }): Promise<string> {
    const sent = await h.call('POST', `/app/${uid}/msg`, { eventType: 'retry.test', payload });
    expect(sent.status).toBe(202);
    return sent.body.id;
  }

  /** The delivery's state once the worker has written the result of attempt number `attempts`. */
  async function deliveryAfter(msgId: string, attempts: number) {
    for (let i = 0; i < 200; i++) {
      const list = await h.call('GET', `/app/${uid}/attempt/msg/${msgId}`);
      if (list.body.data.length >= attempts) {
        const destination = await h.call('GET', `/app/${uid}/msg/${msgId}/endpoint`);
        return { attempts: list.body.data, delivery: destination.body.data[0] };
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`attempt ${attempts} was not recorded`);
  }

  it('follows the schedule with jitter, then dead-letters the delivery', async () => {
    receiver.answer(() => ({ status: 500, body: 'down' }));
    const msgId = await send();
    const schedule = [...DEFAULT_RETRY_SCHEDULE_MS];
    for (let attempt = 1; attempt <= schedule.length + 1; attempt++) {
      await receiver.waitFor(attempt);
      const { attempts, delivery } = await deliveryAfter(msgId, attempt);
      expect(attempts[0]).toMatchObject({
        responseStatusCode: 500,
        statusText: 'fail',
        errorClass: 'http_status',
      });
      const delay = schedule[attempt - 1];
      if (delay === undefined) {
        expect(delivery).toMatchObject({ statusText: 'fail', nextAttempt: null });
        break;
      }
      // Tried and waiting for its retry: "sending", as Svix reports it.
      expect(delivery.statusText).toBe('sending');
      const wait = Date.parse(delivery.nextAttempt) - Date.now();
      expect(wait).toBeGreaterThanOrEqual(delay * (1 - JITTER) - 1000);
      expect(wait).toBeLessThanOrEqual(delay * (1 + JITTER));
      // Not due yet: nothing more arrives until the clock passes the next attempt.
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(receiver.received).toHaveLength(attempt);
      vi.setSystemTime(Date.parse(delivery.nextAttempt) + 1);
    }
    expect(receiver.received).toHaveLength(schedule.length + 1);
    const failed = await h.call('GET', `/app/${uid}/endpoint/${endpointId}/msg?status=2`);
    expect(failed.body.data.map((m: { id: string }) => m.id)).toContain(msgId);
  });

  it('succeeds on a retry after a failure', async () => {
    receiver.answer((request) => (receiverCount(request) === 1 ? { reset: true } : { status: 204 }));
    const msgId = await send();
    const first = await deliveryAfter(msgId, 1);
    expect(first.attempts[0]).toMatchObject({ responseStatusCode: 0, errorClass: 'connection_reset' });
    vi.setSystemTime(Date.parse(first.delivery.nextAttempt) + 1);
    const second = await deliveryAfter(msgId, 2);
    expect(second.delivery).toMatchObject({ statusText: 'success', nextAttempt: null });
  });

  it('honours Retry-After on 429 and 503 when it asks for longer', async () => {
    receiver.answer(() => ({ status: 429, headers: { 'retry-after': '3600' } }));
    const msgId = await send();
    const { delivery } = await deliveryAfter(msgId, 1);
    expect(Date.parse(delivery.nextAttempt) - Date.now()).toBeGreaterThanOrEqual(3600_000);
  });

  it('treats a redirect as a failure and does not follow it', async () => {
    receiver.answer((request) =>
      request.path === '/' ? { status: 301, headers: { location: '/elsewhere' } } : { status: 200 },
    );
    const msgId = await send();
    const { attempts, delivery } = await deliveryAfter(msgId, 1);
    expect(attempts[0]).toMatchObject({ responseStatusCode: 301, errorClass: 'http_status' });
    expect(delivery.statusText).toBe('sending');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(receiver.received.map((r) => r.path)).toEqual(['/']);
  });

  it('disables the endpoint on 410 Gone and stops retrying', async () => {
    receiver.answer(() => ({ status: 410 }));
    const msgId = await send();
    const { delivery } = await deliveryAfter(msgId, 1);
    expect(delivery).toMatchObject({ statusText: 'fail', nextAttempt: null });
    const endpoint = await h.call('GET', `/app/${uid}/endpoint/${endpointId}`);
    expect(endpoint.body.disabled).toBe(true);
  });

  let counts = new WeakMap<object, number>();
  function receiverCount(request: object): number {
    // Requests arrive in order; the receiver's list length is the count so far.
    if (!counts.has(request)) counts.set(request, receiver.received.length);
    return counts.get(request)!;
  }
  afterEach(() => {
    counts = new WeakMap();
  });
});

describe('request failures', () => {
  let h: RunningHerald;
  beforeAll(async () => {
    h = await startTestHerald({ HERALD_DELIVERY_TIMEOUT_SECONDS: '1' });
    await h.call('POST', '/app', { name: 'failures', uid: 'failures' });
  });
  afterAll(async () => h.close());

  async function firstAttempt(url: string) {
    const endpoint = await h.call('POST', '/app/failures/endpoint', { url });
    expect(endpoint.status).toBe(201);
    const sent = await h.call('POST', '/app/failures/msg', { eventType: 'x.y', payload: {} });
    for (let i = 0; i < 200; i++) {
      const list = await h.call('GET', `/app/failures/attempt/endpoint/${endpoint.body.id}`);
      if (list.body.data.length > 0) {
        const attempt = list.body.data[0];
        const detail = await h.call('GET', `/app/failures/msg/${sent.body.id}/attempt/${attempt.id}`);
        // Later tests add their own endpoint to this application; this one must not receive their messages.
        await h.call('DELETE', `/app/failures/endpoint/${endpoint.body.id}`);
        return detail.body;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('no attempt recorded');
  }

  it('times out a hanging endpoint', async () => {
    const receiver = await startReceiver();
    receiver.answer(() => ({ hang: true }));
    try {
      expect(await firstAttempt(receiver.url)).toMatchObject({
        errorClass: 'timeout',
        responseStatusCode: 0,
      });
    } finally {
      await receiver.close();
    }
  });

  it('classifies a refused connection', async () => {
    const receiver = await startReceiver();
    const url = receiver.url;
    await receiver.close();
    expect(await firstAttempt(url)).toMatchObject({ errorClass: 'connect' });
  });

  it('classifies a name that does not resolve', async () => {
    expect(await firstAttempt('http://herald-test.invalid/hook')).toMatchObject({ errorClass: 'dns' });
  });
});
