/**
 * The cluster shape: an API process and two `herald serve --role worker` processes on one PostgreSQL database.
 * Every (message, endpoint) pair is delivered, no pair is ever in flight twice at once, and both workers take
 * part. Skipped without HERALD_TEST_DATABASE_URL.
 */
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgDatabase, PG_URL } from '../helpers/env.js';
import { startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { killAllServes, startServe, stopServe, type ServeProcess } from '../helpers/serve-process.js';
import {
  inParallel,
  startTrackingReceiver,
  waitUntil,
  type TrackedRequest,
  type TrackingReceiver,
} from '../helpers/tracking-receiver.js';

const MESSAGES = 600;
const ENDPOINTS = 6;

/** About one pair in twenty fails its first attempt, so that retries go back to the shared queue too. */
function failsFirstAttempt(webhookId: string, path: string): boolean {
  return createHash('sha256').update(`${webhookId}${path}`).digest()[0]! < 13;
}

/** The worker's count of successful attempts, from its Prometheus metrics. */
async function successCount(url: string, token: string): Promise<number> {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  const match = /^herald_deliveries_total\{outcome="success"\} (\d+)$/m.exec(await response.text());
  return match ? Number(match[1]) : 0;
}

describe.skipIf(!PG_URL)('two worker processes on one PostgreSQL', { timeout: 60_000 }, () => {
  let database: Awaited<ReturnType<typeof freshPgDatabase>>;
  let api: RunningHerald;
  let db: pg.Client;
  let receiver: TrackingReceiver;
  const workers: ServeProcess[] = [];

  beforeAll(async () => {
    database = await freshPgDatabase();
    const shared = {
      DATABASE_URL: database.url,
      HERALD_MASTER_KEY: randomBytes(32).toString('base64'),
      HERALD_SSRF_ALLOW_CIDRS: '127.0.0.1/32',
    };
    // The API process migrates the database before the workers start.
    api = await startTestHerald({ ...shared, HERALD_ROLE: 'api' });
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    receiver = await startTrackingReceiver();
    // A worker process serves health and metrics only; it says where once its worker runs and listens.
    for (let i = 0; i < 2; i++)
      workers.push(
        await startServe(['--role', 'worker'], {
          ...shared,
          HERALD_LOG_LEVEL: 'error',
          HERALD_POLL_INTERVAL_MS: '50',
          HERALD_ENDPOINT_CONCURRENCY: '4',
        }),
      );
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => stopServe(worker, 'SIGTERM').catch(() => undefined)));
    await killAllServes();
    await receiver?.close();
    await db?.end();
    await api?.close();
    await database?.drop();
  });

  it('delivers every pair at least once, never two requests for one pair at once, with both workers', async () => {
    const attempts = new Map<string, number>();
    receiver.behave((request) => {
      const key = `${request.webhookId} ${request.path}`;
      const n = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, n);
      return {
        status: n === 1 && failsFirstAttempt(request.webhookId, request.path) ? 500 : 200,
        delayMs: 5,
      };
    });
    expect((await api.call('POST', '/app', { name: 'cluster', uid: 'cluster' })).status).toBe(201);
    const paths = Array.from({ length: ENDPOINTS }, (_, i) => `/ep${i}`);
    for (const path of paths)
      expect(
        (await api.call('POST', '/app/cluster/endpoint', { url: `${receiver.url}${path}` })).status,
      ).toBe(201);

    const ids = await inParallel(MESSAGES, 16, async (i) => {
      const sent = await api.call('POST', '/app/cluster/msg', { eventType: 'cluster.test', payload: { i } });
      expect(sent.status).toBe(202);
      return sent.body.id as string;
    });
    const pairs = ids.flatMap((id) => paths.map((path) => `${id} ${path}`));
    const acknowledged = () => {
      const done = new Set<string>();
      for (const request of receiver.requests)
        if (request.answered === 200) done.add(`${request.webhookId} ${request.path}`);
      return done;
    };
    // Failed first attempts come back after the first retry delay (5 s ± 20 %).
    await waitUntil(
      () => acknowledged().size === pairs.length,
      45_000,
      'every (message, endpoint) pair to be delivered',
      () => `(${acknowledged().size} of ${pairs.length})`,
    );
    expect([...acknowledged()].sort()).toEqual(pairs.sort());

    // No pair ever had two requests open at once.
    const byPair = new Map<string, TrackedRequest[]>();
    for (const request of receiver.requests) {
      const key = `${request.webhookId} ${request.path}`;
      byPair.set(key, [...(byPair.get(key) ?? []), request]);
    }
    const overlapping = [...byPair].filter(([, requests]) => {
      const sorted = [...requests].sort((x, y) => x.opened - y.opened);
      return sorted.some((request, i) => i > 0 && request.opened < (sorted[i - 1]!.closed ?? Infinity));
    });
    expect(overlapping.map(([key]) => key)).toEqual([]);
    // Retries happened, and went through the queue again.
    expect(receiver.requests.length).toBeGreaterThan(pairs.length);

    // Every request the receiver saw is one attempt in the database, and every pair has its success recorded.
    await waitUntil(
      async () =>
        Number((await db.query('select count(*) as n from attempt')).rows[0].n) === receiver.requests.length,
      10_000,
      'the attempts to be recorded',
    );
    const states = await db.query<{ status: number; n: string }>(
      'select status, count(*) as n from delivery group by status',
    );
    expect(states.rows.map((row) => [row.status, Number(row.n)])).toEqual([[0, pairs.length]]);

    // Both workers delivered (attempts do not record their worker; each process's metrics do), and their
    // counts of successful attempts add up to the successes the receiver answered.
    const successes = await Promise.all(workers.map((worker) => successCount(worker.url!, api.token)));
    for (const count of successes) expect(count).toBeGreaterThan(0);
    expect(successes[0]! + successes[1]!).toBe(
      receiver.requests.filter((request) => request.answered === 200).length,
    );
  });
});
