/**
 * Maintenance services run once per interval across the deployment: two processes (two stores on one database,
 * each with its own Maintenance) never both run a service within its interval, and either takes over once the
 * interval has passed.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Maintenance, type MaintenanceService } from '../../src/services/maintenance.js';
import { openStore, type Store } from '../../src/store/index.js';
import { DIALECTS } from '../helpers/env.js';
import { blankDatabase, type BlankDatabase } from '../store/harness.js';

const INTERVAL = 60_000;
const logger = pino({ level: 'silent' });

/** A service that records the times it ran. */
function recorder(name: string): MaintenanceService & { runs: number[] } {
  const runs: number[] = [];
  return {
    name,
    intervalMs: INTERVAL,
    runs,
    async run(now) {
      runs.push(now);
    },
  };
}

describe.each(DIALECTS)('maintenance services ($name)', ({ name, skip }) => {
  let database: BlankDatabase | null = null;
  const stores: Store[] = [];

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await database?.remove();
    database = null;
  });

  /** Two processes' stores on one migrated database. */
  async function twoProcesses(): Promise<[Store, Store]> {
    database = await blankDatabase(name);
    const first = openStore(database.options);
    await first.migrate();
    const second = openStore(database.options);
    stores.push(first, second);
    return [first, second];
  }

  it.skipIf(skip)('runs a service in one process per interval, and in either after it', async () => {
    const [a, b] = await twoProcesses();
    const service = recorder('test-service');
    const first = new Maintenance(a, logger, [service]);
    const second = new Maintenance(b, logger, [service]);
    const t = Date.now();

    expect(await first.runIfDue(service, t)).toBe(true);
    expect(await second.runIfDue(service, t + 1)).toBe(false);
    expect(await first.runIfDue(service, t + INTERVAL - 1)).toBe(false);
    // The interval has passed: whichever process checks first runs it (the other process here).
    expect(await second.runIfDue(service, t + INTERVAL)).toBe(true);
    expect(await first.runIfDue(service, t + INTERVAL + 1)).toBe(false);
    expect(service.runs).toEqual([t, t + INTERVAL]);
  });

  it.skipIf(skip)('lets exactly one of several processes checking at once run it', async () => {
    const [a, b] = await twoProcesses();
    const service = recorder('test-race');
    const processes = [a, b, a, b].map((store) => new Maintenance(store, logger, [service]));
    const t = Date.now();
    const won = await Promise.all(processes.map((maintenance) => maintenance.runIfDue(service, t)));
    expect(won.filter(Boolean)).toHaveLength(1);
    expect(service.runs).toEqual([t]);
  });

  it.skipIf(skip)('keeps each service to its own interval', async () => {
    const [a] = await twoProcesses();
    const one = recorder('service-one');
    const two = recorder('service-two');
    const maintenance = new Maintenance(a, logger, [one, two]);
    const t = Date.now();
    expect(await maintenance.runIfDue(one, t)).toBe(true);
    expect(await maintenance.runIfDue(two, t)).toBe(true);
    expect(await maintenance.runIfDue(one, t + 1)).toBe(false);
  });
});
