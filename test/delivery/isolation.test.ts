/**
 * Isolation between endpoints: a hanging, a failing or a flooded endpoint must not hold up anyone else's
 * deliveries, and no endpoint gets more than HERALD_ENDPOINT_CONCURRENCY requests at once from one worker.
 * Real Herald, real receivers on 127.0.0.1; SQLite always, PostgreSQL when HERALD_TEST_DATABASE_URL is set.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BATCH } from '../../src/api/schemas/ingest.js';
import { PG_URL } from '../helpers/env.js';
import { startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { startTrackingReceiver, waitUntil, type TrackingReceiver } from '../helpers/tracking-receiver.js';

const ENDPOINT_CONCURRENCY = 2;
const TIMEOUT_SECONDS = 30;

for (const dialect of [
  { name: 'sqlite', postgres: false, skip: false },
  { name: 'postgres', postgres: true, skip: !PG_URL },
]) {
  describe.skipIf(dialect.skip)(`endpoint isolation (${dialect.name})`, { timeout: 60_000 }, () => {
    let h: RunningHerald;
    const receivers: TrackingReceiver[] = [];
    let apps = 0;

    beforeAll(async () => {
      h = await startTestHerald(
        {
          HERALD_ENDPOINT_CONCURRENCY: String(ENDPOINT_CONCURRENCY),
          HERALD_DELIVERY_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS),
        },
        { postgres: dialect.postgres },
      );
    });
    // Receivers close first: that ends hanging requests, so the worker's shutdown need not wait for them.
    afterEach(async () => {
      await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
    });
    afterAll(async () => h?.close());

    async function receiver(): Promise<TrackingReceiver> {
      const started = await startTrackingReceiver();
      receivers.push(started);
      return started;
    }

    async function app(): Promise<string> {
      const uid = `iso-${dialect.name}-${++apps}`;
      expect((await h.call('POST', '/app', { name: uid, uid })).status).toBe(201);
      return uid;
    }

    async function endpoint(uid: string, url: string): Promise<void> {
      expect((await h.call('POST', `/app/${uid}/endpoint`, { url })).status).toBe(201);
    }

    /** Sends `count` messages through the batch route, MAX_BATCH at a time; returns their ids in order. */
    async function sendMany(uid: string, count: number): Promise<string[]> {
      const ids: string[] = [];
      for (let first = 0; first < count; first += MAX_BATCH) {
        const messages = Array.from({ length: Math.min(MAX_BATCH, count - first) }, (_, i) => ({
          eventType: 'load.test',
          payload: { i: first + i },
        }));
        const sent = await h.call('POST', `/app/${uid}/msg/batch`, { messages });
        expect(sent.status).toBe(202);
        ids.push(...(sent.body.data as Array<{ id: string }>).map((message) => message.id));
      }
      return ids;
    }

    it('delivers to a healthy endpoint while a sibling hangs and another fails', async () => {
      const [hanging, failing, healthy] = [await receiver(), await receiver(), await receiver()];
      hanging.behave(() => ({ hang: true }));
      failing.behave(() => ({ status: 500 }));
      const uid = await app();
      await endpoint(uid, `${hanging.url}/hang`);
      await endpoint(uid, `${failing.url}/fail`);
      await endpoint(uid, `${healthy.url}/ok`);

      const started = Date.now();
      const ids = await sendMany(uid, 100);
      await waitUntil(
        () => healthy.ids().size === 100,
        20_000,
        'the healthy endpoint to get all 100 messages',
        () => `(got ${healthy.ids().size}; failing endpoint got ${failing.requests.length})`,
      );
      expect(healthy.ids()).toEqual(new Set(ids));
      // The failing endpoint was tried (how often depends on its circuit breaker, which is not tested here).
      expect(failing.requests.length).toBeGreaterThan(0);
      // All of that happened while the hanging endpoint still held its first requests, before their timeout.
      expect(Date.now() - started).toBeLessThan(TIMEOUT_SECONDS * 1000);
      expect(hanging.open()).toBe(ENDPOINT_CONCURRENCY);
      expect(hanging.requests).toHaveLength(ENDPOINT_CONCURRENCY);
      for (const r of [hanging, failing, healthy])
        expect(r.maxOpen()).toBeLessThanOrEqual(ENDPOINT_CONCURRENCY);
    });

    it('delivers to a healthy endpoint on the same host as a hanging one', async () => {
      // Two endpoints of one customer on one host (one origin), told apart by path: the hanging one must not
      // take the connections the other needs.
      const shared = await receiver();
      shared.behave((request) => (request.path === '/hang' ? { hang: true } : { status: 200 }));
      const uid = await app();
      await endpoint(uid, `${shared.url}/hang`);
      await endpoint(uid, `${shared.url}/ok`);

      const started = Date.now();
      const ids = await sendMany(uid, 50);
      await waitUntil(
        () => shared.ids('/ok').size === 50,
        20_000,
        'the healthy endpoint to get all 50 messages',
        () => `(got ${shared.ids('/ok').size}; hanging requests open: ${shared.open('/hang')})`,
      );
      expect(shared.ids('/ok')).toEqual(new Set(ids));
      expect(Date.now() - started).toBeLessThan(TIMEOUT_SECONDS * 1000);
      expect(shared.open('/hang')).toBe(ENDPOINT_CONCURRENCY);
      expect(shared.maxOpen('/hang')).toBe(ENDPOINT_CONCURRENCY);
      expect(shared.maxOpen('/ok')).toBeLessThanOrEqual(ENDPOINT_CONCURRENCY);
    });

    it("does not make one application's message wait behind another's flood", async () => {
      const slow = await receiver();
      const quick = await receiver();
      slow.behave(() => ({ status: 200, delayMs: 20 }));
      const flooded = await app();
      const other = await app();
      await endpoint(flooded, `${slow.url}/flood`);
      await endpoint(other, `${quick.url}/single`);

      const flood = await sendMany(flooded, 2000);
      const [single] = await sendMany(other, 1);
      await waitUntil(() => quick.requests.length >= 1, 10_000, 'the single message to arrive');
      const backlogDone = slow.ids().size;

      expect(quick.requests[0]!.webhookId).toBe(single);
      // The other app's message arrived while the flood was still draining: that, not a time bound, is the claim.
      expect(backlogDone).toBeLessThan(flood.length);
      expect(slow.maxOpen()).toBeLessThanOrEqual(ENDPOINT_CONCURRENCY);
    });
  });
}
