/**
 * Lease renewal. A worker renews the leases of the deliveries it holds, in flight or waiting for their
 * endpoint's slot, so a request that takes longer than a lease is not taken over by the lease rescuer; and it
 * drops a waiting delivery whose lease was taken back anyway. The worker runs with a lease of 600 ms against a
 * real store and a real receiver on 127.0.0.1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { apiFixture, DIALECTS, type ApiFixture } from '../helpers/env.js';
import { startTrackingReceiver, waitUntil, type TrackingReceiver } from '../helpers/tracking-receiver.js';
import { startTestWorker, type TestWorker } from '../helpers/worker.js';
import { claimAll } from '../store/builders.js';

const LEASE_MS = 600;

describe.each(DIALECTS)('lease renewal ($name)', ({ make, skip }) => {
  let fixture: ApiFixture | null = null;
  let receiver: TrackingReceiver | null = null;
  let running: TestWorker | null = null;

  afterEach(async () => {
    receiver?.release();
    await running?.stop();
    await receiver?.close();
    await fixture?.close();
    fixture = receiver = running = null;
  });

  /**
   * Three messages queued to one endpoint that answers only when released, and a worker with short leases that
   * sends one request at a time and holds two deliveries: one in flight, one waiting for the slot.
   */
  async function setUp() {
    fixture = await apiFixture(make);
    const { post, store, vault } = fixture;
    receiver = await startTrackingReceiver();
    receiver.behave(() => ({ gate: true, status: 200 }));
    const app = await post('/app', { name: 'leases' });
    await post(`/app/${app.id}/endpoint`, { url: `${receiver.url}/slow` });
    for (let i = 0; i < 3; i++) await post(`/app/${app.id}/msg`, { eventType: 'lease.test', payload: { i } });

    running = startTestWorker(store, vault, {
      concurrency: 1,
      endpointConcurrency: 3,
      pollIntervalMs: 50,
      leaseMs: LEASE_MS,
    });
    const { metrics } = running;
    const held = async () => (await metrics.inFlight.get()).values[0]?.value ?? 0;
    return { store, receiver, held };
  }

  it.skipIf(skip)('keeps the leases of a slow request and of the delivery waiting behind it', async () => {
    const { store, receiver, held } = await setUp();
    await waitUntil(() => receiver.open('/slow') === 1, 5_000, 'the first request');
    await waitUntil(async () => (await held()) === 2, 5_000, 'two deliveries held');
    // Three leases' time later, nothing has expired: the rescuer finds nothing to take back.
    await new Promise((resolve) => setTimeout(resolve, 3 * LEASE_MS));
    expect(await store.deliveryRescueExpired()).toBe(0);
    expect(await held()).toBe(2);
    expect(receiver.requests).toHaveLength(1);

    receiver.release();
    await waitUntil(() => receiver.acknowledged('/slow').size === 3, 10_000, 'every message delivered');
    // Each message was sent once: no lease ran out, so no delivery was sent twice.
    expect(receiver.requests).toHaveLength(3);
    await waitUntil(
      async () => {
        const stats = await store.deliveryQueueStats();
        return stats.pending + stats.sending === 0;
      },
      5_000,
      'the results to be recorded',
    );
  });

  it.skipIf(skip)('never sends a waiting delivery whose lease another worker took over', async () => {
    const { store, receiver, held } = await setUp();
    await waitUntil(() => receiver.open('/slow') === 1, 5_000, 'the first request');
    await waitUntil(async () => (await held()) === 2, 5_000, 'two deliveries held');
    // As if this worker's renewals had failed for longer than a lease: its leases are taken back, and another
    // worker claims every delivery.
    const now = Date.now();
    expect(await store.deliveryRescueExpired(now + 60_000)).toBe(2);
    const taken = await claimAll(store, { now, worker: 'worker_other' });
    expect(taken).toHaveLength(3);
    // The next renewal finds the waiting delivery gone and lets go of it; the request in flight goes on.
    await waitUntil(async () => (await held()) === 1, 5_000, 'the waiting delivery to be dropped');

    receiver.release();
    await waitUntil(async () => (await held()) === 0, 5_000, 'the request in flight to finish');
    await new Promise((resolve) => setTimeout(resolve, 4 * 50));
    // Only the request that was already in flight went out; the other worker owns the rest now.
    expect(receiver.requests).toHaveLength(1);
    for (const delivery of taken)
      expect(await store.deliveryGet(delivery.id)).toMatchObject({ leasedBy: 'worker_other' });
  });
});
