/** Endpoint health: circuit breaker, auto-disable, operational events, and per-endpoint delivery settings. */
import pino from 'pino';
import { Webhook as SvixWebhook } from 'svix';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { OperationalEvents } from '../../src/delivery/operational-events.js';
import { disableFailingEndpoints } from '../../src/services/auto-disabler.js';
import { startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';

/**
 * The first `count` operational events the operator got after the `from` first ones about deliveries and
 * endpoint health, passing over the endpoint.created/updated/deleted events that creating endpoints sends.
 */
async function operatorEvents(operator: Receiver, from: number, count: number) {
  return eventually(async () => {
    const events = operator.received
      .slice(from)
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test code reads arbitrary JSON bodies
      .map((request): any => JSON.parse(request.body))
      .filter((event) => !['endpoint.created', 'endpoint.updated', 'endpoint.deleted'].includes(event.type));
    return events.length >= count ? events.slice(0, count) : undefined;
  }, `${count} operational events`);
}

async function eventually<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('endpoint health', () => {
  let h: RunningHerald;
  let operator: Receiver;
  const receivers: Receiver[] = [];
  let n = 0;

  beforeAll(async () => {
    operator = await startReceiver();
    h = await startTestHerald({
      HERALD_CIRCUIT_THRESHOLD: '3',
      HERALD_OPERATOR_WEBHOOK_URL: `${operator.url}/ops`,
    });
  });
  afterAll(async () => {
    await h.close();
    await operator.close();
  });
  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
  });

  async function setup(endpoint: Record<string, unknown> = {}) {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const uid = `health-${++n}`;
    await h.call('POST', '/app', { name: uid, uid });
    const created = await h.call('POST', `/app/${uid}/endpoint`, { url: receiver.url, ...endpoint });
    expect(created.status).toBe(201);
    return { receiver, uid, endpointId: created.body.id as string };
  }

  const health = async (uid: string, endpointId: string) =>
    (await h.call('GET', `/app/${uid}/endpoint/${endpointId}/health`)).body;

  it('opens the circuit after repeated failures, then closes it after a successful probe', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2031-03-01T00:00:00Z'));
    const { receiver, uid, endpointId } = await setup({ retrySchedule: [0, 0, 0, 0, 0, 0, 0, 0] });
    receiver.answer(() => ({ status: 503 }));
    await h.call('POST', `/app/${uid}/msg`, { eventType: 'cb.test', payload: { n: 1 } });
    // Three failures open the circuit; nothing more is sent while it is open.
    await receiver.waitFor(3);
    const open = await eventually(async () => {
      const current = await health(uid, endpointId);
      // The attempt log is written in group commits, a moment after the circuit opens.
      return current.circuit === 'open' && current.recent.attempts === 3 ? current : undefined;
    }, 'the circuit to open');
    expect(open.failingSince).not.toBeNull();
    expect(open.recent).toMatchObject({ attempts: 3, successRate: 0, lastStatusCode: 503 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received).toHaveLength(3);

    // After the cool-down one probe goes through; it succeeds and the circuit closes.
    receiver.answer(() => ({ status: 200 }));
    vi.setSystemTime(Date.parse(open.circuitOpenUntil) + 1);
    await receiver.waitFor(4);
    const closed = await eventually(async () => {
      const current = await health(uid, endpointId);
      const settled =
        current.circuit === 'closed' && current.failingSince === null && current.recent.attempts === 4;
      return settled ? current : undefined;
    }, 'the circuit to close');
    expect(closed.recent.lastStatusCode).toBe(200);
    const metrics = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${h.token}` } });
    const text = await metrics.text();
    expect(text).toMatch(/herald_circuit_changes_total\{state="opened"\} [1-9]/);
    expect(text).toMatch(/herald_circuit_changes_total\{state="closed"\} [1-9]/);
  });

  it('disables an endpoint that answers 410 and tells the operator, signed', async () => {
    const { receiver, uid, endpointId } = await setup();
    receiver.answer(() => ({ status: 410 }));
    const before = operator.received.length;
    await h.call('POST', `/app/${uid}/msg`, { eventType: 'gone.test', payload: {} });
    const endpoint = await eventually(async () => {
      const current = await h.call('GET', `/app/${uid}/endpoint/${endpointId}`);
      return current.body.disabled ? current.body : undefined;
    }, 'the endpoint to be disabled');
    expect(endpoint.disabledReason).toMatch(/410/);
    const events = await operatorEvents(operator, before, 2);
    expect(events.map((event) => event.type).sort()).toEqual([
      'endpoint.disabled',
      'message.attempt.exhausted',
    ]);
    const disabled = events.find((event) => event.type === 'endpoint.disabled');
    expect(disabled.data).toMatchObject({ endpointId, trigger: 'automatic' });
    const secret = await h.call('GET', '/app/herald-operational/endpoint/operator-webhook/secret');
    const request = operator.received[before]!;
    expect(() =>
      new Webhook(secret.body.key).verify(request.body, request.headers as Record<string, string>),
    ).not.toThrow();

    // Enabling it again clears the reason.
    const enabled = await h.call('PATCH', `/app/${uid}/endpoint/${endpointId}`, { disabled: false });
    expect(enabled.body).toMatchObject({ disabled: false, disabledReason: null });
  });

  it('reports a delivery as failing after its fourth failure, and as recovered when it then succeeds', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2031-04-01T00:00:00Z'));
    const { receiver, uid, endpointId } = await setup({ retrySchedule: [0, 0, 0, 0, 0] });
    receiver.answer(() => ({ status: receiver.received.length <= 4 ? 500 : 200 }));
    const before = operator.received.length;
    const sent = await h.call('POST', `/app/${uid}/msg`, { eventType: 'flaky', payload: {} });
    // The circuit opens after three failures here; move the clock past each cool-down to let probes through.
    for (let attempts = 3; attempts <= 5; attempts++) {
      await receiver.waitFor(attempts);
      if (attempts === 5) break;
      const report = await eventually(async () => {
        const current = await health(uid, endpointId);
        return current.circuit === 'open' && current.recent.attempts === attempts ? current : undefined;
      }, `the circuit to open after attempt ${attempts}`);
      vi.setSystemTime(Date.parse(report.circuitOpenUntil) + 1);
    }
    const events = await operatorEvents(operator, before, 2);
    expect(events.map((event) => event.type)).toEqual([
      'message.attempt.failing',
      'message.attempt.recovered',
    ]);
    for (const event of events) expect(event.data).toMatchObject({ msgId: sent.body.id, endpointId });
    expect(events[1].data.lastAttempt.responseStatusCode).toBe(200);
  });

  it('disables an endpoint that has failed for too long', async () => {
    const { receiver, uid, endpointId } = await setup({ retrySchedule: [] });
    receiver.answer(() => ({ status: 500 }));
    await h.call('POST', `/app/${uid}/msg`, { eventType: 'slow.death', payload: {} });
    const failing = await eventually(async () => {
      const current = await health(uid, endpointId);
      return current.failingSince ? current : undefined;
    }, 'the endpoint to be marked failing');
    const events = new OperationalEvents(h.herald.store, pino({ level: 'silent' }), () => {});
    const hour = 3_600_000;
    // Not yet: it has failed for less than the limit.
    expect(await disableFailingEndpoints(h.herald.store, events, pino({ level: 'silent' }), hour)).toBe(0);
    const later = Date.parse(failing.failingSince) + hour + 1;
    expect(
      await disableFailingEndpoints(h.herald.store, events, pino({ level: 'silent' }), hour, later),
    ).toBe(1);
    const endpoint = await h.call('GET', `/app/${uid}/endpoint/${endpointId}`);
    expect(endpoint.body).toMatchObject({
      disabled: true,
      disabledReason: 'every delivery failed for 1 hours',
    });
    const recorded = await h.call('GET', '/app/herald-operational/msg?event_types=endpoint.disabled');
    expect(
      recorded.body.data.some(
        (m: { payload: { data: { endpointId: string } } }) => m.payload.data.endpointId === endpointId,
      ),
    ).toBe(true);
  });

  it('sends svix-* headers that the svix library verifies, when asked', async () => {
    const { receiver, uid, endpointId } = await setup({ headerStyle: 'svix' });
    await h.call('POST', `/app/${uid}/msg`, { eventType: 'svix.style', payload: { ok: true } });
    const [request] = await receiver.waitFor(1);
    expect(request!.headers['webhook-id']).toBeUndefined();
    const secret = await h.call('GET', `/app/${uid}/endpoint/${endpointId}/secret`);
    expect(
      new SvixWebhook(secret.body.key).verify(request!.body, request!.headers as Record<string, string>),
    ).toEqual({ ok: true });
  });

  it("uses the endpoint's own timeout", async () => {
    const { receiver, uid, endpointId } = await setup({ timeoutSeconds: 1, retrySchedule: [] });
    receiver.answer(() => ({ hang: true }));
    await h.call('POST', `/app/${uid}/msg`, { eventType: 'slow', payload: {} });
    const current = await eventually(async () => {
      const report = await health(uid, endpointId);
      return report.recent.attempts > 0 ? report : undefined;
    }, 'the attempt to time out');
    expect(current.recent.lastErrorClass).toBe('timeout');
  });

  it('serves metrics to admin keys only', async () => {
    const anonymous = await fetch(`${h.url}/metrics`);
    expect(anonymous.status).toBe(401);
    const metrics = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${h.token}` } });
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/herald_deliveries_total\{outcome="success"\} [1-9]/);
    expect(text).toMatch(/herald_messages_accepted_total [1-9]/);
    expect(text).toContain('herald_queue_depth{state="due"}');
  });
});
