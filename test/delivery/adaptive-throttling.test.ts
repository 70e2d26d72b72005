/**
 * Adaptive throttling end to end, against real receivers on 127.0.0.1: one whose latency grows with the
 * requests it has in flight, and one that answers 429 under load. Each test bounds what the receiver saw
 * (requests open at once, answers) by what the controller allows, never by how long anything took.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HERALD_STORES, startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { startTrackingReceiver, waitUntil, type TrackingReceiver } from '../helpers/tracking-receiver.js';

/** Per endpoint, per worker: the adaptive limit's ceiling in these tests. */
const CEILING = 16;
/**
 * The knee receiver answers in 100 ms up to this many requests open, and 300 ms slower per request beyond: past
 * 12 open, later than the 2 s timeout.
 */
const KNEE = 6;
const kneeLatency = (open: number) => (open <= KNEE ? 100 : 100 + 300 * (open - KNEE));

describe.each(HERALD_STORES)('adaptive throttling end to end ($dialect)', ({ postgres, skip }) => {
  const test = skip ? it.skip : it;
  let h: RunningHerald;
  const receivers: TrackingReceiver[] = [];
  let count = 0;

  beforeAll(async () => {
    if (skip) return;
    h = await startTestHerald({ HERALD_ENDPOINT_CONCURRENCY: String(CEILING) }, { postgres });
    expect((await h.call('POST', '/event-type', { name: 'load.test', description: 'Load' })).status).toBe(
      201,
    );
  });
  afterAll(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await h?.close();
  });

  /** A new application with one endpoint on its own tracking receiver, with these settings. */
  async function endpoint(settings: Record<string, unknown>) {
    const receiver = await startTrackingReceiver();
    receivers.push(receiver);
    const uid = `adaptive-${++count}`;
    expect((await h.call('POST', '/app', { name: 'Adaptive', uid })).status).toBe(201);
    const created = await h.call('POST', `/app/${uid}/endpoint`, {
      url: `${receiver.url}/hook`,
      ...settings,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return { uid, receiver, id: created.body.id as string, path: `/app/${uid}/endpoint/${created.body.id}` };
  }

  /** Sends `messages` messages in batches of 100, each batch accepted in one transaction. */
  async function send(uid: string, messages: number) {
    for (let from = 0; from < messages; from += 100) {
      const batch = Array.from({ length: Math.min(100, messages - from) }, (_, i) => ({
        eventType: 'load.test',
        payload: { i: from + i },
      }));
      const sent = await h.call('POST', `/app/${uid}/msg/batch`, { messages: batch });
      expect(sent.status).toBe(202);
    }
  }

  async function attempts(path: string) {
    const [, , uid, , id] = path.split('/');
    const list = await h.call('GET', `/app/${uid}/attempt/endpoint/${id}?limit=250`);
    expect(list.status).toBe(200);
    return list.body.data as Array<{ status: number; errorClass: string | null }>;
  }

  test('settles near the knee of a receiver that slows with load, with no timeouts, where a fixed limit times out', async () => {
    // Every request is answered after a delay that depends on how many were open when it arrived.
    const behaveKnee = (receiver: TrackingReceiver) => {
      const openAtArrival: number[] = [];
      receiver.behave(() => {
        const open = receiver.open('/hook');
        openAtArrival.push(open);
        return { status: 200, delayMs: kneeLatency(open) };
      });
      return openAtArrival;
    };
    const settings = { timeoutSeconds: 2, retrySchedule: [] };

    const adaptive = await endpoint(settings);
    const seen = behaveKnee(adaptive.receiver);
    const messages = 150;
    await send(adaptive.uid, messages);
    await waitUntil(
      () => adaptive.receiver.acknowledged('/hook').size === messages,
      60_000,
      'every delivery',
    );
    // Every message went through at its first attempt: nothing timed out.
    await waitUntil(
      async () => (await attempts(adaptive.path)).length >= messages,
      30_000,
      'every attempt recorded',
    );
    const made = await attempts(adaptive.path);
    expect(made).toHaveLength(messages);
    expect(
      made.filter((attempt) => attempt.errorClass !== null).map((attempt) => attempt.errorClass),
    ).toEqual([]);
    // After the first half, it never went far past the knee: the controller cuts as soon as a round is slow,
    // and rises by one per fast round (the receiver may count one more, an answered request not yet closed).
    // Nor did it collapse: it keeps probing back up towards the knee.
    const settled = seen.slice(messages / 2);
    console.info(`[figure] requests open at arrival once settled: ${settled.join(' ')}`);
    expect(Math.max(...settled)).toBeLessThanOrEqual(KNEE + 3);
    expect(Math.max(...settled)).toBeGreaterThanOrEqual(KNEE / 2);

    // The health report shows a limit below the ceiling, with the reason, once the worker has reported it.
    await waitUntil(
      async () => (await h.call('GET', `${adaptive.path}/health`)).body.adaptiveThrottling.limit !== null,
      10_000,
      'the adaptive limit in the health report',
    );
    const health = (await h.call('GET', `${adaptive.path}/health`)).body.adaptiveThrottling;
    expect(health).toMatchObject({ enabled: true, ceiling: CEILING, reason: expect.any(String) });
    expect(health.limit).toBeLessThanOrEqual(KNEE + 3);
    const history = await h.call('GET', `${adaptive.path}/health/adaptive-limit?periods=10`);
    expect(history.status).toBe(200);
    expect(history.body.data).toHaveLength(10);
    const last = history.body.data.at(-1);
    expect(last.low).toBeLessThan(CEILING);

    // /metrics counts the cuts, by cause, and the endpoints held below their ceiling.
    const metrics = await (
      await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${h.token}` } })
    ).text();
    expect(metrics).toMatch(/^herald_adaptive_limit_cuts_total\{cause="latency"\} [1-9]/m);
    expect(metrics).toMatch(/^herald_adaptive_limits\{state="limited"\} \d/m);

    // The same receiver with a fixed limit: sixteen at once (all due together), each answered after more than
    // the timeout.
    const fixed = await endpoint({ ...settings, adaptiveThrottling: false });
    behaveKnee(fixed.receiver);
    await send(fixed.uid, 64);
    await waitUntil(
      async () => (await attempts(fixed.path)).length === 64,
      60_000,
      'an attempt of every fixed-limit delivery',
    );
    expect(
      (await attempts(fixed.path)).filter((attempt) => attempt.errorClass === 'timeout').length,
    ).toBeGreaterThan(0);
    const off = (await h.call('GET', `${fixed.path}/health`)).body.adaptiveThrottling;
    expect(off).toEqual({ enabled: false, limit: null, ceiling: null, reason: null, updatedAt: null });
  }, 180_000);

  test('backs off a receiver that answers 429 under load, and rises again once it stops', async () => {
    const capacity = 2;
    const { uid, receiver, path } = await endpoint({ retrySchedule: Array.from({ length: 20 }, () => 1) });
    let overloaded = true;
    /** For each request: how many were open when it arrived, and whether it came after the first 429. */
    const seen: Array<{ open: number; after429: boolean }> = [];
    let rejected = 0;
    receiver.behave(() => {
      const open = receiver.open('/hook');
      seen.push({ open, after429: rejected > 0 });
      if (overloaded && open > capacity) {
        rejected++;
        return { status: 429 };
      }
      return { status: 200, delayMs: 30 };
    });

    const first = 60;
    await send(uid, first);
    await waitUntil(() => receiver.acknowledged('/hook').size === first, 60_000, 'the first batch delivered');
    expect(rejected).toBeGreaterThan(0);
    // Once a 429 came back, Herald never had more in flight than one above the capacity: every rise past it
    // is met with a 429 and halved.
    const afterFirst = seen.filter((request) => request.after429).map((request) => request.open);
    expect(Math.max(...afterFirst)).toBeLessThanOrEqual(capacity + 1 + 1);
    await waitUntil(
      async () => (await h.call('GET', `${path}/health`)).body.adaptiveThrottling.limit !== null,
      10_000,
      'the adaptive limit in the health report',
    );
    const backedOff = (await h.call('GET', `${path}/health`)).body.adaptiveThrottling;
    expect(backedOff.limit).toBeLessThanOrEqual(capacity + 1);

    // The receiver recovers: the limit rises by one per fast round, back to the ceiling.
    overloaded = false;
    const before = seen.length;
    const second = 400;
    await send(uid, second);
    await waitUntil(() => receiver.acknowledged('/hook').size === first + second, 60_000, 'the second batch');
    expect(Math.max(...seen.slice(before).map((request) => request.open))).toBeGreaterThan(capacity + 2);
    // Its history shows the limit held at the capacity, then raised past it (as soon as the worker reports).
    const highest = async () => {
      const history = await h.call('GET', `${path}/health/adaptive-limit?periods=60`);
      return Math.max(...history.body.data.map((period: { high: number | null }) => period.high ?? 0));
    };
    await waitUntil(async () => (await highest()) > capacity + 2, 10_000, 'the raised limit in its history');
  }, 180_000);
});
