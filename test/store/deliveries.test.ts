/**
 * The delivery queue's leases: claiming (due, fair, exclusive), recording results, releasing, rescuing and
 * postponing. The queue is global (a claim looks at every endpoint), so each test uses a database of its own.
 */
import { expect, it } from 'vitest';
import { DeliveryStatus, TriggerType, openStore, type Delivery } from '../../src/store/index.js';
import { appWithEndpoints, attemptOf, claimAll, endpointInsert, queueMessages } from './builders.js';
import { blankDatabase, describeStore } from './harness.js';

const NOW = 10_000;
const LEASE_MS = 60_000;
const ALL = { limit: 100, order: 'ascending' } as const;

/** Ids sorted: RETURNING gives no order. */
function idsOf(deliveries: Array<{ id: string }>): string[] {
  return deliveries.map((delivery) => delivery.id).sort();
}

function countByEndpoint(deliveries: Delivery[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { endpointId } of deliveries) counts[endpointId] = (counts[endpointId] ?? 0) + 1;
  return counts;
}

/** The identity of a delivery, as an attempt names it. */
function target(delivery: Delivery) {
  return { id: delivery.id, appId: delivery.appId, msgId: delivery.msgId, endpointId: delivery.endpointId };
}

describeStore('store: claiming deliveries', (ctx) => {
  it('claims only pending deliveries that are due, leasing them to the worker', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 2);
    const [a, b] = endpoints.map((endpoint) => endpoint.id) as [string, string];
    const queued = await queueMessages(store, app.id, [a, b], 3, { from: 1_000, step: 1_000 });

    expect(await claimAll(store, { now: 999 })).toEqual([]);
    // Due at 1_000 and 2_000: next_attempt_at <= now.
    const first = await claimAll(store, { now: 2_000 });
    expect(idsOf(first)).toEqual([...queued.get(a)!.slice(0, 2), ...queued.get(b)!.slice(0, 2)].sort());
    for (const delivery of first) {
      expect(delivery).toMatchObject({
        status: DeliveryStatus.Sending,
        leasedBy: 'worker_a',
        leaseExpiresAt: 2_000 + LEASE_MS,
        updatedAt: 2_000,
        attemptCount: 0,
        triggerType: TriggerType.Scheduled,
      });
      expect(await store.deliveryGet(delivery.id)).toEqual(delivery);
    }

    // What is leased is not due again, and the rest is not due yet.
    expect(await claimAll(store, { now: 2_999, worker: 'worker_b' })).toEqual([]);
    const second = await claimAll(store, { now: 3_000, worker: 'worker_b' });
    expect(idsOf(second)).toEqual([queued.get(a)![2]!, queued.get(b)![2]!].sort());

    // Finished deliveries, a success and a failure, are never claimed again.
    const [done, dead] = second as [Delivery, Delivery];
    await store.deliveryRecordResults(
      'worker_b',
      [
        {
          id: done.id,
          status: DeliveryStatus.Success,
          attemptCount: 1,
          nextAttemptAt: null,
          lastAttemptAt: 3_000,
        },
        {
          id: dead.id,
          status: DeliveryStatus.Fail,
          attemptCount: 1,
          nextAttemptAt: null,
          lastAttemptAt: 3_000,
        },
      ],
      [],
      3_000,
    );
    expect(await store.deliveryRescueExpired(3_000, true)).toBe(4);
    expect(idsOf(await claimAll(store, { now: 1e12, worker: 'worker_c' }))).toEqual(idsOf(first));
  });

  it('never claims a delivery twice', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 2);
    const queued = await queueMessages(
      store,
      app.id,
      endpoints.map((endpoint) => endpoint.id),
      5,
    );
    const first = await claimAll(store, { limit: 4 });
    expect(first).toHaveLength(4);
    const second = await claimAll(store, { worker: 'worker_b' });
    expect(second).toHaveLength(6);
    expect(idsOf(second).filter((id) => idsOf(first).includes(id))).toEqual([]);
    expect(idsOf([...first, ...second])).toEqual([...queued.values()].flat().sort());
    expect(await claimAll(store, { worker: 'worker_c' })).toEqual([]);
  });

  it('takes the earliest due deliveries, at most perEndpoint of each endpoint and limit in all', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 3);
    const ids = endpoints.map((endpoint) => endpoint.id);
    const queued = await queueMessages(store, app.id, ids, 4);

    const first = await claimAll(store, { perEndpoint: 2 });
    expect(countByEndpoint(first)).toEqual(Object.fromEntries(ids.map((id) => [id, 2])));
    expect(idsOf(first)).toEqual(ids.flatMap((id) => queued.get(id)!.slice(0, 2)).sort());

    const second = await claimAll(store, { perEndpoint: 2, limit: 5, worker: 'worker_b' });
    expect(second).toHaveLength(5);
    expect(Math.max(...Object.values(countByEndpoint(second)))).toBe(2);
    expect(await claimAll(store, { perEndpoint: 2, worker: 'worker_c' })).toHaveLength(1);
  });

  it('skips excluded and disabled endpoints, and those whose circuit is open', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 1);
    const make = async (overrides = {}) => (await store.endpointCreate(endpointInsert(app.id, overrides))).id;
    const plain = endpoints[0]!.id;
    const excluded = await make();
    const disabled = await make({ disabled: true });
    const open = await make();
    const closingNow = await make();
    const closed = await make();
    await store.endpointSetHealth(open, { failingSince: 1, circuitOpenUntil: NOW + 1 });
    await store.endpointSetHealth(closingNow, { failingSince: 1, circuitOpenUntil: NOW });
    await store.endpointSetHealth(closed, { failingSince: 1, circuitOpenUntil: NOW - 5_000 });
    await queueMessages(store, app.id, [plain, excluded, disabled, open, closingNow, closed], 2);

    const claimed = await claimAll(store, { exclude: [excluded] });
    expect(countByEndpoint(claimed)).toEqual({ [plain]: 2, [closingNow]: 2, [closed]: 2 });
    // Once its circuit's time is up the endpoint is claimed again; a disabled one never is.
    const later = await claimAll(store, { now: NOW + 1, worker: 'worker_b' });
    expect(countByEndpoint(later)).toEqual({ [excluded]: 2, [open]: 2 });
    expect(await claimAll(store, { now: 1e12, worker: 'worker_c' })).toEqual([]);
  });

  it('walks endpoints round-robin, starting after the cursor and wrapping around', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 3);
    const [first, middle, last] = endpoints.map((endpoint) => endpoint.id).sort() as [string, string, string];
    await queueMessages(store, app.id, [first, middle, last], 3);
    const next = async (after: string, worker: string) => {
      const claimed = await claimAll(store, { limit: 1, perEndpoint: 1, after, worker });
      expect(claimed).toHaveLength(1);
      return claimed[0]!.endpointId;
    };
    expect(await next('', 'worker_a')).toBe(first);
    expect(await next(first, 'worker_b')).toBe(middle);
    expect(await next(middle, 'worker_c')).toBe(last);
    expect(await next(last, 'worker_d')).toBe(first);
    // The cursor need not be an endpoint that still exists.
    expect(await next(`${first}0`, 'worker_e')).toBe(middle);
    // When the limit cuts the walk, the endpoints before the cursor are the ones left out.
    const wrapped = await claimAll(store, { limit: 2, perEndpoint: 1, after: middle, worker: 'worker_f' });
    expect(countByEndpoint(wrapped)).toEqual({ [last]: 1, [first]: 1 });
  });

  it.runIf(ctx.dialect === 'postgres')(
    'never gives one delivery to two stores claiming at the same moment',
    async () => {
      const database = await blankDatabase(ctx.dialect);
      const one = openStore(database.options);
      const two = openStore(database.options);
      try {
        await one.migrate();
        const { app, endpoints } = await appWithEndpoints(one, 4);
        const queued = await queueMessages(
          one,
          app.id,
          endpoints.map((endpoint) => endpoint.id),
          30,
        );
        // Open both pools' connections first, so that the claims really overlap instead of queueing on a connect.
        await Promise.all([one, two, one, two].map((store) => store.ping()));

        const claimers = [
          { store: one, worker: 'one_a' },
          { store: two, worker: 'two_a' },
          { store: one, worker: 'one_b' },
          { store: two, worker: 'two_b' },
        ];
        const owner = new Map<string, string>();
        for (let round = 0; round < 50; round++) {
          const results = await Promise.all(
            claimers.map(({ store, worker }) => claimAll(store, { worker, limit: 10, perEndpoint: 5 })),
          );
          if (results.every((result) => result.length === 0)) break;
          results.forEach((result, index) => {
            for (const delivery of result) {
              expect(owner.get(delivery.id)).toBeUndefined();
              owner.set(delivery.id, claimers[index]!.worker);
            }
          });
        }
        expect([...owner.keys()].sort()).toEqual([...queued.values()].flat().sort());
        for (const [id, worker] of owner) expect((await two.deliveryGet(id))?.leasedBy).toBe(worker);
      } finally {
        await one.close();
        await two.close();
        await database.remove();
      }
    },
  );
});

