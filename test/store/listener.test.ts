/**
 * The PostgreSQL LISTEN connection that wakes delivery workers: it comes back after the database was away, for
 * as long as it takes, logs the outage and the recovery once each, wakes its subscriber once to catch up, and
 * leaves nothing behind when closed. The database goes away for real: it refuses new connections and its
 * connections are ended, as in an operator's outage. Skipped without HERALD_TEST_DATABASE_URL (but the
 * backoff's arithmetic).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store, type StoreLogger } from '../../src/store/index.js';
import { listenerRetryDelayMs } from '../../src/store/listener.js';
import { freshPgDatabase, PG_URL } from '../helpers/env.js';
import { databaseOutage, type DatabaseOutage } from '../helpers/pg-outage.js';
import { waitUntil } from '../helpers/tracking-receiver.js';

const LOST = 'the PostgreSQL LISTEN connection was lost';
const BACK = 'the PostgreSQL LISTEN connection is back';

interface LogLine {
  level: 'info' | 'warn';
  details: Record<string, unknown>;
  message: string;
}

function recordingLogger(lines: LogLine[]): StoreLogger {
  return {
    info: (details, message) => lines.push({ level: 'info', details: { ...details }, message }),
    warn: (details, message) => lines.push({ level: 'warn', details: { ...details }, message }),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('listener: the wait before reconnecting', () => {
  it('starts at 100 ms, doubles up to 5 s, and draws the upper half at random', () => {
    expect(listenerRetryDelayMs(0, () => 0)).toBe(50);
    expect(listenerRetryDelayMs(0, () => 1)).toBe(100);
    expect(listenerRetryDelayMs(1, () => 1)).toBe(200);
    expect(listenerRetryDelayMs(5, () => 1)).toBe(3200);
    expect(listenerRetryDelayMs(6, () => 1)).toBe(5000);
    expect(listenerRetryDelayMs(1000, () => 0)).toBe(2500);
    expect(listenerRetryDelayMs(1000, () => 1)).toBe(5000);
  });
});

describe.skipIf(!PG_URL)('listener: a PostgreSQL outage', { timeout: 60_000 }, () => {
  let database: Awaited<ReturnType<typeof freshPgDatabase>>;
  let outage: DatabaseOutage;
  let listening: Store;
  let announcing: Store;
  let lines: LogLine[];
  let wakes: number;
  let unlisten: (() => Promise<void>) | null;

  const messages = (start: string) => lines.filter((line) => line.message.startsWith(start));

  beforeEach(async () => {
    database = await freshPgDatabase();
    outage = databaseOutage(database.url);
    lines = [];
    wakes = 0;
    listening = openStore({ databaseUrl: database.url, poolSize: 2, logger: recordingLogger(lines) });
    await listening.migrate();
    announcing = openStore({ databaseUrl: database.url, poolSize: 2 });
    unlisten = await listening.deliveryListen(() => (wakes += 1));
  });

  afterEach(async () => {
    // Whatever the test did, the database accepts connections again and goes.
    await outage?.bringBack().catch(() => undefined);
    await unlisten?.().catch(() => undefined);
    await listening?.close().catch(() => undefined);
    await announcing?.close().catch(() => undefined);
    await database?.drop();
  });

  it('comes back after the database was away, catches up once, and hears announcements again', async () => {
    // Listening: the subscriber is woken at start, then by another store's announcement.
    await waitUntil(() => wakes >= 1, 10_000, 'the wake-up at start');
    const atStart = wakes;
    await announcing.deliveryAnnounce();
    await waitUntil(() => wakes > atStart, 10_000, 'a wake-up from an announcement');
    expect(await outage.listenerConnections()).toBe(1);

    await outage.takeAway();
    await waitUntil(() => messages(LOST).length > 0, 10_000, 'the outage to be logged');
    // Long enough for several attempts to fail, each not logged again.
    await sleep(1500);
    const beforeReturn = wakes;
    await outage.bringBack();

    // Catch-up: one wake-up when the connection is back, before anyone announces anything.
    await waitUntil(() => wakes > beforeReturn, 10_000, 'the catch-up wake-up on reconnect');
    await waitUntil(() => messages(BACK).length > 0, 10_000, 'the recovery to be logged');
    await sleep(300);
    expect(wakes).toBe(beforeReturn + 1);

    // Announcements wake it again, through one listening connection and no leftover.
    await announcing.deliveryAnnounce();
    await waitUntil(
      () => wakes > beforeReturn + 1,
      10_000,
      'a wake-up from an announcement after the outage',
    );
    expect(await outage.listenerConnections()).toBe(1);

    // The outage and the recovery were logged once each, with the cause and how long it lasted.
    const [lost, ...lostAgain] = messages(LOST);
    expect(lostAgain).toEqual([]);
    expect(lost!.level).toBe('warn');
    expect(lost!.details.err).toBeInstanceOf(Error);
    const [back, ...backAgain] = messages(BACK);
    expect(backAgain).toEqual([]);
    expect(back!.level).toBe('info');
    expect(back!.details.downMs).toBeGreaterThanOrEqual(1500);
    expect(back!.details.attempts).toBeGreaterThan(1);
  });

  it('logs a pooled connection ended by the server, with the cause', async () => {
    await listening.ping();
    await outage.endConnections();
    await waitUntil(
      () => lines.some((line) => line.message.startsWith('an idle PostgreSQL connection failed')),
      10_000,
      'the pool error to be logged',
    );
    const pooled = lines.find((line) => line.message.startsWith('an idle PostgreSQL connection failed'))!;
    expect(pooled.level).toBe('warn');
    expect(pooled.details.err).toBeInstanceOf(Error);
    await listening.ping();
  });

  it('stops trying when closed while the database is away', async () => {
    await outage.takeAway();
    await waitUntil(() => messages(LOST).length > 0, 10_000, 'the outage to be logged');
    await sleep(300);
    await unlisten!();
    unlisten = null;
    const atClose = wakes;
    await outage.bringBack();
    // Longer than the longest wait between attempts: a retry left running would have connected by now.
    await sleep(6000);
    expect(await outage.listenerConnections()).toBe(0);
    expect(wakes).toBe(atClose);
    expect(messages(BACK)).toEqual([]);
  });
});
