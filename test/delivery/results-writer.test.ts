import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultsWriter } from '../../src/delivery/results-writer.js';
import { DeliveryStatus } from '../../src/store/index.js';
import { sqliteStore, type StoreFixture } from '../helpers/env.js';
import { appWithEndpoints, attemptOf, claimAll, messageOf, send } from '../store/builders.js';

describe('results writer', () => {
  let fixture: StoreFixture;

  beforeAll(async () => {
    fixture = await sqliteStore();
  });
  afterAll(async () => fixture?.close());

  it('counts results until they are written, then reports that room opened', async () => {
    const { store } = fixture;
    const { app, endpoints } = await appWithEndpoints(store, 1);
    const endpointId = endpoints[0]!.id;
    for (let i = 0; i < 3; i++) await send(store, messageOf(app.id, { createdAt: 1_000 + i }), [endpointId]);
    const claimed = await claimAll(store);
    expect(claimed).toHaveLength(3);

    let written = 0;
    const writer = new ResultsWriter(store, 'worker_a', pino({ level: 'silent' }), () => written++);
    for (const delivery of claimed)
      writer.add({
        update: {
          id: delivery.id,
          status: DeliveryStatus.Success,
          attemptCount: 1,
          nextAttemptAt: null,
          lastAttemptAt: 20_000,
        },
        attempt: attemptOf(delivery),
      });
    // Nothing is written until the group commit runs: the worker must count these as still held.
    expect(writer.backlog).toBe(3);
    expect(written).toBe(0);

    await writer.flush();
    expect(writer.backlog).toBe(0);
    expect(written).toBe(1);
    for (const delivery of claimed)
      expect((await store.deliveryGet(delivery.id))?.status).toBe(DeliveryStatus.Success);
  });
});
