/**
 * An endpoint's throttleRate holds across worker processes: two Heralds on one PostgreSQL database share the
 * endpoint's token bucket, so together they send no faster than the rate. Skipped without
 * HERALD_TEST_DATABASE_URL.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgDatabase, PG_URL } from '../helpers/env.js';
import { startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';

const RATE = 5;
const MESSAGES = 24;

async function successes(h: RunningHerald, token: string): Promise<number> {
  const response = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const match = /^herald_deliveries_total\{outcome="success"\} (\d+)$/m.exec(await response.text());
  return match ? Number(match[1]) : 0;
}

describe.skipIf(!PG_URL)('throttleRate across two worker processes', { timeout: 60_000 }, () => {
  let database: Awaited<ReturnType<typeof freshPgDatabase>>;
  const heralds: RunningHerald[] = [];
  let receiver: Receiver;
  beforeAll(async () => {
    database = await freshPgDatabase();
    const env = { DATABASE_URL: database.url, HERALD_MASTER_KEY: randomBytes(32).toString('base64') };
    heralds.push(await startTestHerald(env));
    heralds.push(await startTestHerald(env));
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    for (const h of heralds) await h.close();
    await database.drop();
  });

  it('sends no faster than the rate in total, with both processes sending', async () => {
    const [first, second] = heralds as [RunningHerald, RunningHerald];
    await first.call('POST', '/app', { name: 'throttled', uid: 'throttled' });
    const ep = await first.call('POST', '/app/throttled/endpoint', { url: receiver.url, throttleRate: RATE });
    // Half the messages are accepted by each process, so each process's worker is woken for its own.
    const half = (from: number) =>
      Array.from({ length: MESSAGES / 2 }, (_, i) => ({ eventType: 'tick', payload: { i: from + i } }));
    const headers = { authorization: `Bearer ${first.token}`, 'content-type': 'application/json' };
    await Promise.all(
      [first, second].map((h, n) =>
        fetch(`${h.url}/api/v1/app/throttled/msg/batch`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ messages: half(n * 100) }),
        }),
      ),
    );
    const total = MESSAGES;
    const received = await receiver.waitFor(total, 30_000);
    const start = received[0]!.at;
    // A token bucket lets at most RATE at once and RATE a second after that, in any stretch of time. The first
    // requests of a process are slower (new connections), so allow 400 ms of slack for when they land.
    for (let i = 0; i < received.length; i++)
      for (let j = i; j < received.length; j++) {
        const span = received[j]!.at - received[i]!.at;
        expect(j - i + 1, `requests ${i + 1}–${j + 1} within ${span} ms`).toBeLessThanOrEqual(
          RATE + Math.floor((RATE * (span + 400)) / 1000),
        );
      }
    // Two buckets of their own would let the processes finish in about a third of this time.
    expect(received.at(-1)!.at - start).toBeGreaterThanOrEqual(((total - RATE) * 1000) / RATE - 400);
    const counts = [await successes(first, first.token), await successes(second, first.token)];
    expect(counts[0]! + counts[1]!).toBe(total);
    expect(Math.min(...counts)).toBeGreaterThan(0);
    const status = (await first.call('GET', '/app/throttled/rate-limit')).body.data[0];
    expect(status).toMatchObject({ endpointId: ep.body.id, throttleRate: RATE, capacity: RATE, pending: 0 });
  });
});
