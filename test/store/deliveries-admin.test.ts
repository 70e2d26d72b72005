/**
 * The queue as operators see it: resending, replaying dead letters and counting. Tests that claim or count across
 * the whole queue use a database of their own.
 */
import pg from 'pg';
import { expect, it } from 'vitest';
import { DeliveryStatus, TriggerType, openStore, type Delivery, type Store } from '../../src/store/index.js';
import { appWithEndpoints, claimAll, messageOf, queueMessages, send } from './builders.js';
import { blankDatabase, describeStore } from './harness.js';

const NOW = 10_000;
const ALL = { limit: 100, order: 'ascending' } as const;

/** Claims everything due and finishes the given deliveries; the others go back to the queue untouched. */
async function settle(store: Store, outcomes: Map<string, DeliveryStatus>, now = NOW) {
  const claimed = await claimAll(store, { now, worker: 'settler' });
  const updates = claimed
    .filter((delivery) => outcomes.has(delivery.id))
    .map((delivery) => ({
      id: delivery.id,
      status: outcomes.get(delivery.id)!,
      attemptCount: 3,
      nextAttemptAt: null,
      lastAttemptAt: now,
    }));
  expect(updates).toHaveLength(outcomes.size);
  await store.deliveryRecordResults('settler', updates, [], now);
  const rest = claimed.filter((delivery) => !outcomes.has(delivery.id)).map((delivery) => delivery.id);
  await store.deliveryRelease('settler', rest, now);
}

const requeued = (now: number) => ({
  status: DeliveryStatus.Pending,
  attemptCount: 0,
  triggerType: TriggerType.Manual,
  nextAttemptAt: now,
  leaseExpiresAt: null,
  leasedBy: null,
  updatedAt: now,
});

