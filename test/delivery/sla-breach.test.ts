/**
 * Delivery SLAs end to end, on SQLite and PostgreSQL: a real Herald delivers to a receiver that starts failing;
 * the rollups written with the attempt results break the application's SLA, and `sla.breached` reaches the
 * operator's receiver exactly once however many evaluations see the breach; when the receiver recovers and the
 * retries deliver, `sla.recovered` arrives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HERALD_STORES, startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test code reads arbitrary JSON bodies
type Json = any;

async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each(HERALD_STORES)('SLA breach and recovery on $dialect', (store) => {
  let h: RunningHerald;
  let operator: Receiver;
  let customer: Receiver;

  beforeAll(async () => {
    if (store.skip) return;
    [operator, customer] = await Promise.all([startReceiver(), startReceiver()]);
    h = await startTestHerald(
      {
        HERALD_OPERATOR_WEBHOOK_URL: `${operator.url}/operator`,
        HERALD_SLA_EVALUATE_MS: '1000',
        // The circuit stays closed, so that the retries, not the breaker's timing, decide when messages arrive.
        HERALD_CIRCUIT_THRESHOLD: '1000',
      },
      { postgres: store.postgres },
    );
  });
  afterAll(async () => {
    await h?.close();
    await Promise.all([operator?.close(), customer?.close()]);
  });

  /** The SLA events the operator received, parsed, in order. */
  const slaEvents = (): Json[] =>
    operator.received
      .map((request) => JSON.parse(request.body))
      .filter((event) => event.type.startsWith('sla.'));

  async function send(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const sent = await h.call('POST', '/app/shop/msg', { eventType: 'order.paid', payload: { n: i } });
      expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    }
  }

  it.skipIf(store.skip)('reports the breach once, and the recovery', async () => {
    expect((await h.call('POST', '/app', { name: 'shop', uid: 'shop' })).status).toBe(201);
    const endpoint = await h.call('POST', '/app/shop/endpoint', {
      url: `${customer.url}/hook`,
      retrySchedule: [2, 2, 2, 2, 2, 2, 2, 2, 2, 2],
    });
    expect(endpoint.status).toBe(201);
    const created = await h.call('POST', '/app/shop/sla', {
      name: 'nine in ten',
      window: '1h',
      successTarget: 90,
      delayTarget: 80,
      delaySeconds: 60,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const slaId = created.body.id as string;
    const compliance = async () => (await h.call('GET', `/app/shop/sla/${slaId}`)).body.compliance;

    // Healthy: ten messages delivered at the first attempt.
    await send(10);
    await eventually(async () => ((await compliance()).delivered === 10 ? true : undefined), '10 delivered');

    // The receiver starts failing: ten more messages fail their first attempt, 10 of 20 is below 90 %.
    customer.answer(() => ({ status: 503 }));
    await send(10);
    const breach = await eventually(async () => slaEvents()[0], 'sla.breached');
    expect(breach).toMatchObject({
      type: 'sla.breached',
      data: {
        appUid: 'shop',
        endpointId: null,
        slaId,
        slaName: 'nine in ten',
        window: '1h',
        status: 'breached',
        successRate: { target: 90 },
        delay: { thresholdSeconds: 60, target: 80 },
      },
    });
    expect(breach.data.successRate.current).toBeLessThan(90);
    expect(breach.data.messages).toBeGreaterThanOrEqual(11);

    // Evaluations go on while the breach lasts (and retries keep failing): still the one event.
    const breachedAt = Date.parse(breach.timestamp);
    await eventually(async () => {
      const atRisk = (await h.call('GET', '/sla/at-risk')).body.data.find((sla: Json) => sla.id === slaId);
      return atRisk && Date.parse(atRisk.evaluatedAt) > breachedAt + 3000 ? atRisk : undefined;
    }, 'three more evaluations');
    expect(slaEvents().map((event) => event.type)).toEqual(['sla.breached']);
    expect((await h.call('GET', `/app/shop/sla/${slaId}`)).body.breachedSince).toEqual(expect.any(String));

    // It recovers: the retries deliver the failing messages, and all twenty count as delivered.
    customer.answer(() => ({ status: 200 }));
    const recovery = await eventually(async () => slaEvents()[1], 'sla.recovered');
    expect(recovery).toMatchObject({
      type: 'sla.recovered',
      data: {
        slaId,
        status: expect.stringMatching(/^(ok|at_risk)$/),
        breachedSince: breach.data.breachedSince,
      },
    });
    expect(recovery.data.successRate.current).toBeGreaterThanOrEqual(90);
    expect(slaEvents().map((event) => event.type)).toEqual(['sla.breached', 'sla.recovered']);
    expect((await h.call('GET', `/app/shop/sla/${slaId}`)).body.breachedSince).toBeNull();

    // Both are in the audit log, as the system's doing.
    const audit = await h.call('GET', '/audit-log?action=sla.');
    const actions = audit.body.data.map((record: Json) => [record.action, record.actor, record.targetId]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ['sla.breached', 'system', slaId],
        ['sla.recovered', 'system', slaId],
      ]),
    );
  });
});
