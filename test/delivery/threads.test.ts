/**
 * Delivery threads (HERALD_WORKER_THREADS): one `herald serve` process delivering from its main thread and two
 * worker threads, on SQLite and on PostgreSQL (skipped without HERALD_TEST_DATABASE_URL). Every (message,
 * endpoint) pair is delivered exactly once, the process keeps to its per-endpoint limit in all, more than one
 * thread sends, the threads' counts reach /metrics, and SIGTERM stops every thread cleanly.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freshPgDatabase, PG_URL, tempDir } from '../helpers/env.js';
import { shareOf } from '../../src/delivery/engine.js';
import { startTestHerald } from '../helpers/herald.js';
import { apiClient, killAllServes, startServe, stopServe } from '../helpers/serve-process.js';
import {
  inParallel,
  startTrackingReceiver,
  waitUntil,
  type TrackingReceiver,
} from '../helpers/tracking-receiver.js';

const MESSAGES = 40;
const PATHS = ['/a', '/b'];

async function metric(url: string, token: string, name: string): Promise<number> {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  const text = await response.text();
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

describe('delivery threads', { timeout: 60_000 }, () => {
  let receiver: TrackingReceiver | null = null;
  afterEach(async () => {
    await killAllServes();
    await receiver?.close();
    receiver = null;
  });
  const cleanups: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  const storages = [
    {
      name: 'SQLite',
      skip: false,
      async env(): Promise<Record<string, string>> {
        const dir = tempDir();
        cleanups.push(() => dir.remove());
        return { HERALD_DATA_DIR: dir.dir };
      },
    },
    {
      name: 'PostgreSQL',
      skip: !PG_URL,
      async env(): Promise<Record<string, string>> {
        const database = await freshPgDatabase();
        cleanups.push(() => database.drop());
        return { DATABASE_URL: database.url, HERALD_MASTER_KEY: randomBytes(32).toString('base64') };
      },
    },
  ];

  it('split a process limit into shares of at least one that add up to it', () => {
    for (let limit = 1; limit <= 40; limit++)
      for (let of = 1; of <= limit; of++) {
        const shares = Array.from({ length: of }, (_, index) => shareOf(limit, { index, of }));
        expect(shares.reduce((sum, share) => sum + share, 0)).toBe(limit);
        expect(Math.min(...shares)).toBeGreaterThanOrEqual(1);
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      }
  });

  it('are refused, with what to do instead, when Herald runs from its TypeScript source', async () => {
    await expect(startTestHerald({ HERALD_WORKER_THREADS: '2' })).rejects.toThrow(
      /HERALD_WORKER_THREADS: delivery threads run from the compiled build/,
    );
  });

  for (const storage of storages)
    it.skipIf(storage.skip)(`three workers in one process on ${storage.name}`, async () => {
      receiver = await startTrackingReceiver();
      // Slow answers keep requests open long enough for the workers' requests to one endpoint to overlap.
      receiver.behave(() => ({ status: 200, delayMs: 150 }));
      const served = await startServe([], {
        ...(await storage.env()),
        HERALD_SSRF_ALLOW_CIDRS: '127.0.0.1/32',
        HERALD_LOG_LEVEL: 'info',
        HERALD_POLL_INTERVAL_MS: '50',
        HERALD_WORKER_THREADS: '3',
        // Split over three workers: one request per endpoint at a time each, three for the process.
        HERALD_ENDPOINT_CONCURRENCY: '3',
      });
      // Two threads beside the main thread, each with its own worker.
      const started = served.output().stdout.match(/"thread":(\d+).*"msg":"delivery thread started"/g) ?? [];
      expect(started.map((line) => /"thread":(\d+)/.exec(line)![1]).sort()).toEqual(['1', '2']);
      const call = apiClient(served.url!, served.token!);
      expect((await call('POST', '/app', { name: 'threads', uid: 'threads' })).status).toBe(201);
      for (const path of PATHS)
        expect((await call('POST', '/app/threads/endpoint', { url: `${receiver.url}${path}` })).status).toBe(
          201,
        );
      const ids = await inParallel(MESSAGES, 8, async (i) => {
        const sent = await call('POST', '/app/threads/msg', { eventType: 'thread.test', payload: { i } });
        expect(sent.status).toBe(202);
        return sent.body.id as string;
      });

      const tracked = receiver;
      await waitUntil(
        () => PATHS.every((path) => tracked.acknowledged(path).size === MESSAGES),
        40_000,
        'every (message, endpoint) pair to be delivered',
      );
      // Exactly once: every request is a distinct pair, and every pair arrived.
      expect(tracked.requests.length).toBe(MESSAGES * PATHS.length);
      for (const path of PATHS) expect([...tracked.acknowledged(path)].sort()).toEqual([...ids].sort());
      // A single worker would have kept each endpoint to one request at a time (its share of 3); more than one
      // open at once means several threads sent, and never more than the process's limit.
      for (const path of PATHS) {
        expect(tracked.maxOpen(path)).toBeGreaterThan(1);
        expect(tracked.maxOpen(path)).toBeLessThanOrEqual(3);
      }
      // The threads' attempts are counted in the process's metrics (the results are written after the answer).
      await waitUntil(
        async () =>
          (await metric(served.url!, served.token!, 'herald_deliveries_total\\{outcome="success"\\}')) ===
          MESSAGES * PATHS.length,
        10_000,
        'the metrics to count every delivery',
      );
      expect(
        await metric(served.url!, served.token!, 'herald_process_process_start_time_seconds'),
      ).toBeGreaterThan(0);

      const stopped = await stopServe(served, 'SIGTERM');
      expect(stopped.code).toBe(0);
      expect(served.output().stdout).not.toMatch(/failed|stopped unexpectedly/);
    });
});
