/**
 * Ordered endpoints' sequences in the store: places taken in the order messages are accepted, one delivery of
 * a sequence active at a time, the next made due when one ends, `block` holding a sequence after a give-up
 * until the head is sent again, and a change of ordering releasing what waits.
 */
import { expect, it } from 'vitest';
import {
  DeliveryStatus,
  openStore,
  type Delivery,
  type DeliveryUpdate,
  type Endpoint,
  type Store,
} from '../../src/store/index.js';
import { newId } from '../../src/util/ids.js';
import { appInsert, claimAll, endpointInsert, messageOf } from './builders.js';
import { blankDatabase, describeStore } from './harness.js';

const T0 = 1_000_000;

/** An ordered endpoint, and a sender of messages to it (with an ordering key, or none). */
async function orderedEndpoint(
  store: Store,
  ordering: 'endpoint' | 'key',
  afterGiveUp: 'skip' | 'block' = 'skip',
) {
  const app = await store.applicationCreate(appInsert());
  const endpoint = await store.endpointCreate(
    endpointInsert(app.id, { ordering, orderingAfterGiveUp: afterGiveUp }),
  );
  let clock = T0;
  const send = async (orderingKey: string | null = null) => {
    const message = messageOf(app.id, { orderingKey, createdAt: clock++ });
    const seqKey = ordering === 'endpoint' ? '' : (orderingKey ?? '');
    await store.messageCreate({
      message,
      deliveries: [{ id: newId('delivery'), endpointId: endpoint.id, seqKey }],
    });
    return message.id;
  };
  return { app, endpoint, send };
}

async function deliveriesOf(store: Store, endpoint: Endpoint): Promise<Delivery[]> {
  const page = await store.deliveryListByEndpoint(endpoint.id, {}, { limit: 1000, order: 'ascending' });
  return [...page.data].sort((a, b) => a.seq! - b.seq!);
}

/** Due deliveries: what a claim may take. */
const due = (deliveries: Delivery[]) =>
  deliveries
    .filter((d) => d.status === DeliveryStatus.Pending && d.nextAttemptAt !== null)
    .map((d) => d.msgId);

function ended(delivery: Delivery, status: DeliveryStatus): DeliveryUpdate {
  return {
    id: delivery.id,
    status,
    attemptCount: delivery.attemptCount + 1,
    nextAttemptAt: null,
    lastAttemptAt: T0 + 100,
    sequence: { endpointId: delivery.endpointId, key: delivery.seqKey! },
  };
}

const NOW = T0 + 10_000;

