/**
 * Runs of deployment-wide maintenance services: one caller per interval wins `serviceRunClaim`, whichever
 * store, process or thread it calls from.
 */
import { expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/index.js';
import { newId } from '../../src/util/ids.js';
import { blankDatabase, describeStore } from './harness.js';

const MINUTE = 60_000;
const T0 = 1_700_000_000_000;

/** A service name of its own per test, since the tests of a file share one store. */
const serviceName = () => `service_${newId('application')}`;

describeStore('store: service runs', (ctx) => {
  it('lets the first claim win, then no other until the interval has passed since the last win', async () => {
    const { store } = ctx;
    const name = serviceName();
    expect(await store.serviceRunClaim(name, MINUTE, T0, 'worker_a')).toBe(true);
    expect(await store.serviceRunClaim(name, MINUTE, T0, 'worker_b')).toBe(false);
    expect(await store.serviceRunClaim(name, MINUTE, T0 + MINUTE - 1, 'worker_b')).toBe(false);
    // The holder of the last run has no privilege either.
    expect(await store.serviceRunClaim(name, MINUTE, T0 + MINUTE - 1, 'worker_a')).toBe(false);
    expect(await store.serviceRunClaim(name, MINUTE, T0 + MINUTE, 'worker_b')).toBe(true);
    // The interval now counts from the second win, and the losing claims in between moved nothing.
    expect(await store.serviceRunClaim(name, MINUTE, T0 + 2 * MINUTE - 1, 'worker_a')).toBe(false);
    expect(await store.serviceRunClaim(name, MINUTE, T0 + 2 * MINUTE, 'worker_a')).toBe(true);
  });

  it('counts the interval each caller asks for from the last win', async () => {
    const { store } = ctx;
    const name = serviceName();
    expect(await store.serviceRunClaim(name, MINUTE, T0, 'worker_a')).toBe(true);
    expect(await store.serviceRunClaim(name, 10 * MINUTE, T0 + 5 * MINUTE, 'worker_b')).toBe(false);
    expect(await store.serviceRunClaim(name, 2 * MINUTE, T0 + 5 * MINUTE, 'worker_b')).toBe(true);
  });

  it('keeps services apart', async () => {
    const { store } = ctx;
    const [first, second] = [serviceName(), serviceName()];
    expect(await store.serviceRunClaim(first, MINUTE, T0, 'worker_a')).toBe(true);
    expect(await store.serviceRunClaim(second, MINUTE, T0, 'worker_a')).toBe(true);
    expect(await store.serviceRunClaim(first, MINUTE, T0 + 1, 'worker_a')).toBe(false);
    expect(await store.serviceRunClaim(second, MINUTE, T0 + 1, 'worker_a')).toBe(false);
  });

  it('gives each interval to exactly one of many claims made at once through two stores', async () => {
    const database = await blankDatabase(ctx.dialect);
    const stores: Store[] = [openStore(database.options), openStore(database.options)];
    try {
      await stores[0]!.migrate();
      // Open both pools' connections first, so that the claims really overlap instead of queueing on a connect.
      await Promise.all([...stores, ...stores].map((store) => store.ping()));
      const name = serviceName();
      const claimers = [0, 1, 2, 3, 4, 5].map((index) => ({
        store: stores[index % 2]!,
        holder: `worker_${index}`,
      }));
      for (let round = 0; round < 10; round++) {
        const now = T0 + round * MINUTE;
        // The first round creates the service's row, the others take it over.
        const results = await Promise.all(
          claimers.map(({ store, holder }) => store.serviceRunClaim(name, MINUTE, now, holder)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      }
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await database.remove();
    }
  });
});
