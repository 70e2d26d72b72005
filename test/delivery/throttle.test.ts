/**
 * throttleRate under a fake clock: only `Date` is faked, so the token bucket refills only when the test moves
 * time forward, and what arrives is exact rather than a matter of timing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PG_URL } from '../helpers/env.js';
import { startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.skipIf(dialect === 'postgres' && !PG_URL)(`throttleRate on ${dialect}`, () => {
    let h: RunningHerald;
    let receiver: Receiver;
    beforeAll(async () => {
      h = await startTestHerald({}, { postgres: dialect === 'postgres' });
      receiver = await startReceiver();
    });
    afterAll(async () => {
      await receiver.close();
      await h.close();
    });
    afterEach(() => vi.useRealTimers());
    let before = 0;

    const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

    it('sends no more than the rate allows, a second at a time', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date('2032-05-01T00:00:00Z'));
      await h.call('POST', '/app', { name: 'throttled', uid: 'throttled' });
      const endpoint = await h.call('POST', '/app/throttled/endpoint', {
        url: receiver.url,
        throttleRate: 5,
      });
      expect(endpoint.body.throttleRate).toBe(5);
      const messages = Array.from({ length: 17 }, (_, i) => ({ eventType: 'tick', payload: { i } }));
      expect((await h.call('POST', '/app/throttled/msg/batch', { messages })).status).toBe(202);

      // A full bucket: one second's worth goes at once, then nothing while the clock stands still.
      await receiver.waitFor(5);
      await settle();
      expect(receiver.received).toHaveLength(5);
      for (const expected of [10, 15, 17]) {
        vi.setSystemTime(Date.now() + 1000);
        await receiver.waitFor(expected);
        await settle();
        expect(receiver.received).toHaveLength(expected);
      }
      // Nothing was lost or sent twice on the way.
      expect(new Set(receiver.received.map((r) => JSON.parse(r.body).i)).size).toBe(17);
      const stats = await h.call('GET', `/app/throttled/endpoint/${endpoint.body.id}/stats`);
      expect(stats.body.success).toBe(17);
    });

    it("holds an application's rate across all its endpoints together", async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date('2033-05-01T00:00:00Z'));
      const app = await h.call('POST', '/app', {
        name: 'app-throttled',
        uid: 'app-throttled',
        throttleRate: 4,
      });
      expect(app.body.throttleRate).toBe(4);
      expect((await h.call('GET', '/app/app-throttled')).body.throttleRate).toBe(4);
      before = receiver.received.length;
      for (const path of ['/one', '/two'])
        await h.call('POST', '/app/app-throttled/endpoint', { url: `${receiver.url}${path}` });
      const messages = Array.from({ length: 5 }, (_, i) => ({ eventType: 'tick', payload: { i } }));
      expect((await h.call('POST', '/app/app-throttled/msg/batch', { messages })).status).toBe(202);

      // Ten deliveries (five messages, two endpoints) at four a second for the whole application.
      for (const expected of [4, 8, 10]) {
        await receiver.waitFor(before + expected);
        await settle();
        expect(receiver.received.length - before).toBe(expected);
        vi.setSystemTime(Date.now() + 1000);
      }
      const paths = receiver.received.slice(before).map((r) => r.path);
      expect(paths.filter((p) => p === '/one')).toHaveLength(5);
      expect(paths.filter((p) => p === '/two')).toHaveLength(5);
    });
  });
}
