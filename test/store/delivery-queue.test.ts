import { expect, it } from 'vitest';
import { DeliveryStatus, type Store } from '../../src/store/index.js';
import { appWithEndpoints, claimAll, claimRequest, messageOf, send, type ClaimRequest } from './builders.js';
import { describeStore } from './harness.js';

const LEASE_MS = 60_000;

function claim(store: Store, overrides: Partial<ClaimRequest> = {}) {
  return claimAll(store, { leaseMs: LEASE_MS, limit: 100, perEndpoint: 100, ...overrides });
}

/** `count` messages to each endpoint, due at 1_000, 1_001, …; returns the delivery ids by endpoint. */
async function queue(store: Store, appId: string, endpointIds: string[], count: number) {
  const byEndpoint = new Map<string, string[]>(endpointIds.map((id) => [id, []]));
  for (let i = 0; i < count; i++) {
    const { deliveries } = await send(store, messageOf(appId, { createdAt: 1_000 + i }), endpointIds);
    for (const delivery of deliveries) byEndpoint.get(delivery.endpointId)!.push(delivery.id);
  }
  return byEndpoint;
}

function countBy(ids: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const id of ids) counts[id] = (counts[id] ?? 0) + 1;
  return counts;
}

// The queue is global (a claim looks at every endpoint), so each test uses a database of its own.
describeStore('store: the delivery queue', (ctx) => {
  it('claims the earliest due deliveries, at most perEndpoint of each endpoint, and never one twice', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 3);
    const [a, b, c] = endpoints.map((endpoint) => endpoint.id) as [string, string, string];
    const queued = await queue(store, app.id, [a, b, c], 5);

    const first = await claim(store, { perEndpoint: 2, exclude: [c] });
    expect(countBy(first.map((delivery) => delivery.endpointId))).toEqual({ [a]: 2, [b]: 2 });
    // RETURNING gives no order: compare as sorted lists.
    expect(
      first
        .filter((d) => d.endpointId === a)
        .map((d) => d.id)
        .sort(),
    ).toEqual(queued.get(a)!.slice(0, 2).sort());
    for (const delivery of first)
      expect(delivery).toMatchObject({
        status: DeliveryStatus.Sending,
        leasedBy: 'worker_a',
        leaseExpiresAt: 10_000 + LEASE_MS,
      });

    // Another worker gets the rest, never what is leased.
    const second = await claim(store, { worker: 'worker_b' });
    expect(second).toHaveLength(15 - 4);
    expect(second.map((d) => d.id)).not.toEqual(expect.arrayContaining([first[0]!.id]));
    expect(await claim(store, { worker: 'worker_c' })).toEqual([]);
  });

  it('claims nothing that is not due yet, and keeps to the limit', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 2);
    await queue(
      store,
      app.id,
      endpoints.map((endpoint) => endpoint.id),
      4,
    );
    expect(await claim(store, { now: 999 })).toEqual([]);
    expect(await claim(store, { now: 1_001, worker: 'worker_b' })).toHaveLength(4);
    expect(await claim(store, { limit: 3 })).toHaveLength(3);
  });

  it('starts with the endpoints after the round-robin cursor', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 3);
    const ids = endpoints.map((endpoint) => endpoint.id).sort();
    await queue(store, app.id, ids, 3);
    const claimed = await claim(store, { limit: 2, perEndpoint: 2, after: ids[0]! });
    expect(countBy(claimed.map((delivery) => delivery.endpointId))).toEqual({ [ids[1]!]: 2 });
    // After the last endpoint, the walk wraps around to the first.
    const wrapped = await claim(store, { limit: 2, perEndpoint: 1, after: ids[1]!, worker: 'worker_b' });
    expect(countBy(wrapped.map((delivery) => delivery.endpointId))).toEqual({ [ids[2]!]: 1, [ids[0]!]: 1 });
  });

  it('rescues deliveries whose lease expired, and only those', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 1);
    await queue(store, app.id, [endpoints[0]!.id], 2);
    const early = await claim(store, { limit: 1, leaseMs: 1_000 });
    const late = await claim(store, { limit: 1, worker: 'worker_b' });
    expect(await store.deliveryRescueExpired(10_000 + 1_000)).toBe(0);
    expect(await store.deliveryRescueExpired(10_000 + 1_001)).toBe(1);
    expect((await store.deliveryGet(early[0]!.id))?.status).toBe(DeliveryStatus.Pending);
    expect((await store.deliveryGet(late[0]!.id))?.status).toBe(DeliveryStatus.Sending);
  });

  it('releases every leased delivery at a single-process start, and leaves the others alone', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 2);
    const [a, b] = endpoints.map((endpoint) => endpoint.id) as [string, string];
    await queue(store, app.id, [a, b], 3);
    const byA = await claim(store, { perEndpoint: 1, exclude: [b] });
    const byB = await claim(store, { perEndpoint: 1, exclude: [a], worker: 'worker_b' });
    const done = await claim(store, { perEndpoint: 1, exclude: [b], worker: 'worker_c' });
    await store.deliveryRecordResults(
      'worker_c',
      [
        {
          id: done[0]!.id,
          status: DeliveryStatus.Success,
          attemptCount: 1,
          nextAttemptAt: null,
          lastAttemptAt: 10_000,
        },
      ],
      [],
    );

    // Leases not yet expired stay, unless every lease is asked for (a single-process start).
    expect(await store.deliveryRescueExpired(20_000)).toBe(0);
    expect(await store.deliveryRescueExpired(20_000, true)).toBe(2);
    for (const delivery of [...byA, ...byB])
      expect(await store.deliveryGet(delivery.id)).toMatchObject({
        status: DeliveryStatus.Pending,
        leasedBy: null,
        leaseExpiresAt: null,
        attemptCount: 0,
        nextAttemptAt: delivery.nextAttemptAt,
        updatedAt: 20_000,
      });
    expect((await store.deliveryGet(done[0]!.id))?.status).toBe(DeliveryStatus.Success);
    expect(await store.deliveryRescueExpired(Date.now(), true)).toBe(0);
    // Released deliveries can be claimed again at once: 2 released + 3 never claimed.
    expect(await claim(store, { now: 20_000 })).toHaveLength(5);
  });

  it('walks at most `walk` endpoints from the cursor, wrapping round, and says where it stopped', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 6);
    const ids = endpoints.map((endpoint) => endpoint.id).sort();
    // Endpoints 0 and 3 have nothing due yet (their message is for later); the others have one due each.
    for (const [i, id] of ids.entries())
      await send(store, messageOf(app.id, { createdAt: i % 3 === 0 ? 50_000 : 1_000 }), [id]);
    const walk = (after: string, walk: number) => store.deliveryClaim(claimRequest({ after, walk }));
    const served = (claimed: { deliveries: Array<{ endpointId: string }> }) =>
      claimed.deliveries.map((delivery) => delivery.endpointId).sort();

    // From the start, three endpoints: 0 (nothing due), 1 and 2.
    const first = await walk('', 3);
    expect(served(first)).toEqual([ids[1], ids[2]]);
    expect(first.resumeAfter).toBe(ids[2]);
    // From endpoint 4: 5, then round to 0 and 3 (nothing due); 1 and 2 have nothing pending any more, so the
    // walk does not count them.
    const second = await walk(ids[4]!, 3);
    expect(served(second)).toEqual([ids[5]]);
    expect(second.resumeAfter).toBe(ids[3]);
    // A walk long enough to go all the way round stops nowhere.
    const third = await walk(ids[0]!, 10);
    expect(served(third)).toEqual([ids[4]]);
    expect(third.resumeAfter).toBeNull();
    expect((await walk('', 10)).deliveries).toEqual([]);
  });
});
