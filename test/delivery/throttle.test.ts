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
  });
}
