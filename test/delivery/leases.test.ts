/**
 * Lease renewal. A worker renews the leases of the deliveries it holds, in flight or waiting for their
 * endpoint's slot, so a request that takes longer than a lease is not taken over by the lease rescuer; and it
 * drops a waiting delivery whose lease was taken back anyway. The worker runs with a lease of 600 ms against a
 * real store and a real receiver on 127.0.0.1.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/delivery/metrics.js';
import { OperationalEvents } from '../../src/delivery/operational-events.js';
import { Sender } from '../../src/delivery/sender.js';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import { parseCidrList } from '../../src/security/ssrf.js';
import { apiFixture, DIALECTS, type ApiFixture } from '../helpers/env.js';
import { startTrackingReceiver, waitUntil, type TrackingReceiver } from '../helpers/tracking-receiver.js';

const LEASE_MS = 600;

describe.each(DIALECTS)('lease renewal ($name)', ({ make, skip }) => {
  let fixture: ApiFixture | null = null;
  let receiver: TrackingReceiver | null = null;
  let worker: DeliveryWorker | null = null;
  let sender: Sender | null = null;

  afterEach(async () => {
    receiver?.release();
    await worker?.stop();
    await sender?.close();
    await receiver?.close();
    await fixture?.close();
    fixture = receiver = worker = sender = null;
  });

  /**
   * Three messages queued to one endpoint that answers only when released, and a worker with short leases that
   * sends one request at a time and holds two deliveries: one in flight, one waiting for the slot.
   */
  async function setUp() {
    fixture = await apiFixture(make);
    const { api, store, vault, admin } = fixture;
    const call = async (url: string, payload: unknown) => {
      const response = await api.inject({
        method: 'POST',
        url: `/api/v1${url}`,
        headers: admin,
        payload: payload as object,
      });
      expect(response.statusCode).toBeLessThan(300);
      return response.json<{ id: string }>();
    };
    receiver = await startTrackingReceiver();
    receiver.behave(() => ({ gate: true, status: 200 }));
    const app = await call('/app', { name: 'leases' });
    await call(`/app/${app.id}/endpoint`, { url: `${receiver.url}/slow` });
    for (let i = 0; i < 3; i++) await call(`/app/${app.id}/msg`, { eventType: 'lease.test', payload: { i } });

    const logger = pino({ level: 'silent' });
    const metrics = new Metrics(null);
    sender = new Sender({ ssrfAllow: parseCidrList('127.0.0.1/32'), connections: 10 });
    worker = new DeliveryWorker(
      { store, vault, sender, logger, events: new OperationalEvents(store, logger, () => {}), metrics },
      {
        concurrency: 1,
        endpointConcurrency: 3,
        pollIntervalMs: 50,
        timeoutMs: 10_000,
        leaseMs: LEASE_MS,
        shutdownGraceMs: 1_000,
        circuitThreshold: 10,
      },
    );
    worker.start();
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
    const taken = await store.deliveryClaim({
      now,
      leaseMs: 60_000,
      worker: 'worker_other',
      limit: 10,
      perEndpoint: 10,
      exclude: [],
      after: '',
    });
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
