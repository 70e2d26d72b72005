/**
 * A worker that stops while a request hangs gives up on it when the shutdown grace period ends, and records it:
 * an attempt with error class `shutdown`, and the delivery due again at once with none of its retries used.
 * Real store, real receiver on 127.0.0.1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryStatus } from '../../src/store/index.js';
import { apiFixture, DIALECTS, type ApiFixture } from '../helpers/env.js';
import { startTrackingReceiver, waitUntil, type TrackingReceiver } from '../helpers/tracking-receiver.js';
import { startTestWorker } from '../helpers/worker.js';

describe.each(DIALECTS)('shutdown ($name)', ({ make, skip }) => {
  let fixture: ApiFixture | null = null;
  let receiver: TrackingReceiver | null = null;

  afterEach(async () => {
    await receiver?.close();
    await fixture?.close();
    fixture = receiver = null;
  });

  it.skipIf(skip)('records a request cut off by the grace period, and leaves its delivery due', async () => {
    fixture = await apiFixture(make);
    const { post, store, vault } = fixture;
    receiver = await startTrackingReceiver();
    receiver.behave(() => ({ hang: true }));
    const app = await post('/app', { name: 'shutdown' });
    const endpoint = await post(`/app/${app.id}/endpoint`, { url: `${receiver.url}/hang` });
    const message = await post(`/app/${app.id}/msg`, { eventType: 'shutdown.test', payload: {} });

    const running = startTestWorker(store, vault, {
      concurrency: 2,
      endpointConcurrency: 2,
      shutdownGraceMs: 300,
    });
    await waitUntil(() => receiver!.open('/hang') === 1, 5_000, 'the hanging request');
    const stoppedAt = Date.now();
    await running.stop();

    const attempts = await store.attemptList(
      app.id,
      { msgId: message.id },
      { limit: 10, order: 'descending' },
    );
    expect(attempts.data).toHaveLength(1);
    expect(attempts.data[0]).toMatchObject({
      endpointId: endpoint.id,
      status: DeliveryStatus.Fail,
      responseStatusCode: 0,
      errorClass: 'shutdown',
    });
    const [delivery] = (await store.deliveryListByMessage(message.id, { limit: 10, order: 'descending' }))
      .data;
    expect(delivery).toMatchObject({ status: DeliveryStatus.Pending, attemptCount: 0, leasedBy: null });
    expect(delivery!.nextAttemptAt).toBeLessThanOrEqual(Date.now());
    expect(delivery!.nextAttemptAt).toBeGreaterThanOrEqual(stoppedAt);
  });
});
