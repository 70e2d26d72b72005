/**
 * Fast takeover on PostgreSQL, with the default settings: a worker process that dies (SIGKILL) or freezes
 * (SIGSTOP) has its deliveries sent by another worker once its heartbeat lapses, long before their leases
 * would run out. A frozen worker that comes back (SIGCONT) sends nothing it no longer holds: the only
 * requests sent twice are the ones it had in flight when it froze, as at-least-once allows. Skipped without
 * HERALD_TEST_DATABASE_URL.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshPgDatabase, PG_URL } from '../helpers/env.js';
import { reportFigure } from '../helpers/figures.js';
import { startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { killAllServes, startServe, stopServe, type ServeProcess } from '../helpers/serve-process.js';
import { startTrackingReceiver, waitUntil, type TrackingReceiver } from '../helpers/tracking-receiver.js';

const ENDPOINTS = 3;
const MESSAGES_PER_ENDPOINT = 3;

describe.skipIf(!PG_URL)(
  'taking over the deliveries of a worker whose heartbeat lapsed',
  { timeout: 90_000 },
  () => {
    let database: Awaited<ReturnType<typeof freshPgDatabase>>;
    let api: RunningHerald;
    let db: pg.Client;
    let receiver: TrackingReceiver;
    let shared: Record<string, string>;

    beforeAll(async () => {
      database = await freshPgDatabase();
      shared = {
        DATABASE_URL: database.url,
        HERALD_MASTER_KEY: randomBytes(32).toString('base64'),
        HERALD_SSRF_ALLOW_CIDRS: '127.0.0.1/32',
      };
      // The API process migrates the database before the workers start.
      api = await startTestHerald({ ...shared, HERALD_ROLE: 'api' });
      db = new pg.Client({ connectionString: database.url });
      await db.connect();
    });

    afterEach(async () => {
      await killAllServes();
      await receiver?.close();
      await db.query('delete from attempt; delete from delivery; delete from message; delete from endpoint');
      await db.query('delete from herald_worker');
    });

    afterAll(async () => {
      await db?.end();
      await api?.close();
      await database?.drop();
    });

    /**
     * A worker process that holds two requests in flight (the receiver holds them) and two deliveries waiting for
     * a slot: two requests at most in all, two per endpoint. Every other setting is the default, so its leases
     * run for 75 s and its heartbeat lapses after 10 s.
     */
    function startWorker(): Promise<ServeProcess> {
      return startServe(['--role', 'worker'], {
        ...shared,
        HERALD_LOG_LEVEL: 'warn',
        HERALD_WORKER_CONCURRENCY: '2',
        HERALD_ENDPOINT_CONCURRENCY: '2',
        HERALD_POLL_INTERVAL_MS: '100',
      });
    }

    /** The deliveries the worker process with this pid holds, and when the last of their leases runs out. */
    async function heldBy(pid: number) {
      const workers = await db.query<{ id: string }>('select id from herald_worker where pid = $1', [pid]);
      expect(workers.rows).toHaveLength(1);
      const held = await db.query<{ msg_id: string; lease_expires_at: string }>(
        'select msg_id, lease_expires_at from delivery where leased_by = $1 and status = 3',
        [workers.rows[0]!.id],
      );
      return {
        worker: workers.rows[0]!.id,
        messages: held.rows.map((row) => row.msg_id),
        leasesEndAt: Math.max(...held.rows.map((row) => Number(row.lease_expires_at))),
      };
    }

    /** Starts worker A, sends the messages, and waits until A holds four deliveries, two of them in flight. */
    async function setUp() {
      receiver = await startTrackingReceiver();
      receiver.behave(() => ({ gate: true, status: 200 }));
      const app = await api.call('POST', '/app', { name: 'takeover' });
      expect(app.status).toBe(201);
      for (let e = 0; e < ENDPOINTS; e++)
        expect(
          (await api.call('POST', `/app/${app.body.id}/endpoint`, { url: `${receiver.url}/ep${e}` })).status,
        ).toBe(201);
      const a = await startWorker();
      const messages: string[] = [];
      for (let i = 0; i < MESSAGES_PER_ENDPOINT; i++) {
        const sent = await api.call('POST', `/app/${app.body.id}/msg`, {
          eventType: 'takeover.test',
          payload: { i },
        });
        expect(sent.status).toBe(202);
        messages.push(sent.body.id as string);
      }
      await waitUntil(() => receiver.open() === 2, 20_000, 'worker A to have two requests in flight');
      await waitUntil(
        async () => (await heldBy(a.child.pid!)).messages.length === 4,
        10_000,
        'worker A to hold four deliveries',
      );
      return { a, messages };
    }

    /** Waits until every delivery is recorded as a success (results are written in group commits). */
    const allSucceeded = () =>
      waitUntil(
        async () =>
          Number((await db.query('select count(*) as n from delivery where status = 0')).rows[0].n) ===
          pairs(),
        10_000,
        'every delivery to be recorded as a success',
      );
    /** Every (message, endpoint) pair acknowledged by the receiver. */
    const pairs = () => MESSAGES_PER_ENDPOINT * ENDPOINTS;
    const acknowledged = () => {
      const done = new Set<string>();
      for (const request of receiver.requests)
        if (request.answered === 200) done.add(`${request.webhookId} ${request.path}`);
      return done;
    };
    const receivedBy = () => {
      const counts = new Map<string, number>();
      for (const request of receiver.requests) {
        const key = `${request.webhookId} ${request.path}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return counts;
    };

    it('sends the deliveries of a killed worker well before their leases run out', async () => {
      const { a } = await setUp();
      const held = await heldBy(a.child.pid!);
      const b = await startWorker();
      await stopServe(a, 'SIGKILL');
      const killed = Date.now();
      receiver.release();

      await waitUntil(
        () => acknowledged().size === pairs(),
        40_000,
        'every pair to be delivered',
        () => `(${acknowledged().size} of ${pairs()})`,
      );
      reportFigure('SIGKILL of a worker to all its deliveries sent by another', killed);
      // Only the lapsed heartbeat can have given A's deliveries back this early: their leases still ran.
      expect(Date.now()).toBeLessThan(held.leasesEndAt);
      await allSucceeded();
      // The killed worker's row is gone; the live one's stays.
      const workers = await db.query<{ pid: number }>('select pid from herald_worker');
      expect(workers.rows.map((row) => row.pid)).toEqual([b.child.pid]);
      expect(b.output().stdout).toContain('took over the deliveries of workers whose heartbeat lapsed');
    });

    it('sends nothing twice but the requests in flight, when a frozen worker comes back after its takeover', async () => {
      const { a } = await setUp();
      const held = await heldBy(a.child.pid!);
      const inFlight = new Set(receiver.requests.map((request) => `${request.webhookId} ${request.path}`));
      expect(inFlight.size).toBe(2);
      a.child.kill('SIGSTOP');
      const frozen = Date.now();
      const b = await startWorker();
      receiver.release();

      await waitUntil(
        () => acknowledged().size === pairs(),
        40_000,
        'every pair to be delivered while worker A is frozen',
        () => `(${acknowledged().size} of ${pairs()})`,
      );
      reportFigure('SIGSTOP of a worker to all its deliveries sent by another', frozen);
      expect(Date.now()).toBeLessThan(held.leasesEndAt);

      // A comes back: its two requests in flight get their answers, and it learns it was taken over.
      a.child.kill('SIGCONT');
      await waitUntil(
        () => a.output().stdout.includes('was taken over'),
        10_000,
        'worker A to learn that it was taken over',
      );
      await waitUntil(
        async () =>
          (await db.query('select 1 from herald_worker where pid = $1', [a.child.pid])).rowCount === 1,
        10_000,
        'worker A to register again',
      );
      // A's late answers are recorded as attempts: 9 first sends, and the 2 requests A had in flight, twice.
      await waitUntil(
        async () => Number((await db.query('select count(*) as n from attempt')).rows[0].n) === pairs() + 2,
        10_000,
        'every attempt to be recorded',
      );
      // Give A a poll interval or two to send anything it should not.
      await new Promise((resolve) => setTimeout(resolve, 500));

      const counts = receivedBy();
      expect(counts.size).toBe(pairs());
      for (const [pair, count] of counts)
        expect({ pair, count }).toEqual({ pair, count: inFlight.has(pair) ? 2 : 1 });
      await allSucceeded();
      expect(b.output().stdout).toContain('took over the deliveries of workers whose heartbeat lapsed');
      // Both workers live on, each with its heartbeat.
      const workers = await db.query<{ pid: number }>('select pid from herald_worker order by pid');
      expect(workers.rows.map((row) => row.pid).sort()).toEqual([a.child.pid, b.child.pid].sort());
      await stopServe(b, 'SIGTERM');
      await stopServe(a, 'SIGTERM');
    });
  },
);