describeStore('store: ordered sequences', (ctx) => {
  it('gives places in acceptance order and makes only the first due, then the next when it ends', async () => {
    const store = await ctx.fresh();
    const { endpoint, send } = await orderedEndpoint(store, 'endpoint');
    const ids = [await send(), await send(), await send()];
    let deliveries = await deliveriesOf(store, endpoint);
    expect(deliveries.map((d) => [d.msgId, d.seqKey, d.seq])).toEqual([
      [ids[0], '', 1],
      [ids[1], '', 2],
      [ids[2], '', 3],
    ]);
    expect(due(deliveries)).toEqual([ids[0]]);

    const claimed = await claimAll(store, { worker: 'w1', now: NOW });
    expect(claimed.map((d) => d.msgId)).toEqual([ids[0]]);
    // Nothing else of the sequence is claimable while its head is in flight.
    expect(await claimAll(store, { worker: 'w2', now: NOW })).toEqual([]);

    expect(
      await store.deliveryRecordResults('w1', [ended(claimed[0]!, DeliveryStatus.Success)], [], NOW),
    ).toBe(1);
    deliveries = await deliveriesOf(store, endpoint);
    expect(due(deliveries)).toEqual([ids[1]]);

    // A retry keeps the sequence on the same head.
    const [second] = await claimAll(store, { worker: 'w1', now: NOW });
    const retry = { ...ended(second!, DeliveryStatus.Pending), nextAttemptAt: NOW + 5_000 };
    expect(await store.deliveryRecordResults('w1', [retry], [], NOW)).toBe(0);
    expect(await claimAll(store, { worker: 'w1', now: NOW + 1 })).toEqual([]);
    const [again] = await claimAll(store, { worker: 'w1', now: NOW + 5_000 });
    expect(again!.msgId).toBe(ids[1]);
    // Given up, with `skip`: the sequence moves on.
    expect(await store.deliveryRecordResults('w1', [ended(again!, DeliveryStatus.Fail)], [], NOW)).toBe(1);
    expect(due(await deliveriesOf(store, endpoint))).toEqual([ids[2]]);
  });

  it('keeps one sequence per ordering key, so keys go on side by side', async () => {
    const store = await ctx.fresh();
    const { endpoint, send } = await orderedEndpoint(store, 'key');
    const a1 = await send('a');
    const b1 = await send('b');
    const a2 = await send('a');
    const none = await send(null);
    const deliveries = await deliveriesOf(store, endpoint);
    expect(new Set(due(deliveries))).toEqual(new Set([a1, b1, none]));
    expect(deliveries.find((d) => d.msgId === a2)).toMatchObject({
      seqKey: 'a',
      seq: 2,
      nextAttemptAt: null,
    });
  });

  it('holds a sequence after a give-up with `block` until its head is sent again', async () => {
    const store = await ctx.fresh();
    const { app, endpoint, send } = await orderedEndpoint(store, 'endpoint', 'block');
    const first = await send();
    const second = await send();
    const [head] = await claimAll(store, { worker: 'w1', now: NOW });
    expect(await store.deliveryRecordResults('w1', [ended(head!, DeliveryStatus.Fail)], [], NOW)).toBe(0);
    let deliveries = await deliveriesOf(store, endpoint);
    expect(due(deliveries)).toEqual([]);
    expect(deliveries.find((d) => d.msgId === first)).toMatchObject({
      status: DeliveryStatus.Fail,
      blocking: true,
    });
    // A message accepted now waits too.
    const third = await send();
    expect(due(await deliveriesOf(store, endpoint))).toEqual([]);

    // Sent again: the head is due before everything after it.
    expect(await store.deliveryResend(app.id, first, endpoint.id, NOW)).toBe(true);
    deliveries = await deliveriesOf(store, endpoint);
    expect(due(deliveries)).toEqual([first]);
    expect(deliveries.find((d) => d.msgId === first)!.blocking).toBe(false);
    const [resent] = await claimAll(store, { worker: 'w1', now: NOW });
    expect(await store.deliveryRecordResults('w1', [ended(resent!, DeliveryStatus.Success)], [], NOW)).toBe(
      1,
    );
    expect(due(await deliveriesOf(store, endpoint))).toEqual([second]);
    expect(third).toBeDefined();
  });

  it('moves blocked sequences on when the endpoint stops blocking, and releases all when it stops ordering', async () => {
    const store = await ctx.fresh();
    const { app, endpoint, send } = await orderedEndpoint(store, 'endpoint', 'block');
    await send();
    const second = await send();
    const third = await send();
    const [head] = await claimAll(store, { worker: 'w1', now: NOW });
    await store.deliveryRecordResults('w1', [ended(head!, DeliveryStatus.Fail)], [], NOW);
    expect(due(await deliveriesOf(store, endpoint))).toEqual([]);

    await store.endpointUpdate(app.id, endpoint.id, { orderingAfterGiveUp: 'skip' }, NOW);
    expect(due(await deliveriesOf(store, endpoint))).toEqual([second]);

    await store.endpointUpdate(app.id, endpoint.id, { ordering: 'none' }, NOW);
    const deliveries = await deliveriesOf(store, endpoint);
    expect(new Set(due(deliveries))).toEqual(new Set([second, third]));
    for (const delivery of deliveries) expect(delivery.blocking).toBe(false);
  });

  // Processes race only on PostgreSQL: SQLite has one writer at a time.
  it.skipIf(ctx.dialect === 'sqlite')(
    'hands out places and one head under concurrent writes from two stores',
    async () => {
      const database = await blankDatabase(ctx.dialect);
      const stores: Store[] = [openStore(database.options), openStore(database.options)];
      try {
        await stores[0]!.migrate();
        const { endpoint, send: sendFirst } = await orderedEndpoint(stores[0]!, 'endpoint');
        const secondSend = async (i: number) => {
          const message = messageOf(endpoint.appId, { createdAt: T0 + 1000 + i });
          await stores[1]!.messageCreate({
            message,
            deliveries: [{ id: newId('delivery'), endpointId: endpoint.id, seqKey: '' }],
          });
        };
        await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? sendFirst() : secondSend(i))));
        const deliveries = await deliveriesOf(stores[0]!, endpoint);
        expect(deliveries.map((d) => d.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
        expect(due(deliveries)).toHaveLength(1);
        expect(deliveries[0]!.nextAttemptAt).not.toBeNull();
      } finally {
        await Promise.all(stores.map((store) => store.close()));
        await database.remove();
      }
    },
  );
});
