/**
 * Ordered delivery across processes: an API process and two `herald serve --role worker` processes on one
 * PostgreSQL database deliver 2,000 messages over 50 ordering keys to a receiver that fails a fifth of its
 * requests, and one worker is SIGKILLed halfway. Each key's messages are still received successfully in the
 * order they were accepted, and all of them arrive. Skipped without HERALD_TEST_DATABASE_URL.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgDatabase, PG_URL } from '../helpers/env.js';
import { startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { outOfOrder, seeded, startFaultyReceiver } from '../helpers/ordered-receiver.js';
import { killAllServes, startServe, stopServe, type ServeProcess } from '../helpers/serve-process.js';
import { waitUntil } from '../helpers/tracking-receiver.js';

const KEYS = 50;
const MESSAGES = 2_000;

describe.skipIf(!PG_URL)(
  'ordered delivery with two worker processes, one killed',
  { timeout: 150_000 },
  () => {
    let database: Awaited<ReturnType<typeof freshPgDatabase>>;
    let api: RunningHerald;
    let receiver: Awaited<ReturnType<typeof startFaultyReceiver>>;
    const workers: ServeProcess[] = [];

    beforeAll(async () => {
      database = await freshPgDatabase();
      const random = seeded(7_041);
      receiver = await startFaultyReceiver(() => ({
        status: random() < 0.2 ? 500 : 200,
        delayMs: random() < 0.1 ? Math.floor(random() * 20) : 0,
      }));
      const shared = {
        DATABASE_URL: database.url,
        HERALD_MASTER_KEY: randomBytes(32).toString('base64'),
        HERALD_SSRF_ALLOW_CIDRS: '127.0.0.1/32',
      };
      api = await startTestHerald({ ...shared, HERALD_ROLE: 'api' });
      for (let i = 0; i < 2; i++)
        workers.push(
          await startServe(['--role', 'worker'], {
            ...shared,
            HERALD_LOG_LEVEL: 'error',
            HERALD_POLL_INTERVAL_MS: '50',
            // A dead worker's sequences are taken over within seconds rather than the default 10.
            HERALD_WORKER_TAKEOVER_MS: '2000',
          }),
        );
    });

    afterAll(async () => {
      await receiver?.close();
      await Promise.all(workers.map((worker) => stopServe(worker, 'SIGTERM').catch(() => undefined)));
      await killAllServes();
      await api?.close();
      await database?.drop();
    });

    it("keeps each key's order when a worker dies halfway", async () => {
      const app = await api.call('POST', '/app', { name: 'ordering' });
      expect(app.status).toBe(201);
      const endpoint = await api.call('POST', `/app/${app.body.id}/endpoint`, {
        url: `${receiver.url}/ordered`,
        ordering: 'key',
        retrySchedule: Array<number>(20).fill(0),
      });
      expect(endpoint.status).toBe(201);
      const messages = Array.from({ length: MESSAGES }, (_, i) => ({
        key: `k${i % KEYS}`,
        n: Math.floor(i / KEYS),
      }));
      for (let at = 0; at < MESSAGES; at += 500) {
        const sent = await api.call('POST', `/app/${app.body.id}/msg/batch`, {
          messages: messages.slice(at, at + 500).map(({ key, n }) => ({
            eventType: 'order.updated',
            orderingKey: key,
            payload: { key, n },
          })),
        });
        expect(sent.status).toBe(202);
      }

      await waitUntil(
        () => receiver.delivered('/ordered').length >= MESSAGES / 2,
        60_000,
        'half the messages',
      );
      expect((await stopServe(workers[0]!, 'SIGKILL')).signal).toBe('SIGKILL');
      await waitUntil(
        () => receiver.delivered('/ordered').length === MESSAGES,
        90_000,
        'every message delivered',
        () => `(${receiver.delivered('/ordered').length} of ${MESSAGES})`,
      );
      const delivered = receiver.delivered('/ordered');
      expect(outOfOrder(delivered)).toEqual([]);
      for (let k = 0; k < KEYS; k++)
        expect(delivered.filter((a) => a.key === `k${k}`).map((a) => a.n)).toEqual(
          Array.from({ length: MESSAGES / KEYS }, (_, n) => n),
        );
    });
  },
);
