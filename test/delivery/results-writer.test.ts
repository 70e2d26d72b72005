import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultsWriter } from '../../src/delivery/results-writer.js';
import { DeliveryStatus, type Store } from '../../src/store/index.js';
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
  it('keeps trying while the database cannot be reached, and writes once it is back', async () => {
    const { store } = fixture;
    const { app, endpoints } = await appWithEndpoints(store, 1);
    await send(store, messageOf(app.id, { createdAt: 2_000 }), [endpoints[0]!.id]);
    const [delivery] = await claimAll(store);
    // More failures than a write is tried for any other reason, as a connection refused would fail it.
    let failures = 6;
    const away: Store = Object.create(store) as Store;
    away.deliveryRecordResults = (...args) =>
      failures-- > 0
        ? Promise.reject(
            Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
          )
        : store.deliveryRecordResults(...args);
    const writer = new ResultsWriter(away, 'worker_a', pino({ level: 'silent' }));
    writer.add({
      update: {
        id: delivery!.id,
        status: DeliveryStatus.Success,
        attemptCount: 1,
        nextAttemptAt: null,
        lastAttemptAt: 20_000,
      },
      attempt: attemptOf(delivery!),
    });
    await writer.flush();
    expect(failures).toBe(-1);
    expect((await store.deliveryGet(delivery!.id))?.status).toBe(DeliveryStatus.Success);
  });
});