describeStore('store: recording results and returning leases', (ctx) => {
  it('records attempts and the new states of its deliveries, clearing the lease and the manual trigger', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 1);
    const queued = (await queueMessages(store, app.id, [endpoints[0]!.id], 3)).get(endpoints[0]!.id)!;
    expect(
      await store.deliveryResend(
        app.id,
        (await store.deliveryGet(queued[2]!))!.msgId,
        endpoints[0]!.id,
        5_000,
      ),
    ).toBe(true);
    const claimed = await claimAll(store);
    const [ok, retry, dead] = queued.map((id) => claimed.find((delivery) => delivery.id === id)!) as [
      Delivery,
      Delivery,
      Delivery,
    ];
    expect(dead.triggerType).toBe(TriggerType.Manual);

    const attempts = [
      attemptOf(target(ok)),
      attemptOf(target(retry), { status: DeliveryStatus.Fail, responseStatusCode: 503 }),
      attemptOf(target(dead), {
        status: DeliveryStatus.Fail,
        responseStatusCode: 500,
        triggerType: TriggerType.Manual,
      }),
    ];
    await store.deliveryRecordResults(
      'worker_a',
      [
        {
          id: ok.id,
          status: DeliveryStatus.Success,
          attemptCount: 1,
          nextAttemptAt: null,
          lastAttemptAt: NOW,
        },
        {
          id: retry.id,
          status: DeliveryStatus.Pending,
          attemptCount: 1,
          nextAttemptAt: NOW + 5_000,
          lastAttemptAt: NOW,
        },
        {
          id: dead.id,
          status: DeliveryStatus.Fail,
          attemptCount: 1,
          nextAttemptAt: null,
          lastAttemptAt: NOW,
        },
      ],
      attempts,
      NOW + 100,
    );

    const cleared = {
      leaseExpiresAt: null,
      leasedBy: null,
      triggerType: TriggerType.Scheduled,
      updatedAt: NOW + 100,
    };
    expect(await store.deliveryGet(ok.id)).toMatchObject({
      ...cleared,
      status: DeliveryStatus.Success,
      attemptCount: 1,
      nextAttemptAt: null,
      lastAttemptAt: NOW,
    });
    expect(await store.deliveryGet(retry.id)).toMatchObject({
      ...cleared,
      status: DeliveryStatus.Pending,
      attemptCount: 1,
      nextAttemptAt: NOW + 5_000,
      lastAttemptAt: NOW,
    });
    expect(await store.deliveryGet(dead.id)).toMatchObject({
      ...cleared,
      status: DeliveryStatus.Fail,
      attemptCount: 1,
      nextAttemptAt: null,
    });
    expect((await store.attemptList(app.id, {}, ALL)).data).toEqual(attempts);
    // The retry falls due at its time.
    expect(await claimAll(store, { now: NOW + 4_999 })).toEqual([]);
    expect(idsOf(await claimAll(store, { now: NOW + 5_000 }))).toEqual([retry.id]);
  });

  it('changes no delivery that another worker holds', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 1);
    await queueMessages(store, app.id, [endpoints[0]!.id], 2);
    const leased = await claimAll(store, { leaseMs: 1_000 });
    // worker_a's lease runs out; the rescuer requeues the deliveries and worker_b claims one of them.
    expect(await store.deliveryRescueExpired(NOW + 1_001)).toBe(2);
    const [taken] = (await claimAll(store, { now: NOW + 2_000, limit: 1, worker: 'worker_b' })) as [Delivery];
    const reclaimed = await claimAll(store, { now: NOW + 2_000, worker: 'worker_a' });
    expect(idsOf([taken, ...reclaimed])).toEqual(idsOf(leased));

    const update = (delivery: Delivery) => ({
      id: delivery.id,
      status: DeliveryStatus.Success,
      attemptCount: 1,
      nextAttemptAt: null,
      lastAttemptAt: NOW,
    });
    const late = attemptOf(target(taken));
    const before = await store.deliveryGet(taken.id);
    await store.deliveryRecordResults(
      'worker_a',
      [update(taken), update(reclaimed[0]!)],
      [late],
      NOW + 3_000,
    );
    // The late result changes nothing of worker_b's delivery, but its attempt, which really happened, is logged.
    expect(await store.deliveryGet(taken.id)).toEqual(before);
    expect(await store.deliveryGet(reclaimed[0]!.id)).toMatchObject({
      status: DeliveryStatus.Success,
      leasedBy: null,
    });
    expect((await store.attemptList(app.id, {}, ALL)).data).toEqual([late]);

    await store.deliveryRecordResults('worker_b', [update(taken)], [], NOW + 3_000);
    expect(await store.deliveryGet(taken.id)).toMatchObject({
      status: DeliveryStatus.Success,
      leasedBy: null,
    });
    // Nothing to record is no statement at all.
    await store.deliveryRecordResults('worker_b', [], []);
  });

  it('releases only its own leased deliveries, untouched, back to the queue', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 2);
    const [a, b] = endpoints.map((endpoint) => endpoint.id) as [string, string];
    await queueMessages(store, app.id, [a, b], 2);
    const byA = await claimAll(store, { exclude: [b] });
    const byB = await claimAll(store, { exclude: [a], worker: 'worker_b' });

    await store.deliveryRelease('worker_b', idsOf(byA), NOW + 1);
    for (const delivery of byA) expect(await store.deliveryGet(delivery.id)).toEqual(delivery);

    await store.deliveryRelease('worker_a', [...idsOf(byA), ...idsOf(byB)], NOW + 1);
    for (const delivery of byA)
      expect(await store.deliveryGet(delivery.id)).toEqual({
        ...delivery,
        status: DeliveryStatus.Pending,
        leaseExpiresAt: null,
        leasedBy: null,
        updatedAt: NOW + 1,
      });
    for (const delivery of byB) expect(await store.deliveryGet(delivery.id)).toEqual(delivery);
    await store.deliveryRelease('worker_a', []);
    expect(idsOf(await claimAll(store, { worker: 'worker_c' }))).toEqual(idsOf(byA));
  });

  it('rescues expired leases only, or every lease when asked', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 1);
    await queueMessages(store, app.id, [endpoints[0]!.id], 5);
    const short = await claimAll(store, { limit: 2, leaseMs: 1_000 });
    const long = await claimAll(store, { limit: 2, worker: 'worker_b' });

    expect(await store.deliveryRescueExpired(NOW + 1_000)).toBe(0);
    expect(await store.deliveryRescueExpired(NOW + 1_001)).toBe(2);
    for (const delivery of short)
      expect(await store.deliveryGet(delivery.id)).toEqual({
        ...delivery,
        status: DeliveryStatus.Pending,
        leaseExpiresAt: null,
        leasedBy: null,
        updatedAt: NOW + 1_001,
      });
    for (const delivery of long) expect(await store.deliveryGet(delivery.id)).toEqual(delivery);

    expect(await store.deliveryRescueExpired(NOW + 2_000, true)).toBe(2);
    for (const delivery of long)
      expect(await store.deliveryGet(delivery.id)).toMatchObject({
        status: DeliveryStatus.Pending,
        leasedBy: null,
      });
    expect(await store.deliveryRescueExpired(NOW + 1e9, true)).toBe(0);
    expect(await claimAll(store, { now: NOW + 2_000, worker: 'worker_c' })).toHaveLength(5);
  });

  it('postpones its own leased deliveries without counting an attempt', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 1);
    const queued = (await queueMessages(store, app.id, [endpoints[0]!.id], 2)).get(endpoints[0]!.id)!;
    const claimed = await claimAll(store);
    const [tried, fresh] = queued.map((id) => claimed.find((delivery) => delivery.id === id)!) as [
      Delivery,
      Delivery,
    ];
    await store.deliveryRecordResults(
      'worker_a',
      [
        {
          id: tried.id,
          status: DeliveryStatus.Pending,
          attemptCount: 1,
          nextAttemptAt: NOW,
          lastAttemptAt: NOW,
        },
      ],
      [],
      NOW,
    );
    const [again] = (await claimAll(store, { now: NOW + 1 })) as [Delivery];
    expect(again.id).toBe(tried.id);

    const at = NOW + 30_000;
    await store.deliveryPostpone('worker_b', [again.id, fresh.id], at, NOW + 2);
    expect(await store.deliveryGet(again.id)).toEqual(again);
    expect(await store.deliveryGet(fresh.id)).toEqual(fresh);

    await store.deliveryPostpone('worker_a', [again.id, fresh.id], at, NOW + 2);
    const postponed = {
      status: DeliveryStatus.Pending,
      nextAttemptAt: at,
      leaseExpiresAt: null,
      leasedBy: null,
    };
    expect(await store.deliveryGet(again.id)).toEqual({ ...again, ...postponed, updatedAt: NOW + 2 });
    expect(await store.deliveryGet(fresh.id)).toEqual({ ...fresh, ...postponed, updatedAt: NOW + 2 });
    await store.deliveryPostpone('worker_a', [], at);

    expect(await claimAll(store, { now: at - 1, worker: 'worker_c' })).toEqual([]);
    expect(idsOf(await claimAll(store, { now: at, worker: 'worker_c' }))).toEqual(idsOf([tried, fresh]));
  });
});
