/**
 * A worker process's wake-ups survive a database outage: an API Herald and a worker Herald on one PostgreSQL
 * database, the worker polling only once a minute, so that only a wake-up delivers a message within seconds.
 * The database goes away and comes back with neither process restarted; a message sent afterwards is delivered
 * well before the poll would have found it. (Both Heralds run in this test's process; each has its own store,
 * and the wake-up crosses between them through PostgreSQL as between processes.) Skipped without
 * HERALD_TEST_DATABASE_URL.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshPgDatabase, PG_URL } from '../helpers/env.js';
import { reportFigure } from '../helpers/figures.js';
import { startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { databaseOutage, type DatabaseOutage } from '../helpers/pg-outage.js';
import { startTrackingReceiver, waitUntil, type TrackingReceiver } from '../helpers/tracking-receiver.js';

/** Far longer than the test: a delivery within seconds was woken, not polled. */
const POLL_INTERVAL_MS = '60000';
/** Generous for a wake-up (tens of milliseconds), far short of the poll. */
const WAKE_TIMEOUT_MS = 10_000;

describe.skipIf(!PG_URL)('a worker Herald after a PostgreSQL outage', { timeout: 60_000 }, () => {
  let database: Awaited<ReturnType<typeof freshPgDatabase>>;
  let outage: DatabaseOutage;
  let api: RunningHerald;
  let worker: RunningHerald;
  let receiver: TrackingReceiver;

  beforeEach(async () => {
    database = await freshPgDatabase();
    outage = databaseOutage(database.url);
    receiver = await startTrackingReceiver();
    const shared = { DATABASE_URL: database.url, HERALD_MASTER_KEY: randomBytes(32).toString('base64') };
    // The API process migrates the database before the worker starts.
    api = await startTestHerald({ ...shared, HERALD_ROLE: 'api' });
    worker = await startTestHerald({
      ...shared,
      HERALD_ROLE: 'worker',
      HERALD_POLL_INTERVAL_MS: POLL_INTERVAL_MS,
    });
  });

  afterEach(async () => {
    await outage?.bringBack().catch(() => undefined);
    await worker?.herald.close().catch(() => undefined);
    await api?.herald.close().catch(() => undefined);
    await receiver?.close();
    await database?.drop();
  });

  /** Sends a message through the API Herald; its id, or null if it was not accepted. */
  async function send(label: string): Promise<string | null> {
    const sent = await api.call('POST', '/app/outage/msg', { eventType: 'outage.test', payload: { label } });
    return sent.status === 202 ? (sent.body.id as string) : null;
  }

  it('delivers a message sent after the database came back, woken rather than polled', async () => {
    expect((await api.call('POST', '/app', { name: 'outage', uid: 'outage' })).status).toBe(201);
    expect((await api.call('POST', '/app/outage/endpoint', { url: `${receiver.url}/hook` })).status).toBe(
      201,
    );

    const before = await send('before');
    expect(before).not.toBeNull();
    await waitUntil(() => receiver.acknowledged().has(before!), WAKE_TIMEOUT_MS, 'the first delivery');

    await outage.takeAway();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await outage.bringBack();
    const back = Date.now();
    // The worker listens again by itself (the API process does not listen).
    await waitUntil(async () => (await outage.listenerConnections()) === 1, WAKE_TIMEOUT_MS, 'the listener');

    // How the API answers right after an outage is not this test's concern: it sends until one is accepted.
    let after: string | null = null;
    await waitUntil(
      async () => (after = await send('after')) !== null,
      WAKE_TIMEOUT_MS,
      'the API to accept a message again',
    );
    await waitUntil(
      () => receiver.acknowledged().has(after!),
      WAKE_TIMEOUT_MS,
      'the delivery of a message sent after the outage',
    );
    reportFigure('PostgreSQL back to a woken delivery of a new message', back);
  });
});
