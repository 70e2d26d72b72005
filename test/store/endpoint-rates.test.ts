/** Endpoints' and applications' token buckets: the rate holds whoever takes from them, and however many at once. */
import { expect, it } from 'vitest';
import { appWithEndpoints } from './builders.js';
import { describeStore } from './harness.js';

describeStore("store: an endpoint's token bucket", (ctx) => {
  const T = 1_700_000_000_000;

  it('grants up to the rate at once, then refills at the rate per second, up to the rate', async () => {
    const { endpoints } = await appWithEndpoints(ctx.store, 1);
    const take = (wanted: number, now: number) =>
      ctx.store.endpointTakeTokens(endpoints[0]!.id, 5, wanted, now);
    expect(await take(3, T)).toBe(3);
    expect(await take(10, T)).toBe(2);
    expect(await take(1, T)).toBe(0);
    // A fifth of a second brings one token at 5 per second, even in halves.
    expect(await take(10, T + 100)).toBe(0);
    expect(await take(10, T + 200)).toBe(1);
    expect(await take(10, T + 200)).toBe(0);
    expect(await take(10, T + 1_200)).toBe(5);
    // A clock behind the bucket's gets nothing more.
    expect(await take(10, T - 60_000)).toBe(0);
    // However long the endpoint was idle, the burst is one second's worth.
    expect(await take(100, T + 3_600_000)).toBe(5);
    expect(await take(100, T + 3_600_000)).toBe(0);
  });

  it('keeps one bucket per endpoint', async () => {
    const { endpoints } = await appWithEndpoints(ctx.store, 2);
    const [ep1, ep2] = [endpoints[0]!.id, endpoints[1]!.id];
    expect(await ctx.store.endpointTakeTokens(ep1, 2, 5, T)).toBe(2);
    expect(await ctx.store.endpointTakeTokens(ep2, 3, 5, T)).toBe(3);
    expect(await ctx.store.endpointTakeTokens(ep1, 2, 5, T)).toBe(0);
  });

  it('grants no more than the rate to takers at the same moment', async () => {
    const { endpoints } = await appWithEndpoints(ctx.store, 1);
    await Promise.all(Array.from({ length: 5 }, () => ctx.store.ping()));
    const granted = await Promise.all(
      Array.from({ length: 10 }, () => ctx.store.endpointTakeTokens(endpoints[0]!.id, 4, 1, T)),
    );
    expect(granted.reduce((sum, n) => sum + n, 0)).toBe(4);
  });

  it("keeps an application's bucket apart from its endpoints' buckets", async () => {
    const { app, endpoints } = await appWithEndpoints(ctx.store, 1);
    expect(await ctx.store.applicationTakeTokens(app.id, 3, 5, T)).toBe(3);
    expect(await ctx.store.applicationTakeTokens(app.id, 3, 5, T)).toBe(0);
    expect(await ctx.store.endpointTakeTokens(endpoints[0]!.id, 3, 5, T)).toBe(3);
    expect(await ctx.store.applicationTakeTokens(app.id, 3, 5, T + 1_000)).toBe(3);
    // The bucket goes with its application.
    await ctx.store.applicationDelete(app.id);
  });
});
