/**
 * The claims that fill a batch: more of one endpoint's due deliveries, and the deliveries waiting behind an
 * ordered sequence's head, taken in order, only by the worker that holds the head.
 */
import { expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { newId } from '../../src/util/ids.js';
import {
  appInsert,
  appWithEndpoints,
  claimAll,
  endpointInsert,
  messageOf,
  queueMessages,
} from './builders.js';
import { describeStore } from './harness.js';

const NOW = 10_000;
const more = (worker: string, endpointId: string, limit: number) => ({
  now: NOW,
  leaseMs: 60_000,
  worker,
  endpointId,
  limit,
});

/** An endpoint ordered by key, with `count` messages of key `a`; returns their ids in sequence order. */
async function orderedRun(store: Store, count: number) {
  const app = await store.applicationCreate(appInsert());
  const endpoint = await store.endpointCreate(endpointInsert(app.id, { ordering: 'key' }));
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const message = messageOf(app.id, { orderingKey: 'a', createdAt: 1_000 + i });
    await store.messageCreate({
      message,
      deliveries: [{ id: newId('delivery'), endpointId: endpoint.id, seqKey: 'a' }],
    });
    ids.push(message.id);
  }
  return { endpoint, ids };
}

describeStore('store: claims that fill a batch', (ctx) => {
  it("claims more of one endpoint's due deliveries, up to the limit", async () => {
    const store = await ctx.fresh();
    const {
      app,
      endpoints: [first, other],
    } = await appWithEndpoints(store, 2);
    const queued = await queueMessages(store, app.id, [first!.id, other!.id], 5);
    expect(await claimAll(store, { perEndpoint: 2, now: NOW })).toHaveLength(4);
    const topped = await store.deliveryClaimMore(more('worker_a', first!.id, 10));
    expect(topped.map((delivery) => delivery.id).sort()).toEqual(queued.get(first!.id)!.slice(2).sort());
    expect(topped.every((delivery) => delivery.leasedBy === 'worker_a')).toBe(true);
    expect(await store.deliveryClaimMore(more('worker_a', first!.id, 10))).toEqual([]);
  });

  it("claims the deliveries behind a sequence's head in order, only for the head's holder", async () => {
    const store = await ctx.fresh();
    const { endpoint, ids } = await orderedRun(store, 4);
    const [head] = await claimAll(store, { now: NOW, worker: 'worker_a' });
    expect(head!.msgId).toBe(ids[0]);
    // Only the head is due: nothing else of the sequence is claimed by an ordinary claim.
    expect(await claimAll(store, { now: NOW, worker: 'worker_b' })).toEqual([]);
    expect(await store.deliveryClaimFollowers({ ...more('worker_b', endpoint.id, 10), head: head! })).toEqual(
      [],
    );
    const next = await store.deliveryClaimFollowers({ ...more('worker_a', endpoint.id, 2), head: head! });
    expect(next.map((delivery) => delivery.msgId)).toEqual([ids[1], ids[2]]);
    const last = await store.deliveryClaimFollowers({ ...more('worker_a', endpoint.id, 10), head: head! });
    expect(last.map((delivery) => delivery.msgId)).toEqual([ids[3]]);
    expect(last[0]!.leasedBy).toBe('worker_a');
  });
});
