/**
 * When a worker claims. A finished request frees a place, but it is worth a claim only when the last claim
 * left due deliveries behind (for want of room, or at an endpoint's cap); otherwise new work is announced by a
 * wake-up. The worker polls only once a minute here, so anything delivered came from a claim that a wake-up or
 * a freed place started. Real store, real receiver on 127.0.0.1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { apiFixture, DIALECTS, type ApiFixture } from '../helpers/env.js';
import { startTrackingReceiver, waitUntil, type TrackingReceiver } from '../helpers/tracking-receiver.js';
import { startTestWorker, type TestWorker } from '../helpers/worker.js';

const NO_POLL_MS = 60_000;

describe.each(DIALECTS)('claiming ($name)', ({ make, skip }) => {
  let fixture: ApiFixture | null = null;
  let receiver: TrackingReceiver | null = null;
  let running: TestWorker | null = null;

  afterEach(async () => {
    await running?.stop();
    await receiver?.close();
    await fixture?.close();
    fixture = receiver = running = null;
  });

  async function setUp(endpoints: number) {
    fixture = await apiFixture(make);
    const { post } = fixture;
    receiver = await startTrackingReceiver();
    const app = await post('/app', { name: 'claiming' });
    for (let i = 0; i < endpoints; i++)
      await post(`/app/${app.id}/endpoint`, { url: `${receiver.url}/e${i}`, channels: [`c${i}`] });
    const send = (endpoint: number) =>
      post(`/app/${app.id}/msg`, {
        eventType: 'claim.test',
        payload: { endpoint },
        channels: [`c${endpoint}`],
      });
    return { send, receiver };
  }

  /** A worker on the fixture's store whose claims are counted, the empty ones apart. */
  function startWorker(options: { concurrency: number; endpointConcurrency: number }) {
    const claims = { all: 0, empty: 0 };
    const base = fixture!.store;
    const store: Store = {
      ...base,
      async deliveryClaim(request) {
        const claimed = await base.deliveryClaim(request);
        claims.all++;
        if (claimed.length === 0) claims.empty++;
        return claimed;
      },
    };
    running = startTestWorker(store, fixture!.vault, { ...options, pollIntervalMs: NO_POLL_MS });
    return claims;
  }

  it.skipIf(skip)('claims again when a request to an endpoint at its cap finishes', async () => {
    const { send, receiver } = await setUp(1);
    for (let i = 0; i < 5; i++) await send(0);
    // One request at a time to the endpoint: each claim takes one delivery and leaves the rest queued.
    startWorker({ concurrency: 4, endpointConcurrency: 1 });
    await waitUntil(() => receiver.acknowledged('/e0').size === 5, 10_000, 'all five delivered');
    expect(receiver.maxOpen('/e0')).toBe(1);
  });

  it.skipIf(skip)('claims again when a claim had no room for everything due', async () => {
    const { send, receiver } = await setUp(6);
    for (let i = 0; i < 6; i++) await send(i);
    // One request at a time in all, and two deliveries held at most: three claims for six endpoints.
    const claims = startWorker({ concurrency: 1, endpointConcurrency: 1 });
    await waitUntil(() => receiver.acknowledged().size === 6, 10_000, 'all six delivered');
    expect(receiver.maxOpen()).toBe(1);
    expect(claims.all).toBeGreaterThanOrEqual(3);
  });

  it.skipIf(skip)('a steady trickle runs one claim per wake-up, not one per finished request', async () => {
    const { send, receiver } = await setUp(3);
    const claims = startWorker({ concurrency: 8, endpointConcurrency: 4 });
    await waitUntil(() => claims.all === 1, 5_000, 'the claim at start');
    for (let i = 0; i < 12; i++) {
      await send(i % 3);
      running!.worker.wake();
      await waitUntil(() => receiver.acknowledged().size === i + 1, 5_000, `message ${i + 1} delivered`);
    }
    // The claim at start found nothing; every later claim was started by a wake-up and found its message.
    // Claiming after each finished request, or until a claim comes back empty, would add about one empty
    // claim per message.
    expect(claims.empty).toBe(1);
    expect(claims.all).toBe(13);
  });
});