describeStore('store: resending and replaying dead letters', (ctx) => {
  it('resends a finished delivery as a manual attempt, due now, with a fresh schedule', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 1);
    const ep = endpoints[0]!.id;
    const failed = await send(store, messageOf(app.id, { createdAt: 1_000 }), [ep]);
    const succeeded = await send(store, messageOf(app.id, { createdAt: 1_000 }), [ep]);
    const [dead, done] = [failed.deliveries[0]!.id, succeeded.deliveries[0]!.id];
    await settle(
      store,
      new Map([
        [dead, DeliveryStatus.Fail],
        [done, DeliveryStatus.Success],
      ]),
    );

    expect(await store.deliveryResend(app.id, failed.message.id, ep, NOW + 1_000)).toBe(true);
    expect(await store.deliveryResend(app.id, succeeded.message.id, ep, NOW + 1_000)).toBe(true);
    for (const id of [dead, done])
      expect(await store.deliveryGet(id)).toMatchObject({ ...requeued(NOW + 1_000), lastAttemptAt: NOW });
    expect((await store.deliveryListByMessage(failed.message.id, ALL)).data).toHaveLength(1);
    const claimed = await claimAll(store, { now: NOW + 1_000 });
    expect(claimed.map((delivery) => delivery.id).sort()).toEqual([dead, done].sort());
    for (const delivery of claimed) expect(delivery.triggerType).toBe(TriggerType.Manual);
  });

  it('refuses to resend a delivery while it is being sent', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 1);
    const { message } = await send(store, messageOf(app.id, { createdAt: 1_000 }), [endpoints[0]!.id]);
    const [sending] = (await claimAll(store)) as [Delivery];
    expect(await store.deliveryResend(app.id, message.id, endpoints[0]!.id, NOW + 1)).toBe(false);
    expect(await store.deliveryGet(sending.id)).toEqual(sending);
  });

  it.runIf(ctx.dialect === 'postgres')(
    'refuses to resend a delivery that a worker claims while the resend is under way',
    async () => {
      const database = await blankDatabase(ctx.dialect);
      const store = openStore(database.options);
      const worker = new pg.Client({ connectionString: database.options.databaseUrl });
      try {
        await store.migrate();
        await worker.connect();
        const { app, endpoints } = await appWithEndpoints(store, 1);
        const { message, deliveries } = await send(store, messageOf(app.id, { createdAt: 1_000 }), [
          endpoints[0]!.id,
        ]);
        const id = deliveries[0]!.id;
        // A worker's claim holds the row: the resend reads it as pending, then waits to update it.
        await worker.query('begin');
        await worker.query('select id from delivery where id = $1 for update', [id]);
        const resend = store.deliveryResend(app.id, message.id, endpoints[0]!.id, NOW);
        for (let waited = 0; ; waited += 10) {
          const { rows } = await worker.query(
            `select count(*)::int as n from pg_stat_activity
             where datname = current_database() and wait_event_type = 'Lock'`,
          );
          if (rows[0].n > 0) break;
          if (waited > 5_000) throw new Error('the resend never waited for the claim');
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await worker.query("update delivery set status = 3, leased_by = 'worker_a' where id = $1", [id]);
        await worker.query('commit');
        expect(await resend).toBe(false);
        expect(await store.deliveryGet(id)).toMatchObject({
          status: DeliveryStatus.Sending,
          leasedBy: 'worker_a',
          triggerType: TriggerType.Scheduled,
        });
      } finally {
        await worker.end();
        await store.close();
        await database.remove();
      }
    },
  );

  it('creates the delivery when the message never went to that endpoint', async () => {
    const { app, endpoints } = await appWithEndpoints(ctx.store, 2);
    const [ep1, ep2] = [endpoints[0]!.id, endpoints[1]!.id];
    const { message, deliveries } = await send(ctx.store, messageOf(app.id, { createdAt: 1_000 }), [ep1]);
    expect(await ctx.store.deliveryResend(app.id, message.id, ep2, NOW)).toBe(true);
    const all = (await ctx.store.deliveryListByMessage(message.id, ALL)).data;
    expect(all).toHaveLength(2);
    const created = all.find((delivery) => delivery.id !== deliveries[0]!.id)!;
    expect(created).toMatchObject({
      ...requeued(NOW),
      appId: app.id,
      msgId: message.id,
      endpointId: ep2,
      lastAttemptAt: null,
      createdAt: NOW,
    });
    // The message's first delivery is left as it was.
    expect(all.find((delivery) => delivery.id === deliveries[0]!.id)).toMatchObject({
      status: DeliveryStatus.Pending,
      triggerType: TriggerType.Scheduled,
      nextAttemptAt: 1_000,
    });
  });

  it('counts failed deliveries matching the filter on a dry run, and requeues just those otherwise', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 2);
    const [ep1, ep2] = [endpoints[0]!.id, endpoints[1]!.id];
    const other = await appWithEndpoints(store, 1);
    const make = async (appId: string, eventType: string, createdAt: number, to: string[]) =>
      (await send(store, messageOf(appId, { eventType, createdAt }), to)).deliveries.map((d) => d.id);
    const [paid1, paid2] = (await make(app.id, 'invoice.paid', 1_000, [ep1, ep2])) as [string, string];
    const [created] = (await make(app.id, 'user.created', 2_000, [ep1])) as [string];
    const [paid3] = (await make(app.id, 'invoice.paid', 3_000, [ep1])) as [string];
    const [succeeded] = (await make(app.id, 'invoice.paid', 2_500, [ep1])) as [string];
    const [pending] = (await make(app.id, 'invoice.paid', 2_500, [ep1])) as [string];
    const [elsewhere] = (await make(other.app.id, 'invoice.paid', 2_000, [other.endpoints[0]!.id])) as [
      string,
    ];
    const dead = [paid1, paid2, created, paid3, elsewhere];
    await settle(
      store,
      new Map([...dead.map((id) => [id, DeliveryStatus.Fail] as const), [succeeded, DeliveryStatus.Success]]),
    );
    const snapshot = async () =>
      Promise.all([...dead, succeeded, pending].map(async (id) => store.deliveryGet(id)));
    const before = await snapshot();

    type Filter = Omit<Parameters<Store['deliveryRequeueFailed']>[0], 'appId'>;
    const count = (filter: Filter) => store.deliveryRequeueFailed({ appId: app.id, ...filter }, true, NOW);
    expect(await count({})).toBe(4);
    expect(await count({ eventTypes: [] })).toBe(4);
    expect(await count({ endpointId: ep2 })).toBe(1);
    expect(await count({ eventTypes: ['invoice.paid'] })).toBe(3);
    expect(await count({ eventTypes: ['user.created', 'nothing.here'] })).toBe(1);
    // [since, until) on the deliveries' creation time.
    expect(await count({ since: 2_000 })).toBe(2);
    expect(await count({ until: 2_000 })).toBe(2);
    expect(await count({ since: 1_000, until: 3_000 })).toBe(3);
    expect(await count({ since: 2_000, until: 3_000, endpointId: ep1, eventTypes: ['user.created'] })).toBe(
      1,
    );
    expect(await count({ endpointId: other.endpoints[0]!.id })).toBe(0);
    expect(await store.deliveryRequeueFailed({ appId: other.app.id }, true, NOW)).toBe(1);
    expect(await snapshot()).toEqual(before);

    const requeue = (filter: Filter) =>
      store.deliveryRequeueFailed({ appId: app.id, ...filter }, false, NOW + 5);
    expect(await requeue({ endpointId: ep1, eventTypes: ['invoice.paid'], since: 1_000, until: 3_000 })).toBe(
      1,
    );
    expect(await store.deliveryGet(paid1)).toMatchObject({ ...requeued(NOW + 5), lastAttemptAt: NOW });
    for (const id of [paid2, created, paid3, elsewhere])
      expect((await store.deliveryGet(id))?.status).toBe(DeliveryStatus.Fail);

    expect(await requeue({})).toBe(3);
    for (const id of [paid2, created, paid3])
      expect(await store.deliveryGet(id)).toMatchObject(requeued(NOW + 5));
    expect(await requeue({})).toBe(0);
    const [, , , , stillDead, stillDone, stillPending] = await snapshot();
    expect([stillDead, stillDone, stillPending]).toEqual(before.slice(4));
  });
});

