/**
 * Delivery workers' heartbeats: a worker silent for longer than the takeover period loses its row and its
 * deliveries at once, a beating worker keeps both, and a worker that comes back learns it was taken over.
 */
import { expect, it } from 'vitest';
import { DeliveryStatus, openStore, type Store } from '../../src/store/index.js';
import { appWithEndpoints, claimAll, messageOf, send } from './builders.js';
import { blankDatabase, describeStore } from './harness.js';

const SILENT_MS = 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const worker = (id: string) => ({ id, host: 'test-host', pid: 4242 });

async function statusOf(store: Store, ids: string[]) {
  return Promise.all(
    ids.map(async (id) => {
      const delivery = (await store.deliveryGet(id))!;
      return { status: delivery.status, leasedBy: delivery.leasedBy };
    }),
  );
}

describeStore('store: worker heartbeats', (ctx) => {
  it('beats a registered worker, and no longer one that stopped', async () => {
    const store = await ctx.fresh();
    await store.workerRegister(worker('worker_a'));
    expect(await store.workerHeartbeat('worker_a')).toBe(true);
    const [listed] = await store.workerList();
    expect(listed).toMatchObject({ id: 'worker_a', host: 'test-host', pid: 4242 });
    expect(listed!.silentMs).toBeLessThan(SILENT_MS);
    // Registering again (after a takeover, say) is a beat, not a second row.
    await store.workerRegister(worker('worker_a'));
    expect(await store.workerList()).toHaveLength(1);

    await store.workerDeregister('worker_a');
    expect(await store.workerHeartbeat('worker_a')).toBe(false);
    expect(await store.workerList()).toEqual([]);
  });

  it('takes over a silent worker: its deliveries go back to the queue, a beating worker keeps its own', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 1);
    for (let i = 0; i < 4; i++)
      await send(store, messageOf(app.id, { createdAt: 1_000 + i }), [endpoints[0]!.id]);
    await store.workerRegister(worker('worker_dead'));
    await store.workerRegister(worker('worker_live'));
    const now = Date.now();
    const dead = await claimAll(store, { worker: 'worker_dead', limit: 2, leaseMs: 3_600_000, now });
    const live = await claimAll(store, { worker: 'worker_live', limit: 2, leaseMs: 3_600_000, now });
    expect(dead).toHaveLength(2);
    expect(live).toHaveLength(2);

    // Nobody is silent yet.
    expect(await store.workerTakeOverSilent(SILENT_MS)).toEqual({ workers: [], deliveries: 0 });
    await sleep(SILENT_MS + 100);
    expect(await store.workerHeartbeat('worker_live')).toBe(true);

    expect(await store.workerTakeOverSilent(SILENT_MS)).toEqual({ workers: ['worker_dead'], deliveries: 2 });
    // Their leases had an hour to run: only the lapsed heartbeat gave them back.
    expect(
      await statusOf(
        store,
        dead.map((d) => d.id),
      ),
    ).toEqual([
      { status: DeliveryStatus.Pending, leasedBy: null },
      { status: DeliveryStatus.Pending, leasedBy: null },
    ]);
    expect(
      await statusOf(
        store,
        live.map((d) => d.id),
      ),
    ).toEqual([
      { status: DeliveryStatus.Sending, leasedBy: 'worker_live' },
      { status: DeliveryStatus.Sending, leasedBy: 'worker_live' },
    ]);
    // The silent worker, back, finds its row gone; nothing it held can be renewed or recorded.
    expect(await store.workerHeartbeat('worker_dead')).toBe(false);
    const renewed = await store.deliveryRenewLeases(
      'worker_dead',
      dead.map((d) => d.id),
      now + 7_200_000,
    );
    expect(renewed.size).toBe(0);
    expect((await store.workerList()).map((w) => w.id)).toEqual(['worker_live']);
    // A second pass finds no one else.
    expect(await store.workerTakeOverSilent(SILENT_MS)).toEqual({ workers: [], deliveries: 0 });
  });

  it('leaves alone the deliveries of a worker that never had a heartbeat: its lease is the last resort', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 1);
    await send(store, messageOf(app.id, { createdAt: 1_000 }), [endpoints[0]!.id]);
    const [claimed] = await claimAll(store, { worker: 'worker_old', leaseMs: 3_600_000, now: Date.now() });
    await store.workerRegister(worker('worker_other'));
    await sleep(SILENT_MS + 100);
    expect(await store.workerTakeOverSilent(SILENT_MS)).toEqual({ workers: ['worker_other'], deliveries: 0 });
    expect(await statusOf(store, [claimed!.id])).toEqual([
      { status: DeliveryStatus.Sending, leasedBy: 'worker_old' },
    ]);
  });

  // Processes race only on PostgreSQL: SQLite has one process, whose threads write one at a time.
  it.skipIf(ctx.dialect === 'sqlite')(
    'either keeps a worker that beats during a takeover, or tells it that it was taken over',
    async () => {
      const database = await blankDatabase(ctx.dialect);
      const stores: Store[] = [openStore(database.options), openStore(database.options)];
      try {
        await stores[0]!.migrate();
        await Promise.all(stores.map((store) => store.ping()));
        for (let round = 0; round < 10; round++) {
          const id = `worker_race_${round}`;
          await stores[0]!.workerRegister(worker(id));
          await sleep(60);
          const [taken, beat] = await Promise.all([
            stores[0]!.workerTakeOverSilent(50),
            stores[1]!.workerHeartbeat(id),
          ]);
          const takenOver = taken.workers.includes(id);
          // Exactly one of the two saw the worker: never a beat confirmed on a row the takeover deleted.
          expect(takenOver).toBe(!beat);
          expect((await stores[1]!.workerList()).some((w) => w.id === id)).toBe(beat);
          await stores[0]!.workerDeregister(id);
        }
      } finally {
        await Promise.all(stores.map((store) => store.close()));
        await database.remove();
      }
    },
  );
});
