/**
 * Crashes and stops of a real `herald serve` process on SQLite (the embedded shape): a SIGKILL in the middle
 * of a delivery run loses no accepted message, and a SIGTERM lets requests in flight finish, exits 0 and leaves
 * the rest queued. After a restart on the same data directory every accepted message arrives.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_BATCH } from '../../src/api/schemas/ingest.js';
import { tempDir } from '../helpers/env.js';
import { reportFigure } from '../helpers/figures.js';
import { apiClient, killAllServes, startServe, stopServe } from '../helpers/serve-process.js';
import {
  inParallel,
  startTrackingReceiver,
  waitUntil,
  type TrackingReceiver,
} from '../helpers/tracking-receiver.js';

/** Must match SHUTDOWN_GRACE_MS in src/delivery/engine.ts. */
const SHUTDOWN_GRACE_MS = 10_000;

describe('crash and shutdown (SQLite)', { timeout: 120_000 }, () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    await killAllServes();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(env: Record<string, string> = {}) {
    const data = tempDir();
    cleanups.push(() => data.remove());
    const receiver = await startTrackingReceiver();
    cleanups.push(() => receiver.close());
    const serveEnv = {
      HERALD_LOG_LEVEL: 'error',
      HERALD_SSRF_ALLOW_CIDRS: '127.0.0.1/32',
      HERALD_POLL_INTERVAL_MS: '50',
      ...env,
    };
    const start = () => startServe(['--data-dir', data.dir], serveEnv);
    const first = await start();
    expect(first.token).not.toBeNull();
    const call = apiClient(first.url!, first.token!);
    expect((await call('POST', '/app', { name: 'crash', uid: 'crash' })).status).toBe(201);
    expect((await call('POST', '/app/crash/endpoint', { url: `${receiver.url}/hook` })).status).toBe(201);
    // Through the batch route, MAX_BATCH messages a request; each batch is accepted whole or not at all.
    const send = async (count: number) =>
      (
        await inParallel(Math.ceil(count / MAX_BATCH), 2, async (batch) => {
          const size = Math.min(MAX_BATCH, count - batch * MAX_BATCH);
          const messages = Array.from({ length: size }, (_, i) => ({
            eventType: 'crash.test',
            payload: { i: batch * MAX_BATCH + i },
          }));
          const sent = await call('POST', '/app/crash/msg/batch', { messages });
          expect(sent.status).toBe(202);
          return (sent.body.data as Array<{ id: string }>).map((message) => message.id);
        })
      ).flat();
    return { receiver, first, start, send };
  }

  /** The messages the receiver has not yet answered with a 2xx (a request cut off by a crash does not count). */
  function missing(receiver: TrackingReceiver, ids: string[]): string[] {
    const seen = receiver.acknowledged();
    return ids.filter((id) => !seen.has(id));
  }

  it('delivers every accepted message after a SIGKILL in the middle of a run and a restart', async () => {
    // A long request timeout makes the lease long (3 × timeout + 30 s): only releasing the dead process's
    // deliveries at start, not waiting for the lease, gets them out within the bound below.
    const { receiver, first, start, send } = await setup({
      HERALD_ENDPOINT_CONCURRENCY: '20',
      HERALD_DELIVERY_TIMEOUT_SECONDS: '60',
    });
    // Requests wait at the receiver until every message is accepted, then are answered after 30 ms each.
    receiver.behave(() => ({ gate: true, status: 200, delayMs: 30 }));
    const ids = await send(5000);
    expect(new Set(ids).size).toBe(5000);
    receiver.release();
    await waitUntil(() => receiver.ids().size >= 500, 30_000, 'the first 500 deliveries');
    const openAtKill = receiver.open();
    const killed = await stopServe(first, 'SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    expect(openAtKill).toBeGreaterThan(0);
    expect(missing(receiver, ids).length).toBeGreaterThan(0);

    const restarting = Date.now();
    await start();
    reportFigure('SQLite: restart after SIGKILL to serving', restarting);
    await waitUntil(
      () => missing(receiver, ids).length === 0,
      60_000,
      'every accepted message to arrive after the restart',
      () => `(${missing(receiver, ids).length} still missing)`,
    );
    reportFigure('SQLite: restart after SIGKILL to every accepted message delivered', restarting);
  });

  it('on SIGTERM lets requests in flight finish, exits 0, and delivers the rest after a restart', async () => {
    const { receiver, first, start, send } = await setup({ HERALD_ENDPOINT_CONCURRENCY: '10' });
    receiver.behave(() => ({ status: 200, delayMs: 200 }));
    const ids = await send(100);
    await waitUntil(
      () => receiver.requests.length >= 20 && receiver.open() > 0,
      20_000,
      'requests in flight',
    );
    const inFlight = receiver.requests.filter((request) => request.closed === null);
    expect(inFlight.length).toBeGreaterThan(0);

    const stopped = await stopServe(first, 'SIGTERM');
    expect(stopped.code).toBe(0);
    console.info(`[figure] SIGTERM with requests in flight to exit: ${stopped.ms} ms`);
    // A generous bound: the requests in flight needed 200 ms; the grace period is the most shutdown may wait.
    expect(stopped.ms).toBeLessThan(SHUTDOWN_GRACE_MS + 5_000);
    // They were answered, not cut off.
    for (const request of inFlight) expect(request.answered).toBe(200);
    expect(missing(receiver, ids).length).toBeGreaterThan(0);

    await start();
    await waitUntil(
      () => missing(receiver, ids).length === 0,
      30_000,
      'every message to arrive after the restart',
      () => `(${missing(receiver, ids).length} still missing)`,
    );
    // A clean stop records what finished, so nothing is sent twice.
    expect(receiver.requests).toHaveLength(ids.length);
  });

  it('on SIGTERM gives up on a hanging endpoint after the grace period, and sends to it again after a restart', async () => {
    const { receiver, first, start, send } = await setup({ HERALD_ENDPOINT_CONCURRENCY: '10' });
    receiver.behave(() => ({ hang: true }));
    // Four: adaptive throttling starts a new endpoint at four requests in flight, and a hanging one never
    // answers to raise it.
    const ids = await send(4);
    await waitUntil(() => receiver.open() === 4, 20_000, 'four hanging requests');

    const stopped = await stopServe(first, 'SIGTERM');
    expect(stopped.code).toBe(0);
    console.info(`[figure] SIGTERM with requests in flight to exit: ${stopped.ms} ms`);
    expect(stopped.ms).toBeLessThan(SHUTDOWN_GRACE_MS + 5_000);

    expect(receiver.acknowledged().size).toBe(0);

    receiver.behave(() => ({ status: 200 }));
    const second = await start();
    await waitUntil(
      () => missing(receiver, ids).length === 0,
      30_000,
      'the four messages to be sent again after the restart',
      () => `(${missing(receiver, ids).length} still missing)`,
    );
    // Each message's log shows the request given up at shutdown, then the one that succeeded after the restart.
    const call = apiClient(second.url!, first.token!);
    const attemptsOf = async (id: string) =>
      (await call('GET', `/app/crash/attempt/msg/${id}`)).body.data as Array<{
        status: number;
        errorClass: string | null;
      }>;
    await waitUntil(
      async () => (await Promise.all(ids.map(attemptsOf))).every((attempts) => attempts.length === 2),
      10_000,
      'two attempts recorded for each message',
    );
    for (const id of ids) {
      const attempts = await attemptsOf(id);
      expect(
        attempts.filter((attempt) => attempt.errorClass === 'shutdown' && attempt.status === 2),
      ).toHaveLength(1);
      expect(attempts.filter((attempt) => attempt.status === 0)).toHaveLength(1);
    }
  });
});