describeStore('store: queue statistics', (ctx) => {
  it("counts an endpoint's deliveries by status, optionally created in [since, until)", async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 2);
    const [ep1, ep2] = [endpoints[0]!.id, endpoints[1]!.id];
    const queued = (await queueMessages(store, app.id, [ep1], 6, { from: 1_000, step: 1_000 })).get(ep1)!;
    await queueMessages(store, app.id, [ep2], 2);
    await settle(
      store,
      new Map([
        [queued[0]!, DeliveryStatus.Success],
        [queued[1]!, DeliveryStatus.Success],
        [queued[2]!, DeliveryStatus.Fail],
      ]),
    );
    await claimAll(store, { now: 4_000, exclude: [ep2] });

    expect(await store.deliveryStats(ep1)).toEqual({ 0: 2, 1: 2, 2: 1, 3: 1, 4: 0 });
    expect(await store.deliveryStats(ep1, 2_000)).toEqual({ 0: 1, 1: 2, 2: 1, 3: 1, 4: 0 });
    expect(await store.deliveryStats(ep1, undefined, 3_000)).toEqual({ 0: 2, 1: 0, 2: 0, 3: 0, 4: 0 });
    expect(await store.deliveryStats(ep1, 2_000, 4_000)).toEqual({ 0: 1, 1: 0, 2: 1, 3: 0, 4: 0 });
    expect(await store.deliveryStats(ep2)).toEqual({ 0: 0, 1: 2, 2: 0, 3: 0, 4: 0 });
    expect(await store.deliveryStats('ep_missing')).toEqual({ 0: 0, 1: 0, 2: 0, 3: 0, 4: 0 });
  });

  it('reports the pending, due and sending deliveries, and when the next one falls due', async () => {
    const store = await ctx.fresh();
    expect(await store.deliveryQueueStats(NOW)).toEqual({
      pending: 0,
      due: 0,
      oldestDueAt: null,
      sending: 0,
    });
    expect(await store.deliveryNextDueAt()).toBeNull();

    const { app, endpoints } = await appWithEndpoints(store, 2);
    const [ep1, ep2] = [endpoints[0]!.id, endpoints[1]!.id];
    for (const createdAt of [1_000, 5_000, 20_000])
      await send(store, messageOf(app.id, { createdAt }), [ep1, ep2]);
    expect(await store.deliveryQueueStats(NOW)).toEqual({
      pending: 6,
      due: 4,
      oldestDueAt: 1_000,
      sending: 0,
    });
    expect(await store.deliveryQueueStats(999)).toEqual({
      pending: 6,
      due: 0,
      oldestDueAt: 1_000,
      sending: 0,
    });
    expect(await store.deliveryNextDueAt()).toBe(1_000);

    const claimed = await claimAll(store, { perEndpoint: 1 });
    expect(claimed.map((delivery) => delivery.nextAttemptAt)).toEqual([1_000, 1_000]);
    expect(await store.deliveryQueueStats(NOW)).toEqual({
      pending: 4,
      due: 2,
      oldestDueAt: 5_000,
      sending: 2,
    });
    expect(await store.deliveryNextDueAt()).toBe(5_000);

    // Finished deliveries are in no count.
    await store.deliveryRecordResults(
      'worker_a',
      claimed.map((delivery) => ({
        id: delivery.id,
        status: delivery.endpointId === ep1 ? DeliveryStatus.Success : DeliveryStatus.Fail,
        attemptCount: 1,
        nextAttemptAt: null,
        lastAttemptAt: NOW,
      })),
      [],
    );
    expect(await store.deliveryQueueStats(NOW)).toEqual({
      pending: 4,
      due: 2,
      oldestDueAt: 5_000,
      sending: 0,
    });
    expect(await store.deliveryQueueStats(1e12)).toEqual({
      pending: 4,
      due: 4,
      oldestDueAt: 5_000,
      sending: 0,
    });
  });
});
