/** Endpoints' transformations: partial changes keep what they do not name, and each change touches the endpoint. */
import { expect, it } from 'vitest';
import { appWithEndpoints } from './builders.js';
import { describeStore } from './harness.js';

describeStore("store: an endpoint's transformation", (ctx) => {
  const T = 1_700_000_000_000;

  it('creates on the first change, keeps fields a change does not name, and reads many at once', async () => {
    const { endpoints } = await appWithEndpoints(ctx.store, 2);
    const [ep1, ep2] = [endpoints[0]!.id, endpoints[1]!.id];
    expect(await ctx.store.transformationGet(ep1)).toBeUndefined();
    const code = 'function handler(w) { return w; }';
    expect(await ctx.store.transformationSet(ep1, { code, enabled: true }, T)).toEqual({
      endpointId: ep1,
      code,
      enabled: true,
      variables: null,
      updatedAt: T,
    });
    await ctx.store.transformationSet(ep1, { variables: { team: 'billing' } }, T + 1);
    expect(await ctx.store.transformationGet(ep1)).toMatchObject({
      code,
      enabled: true,
      variables: { team: 'billing' },
      updatedAt: T + 1,
    });
    await ctx.store.transformationSet(ep1, { code: null, enabled: false, variables: null }, T + 2);
    expect(await ctx.store.transformationGet(ep1)).toMatchObject({
      code: null,
      enabled: false,
      variables: null,
    });
    await ctx.store.transformationSet(ep2, { code }, T);
    const many = await ctx.store.transformationGetMany([ep1, ep2, 'ep_missing']);
    expect([...many.keys()].sort()).toEqual([ep1, ep2].sort());
    expect(await ctx.store.transformationGetMany([])).toEqual(new Map());
  });

  it("moves the endpoint's updatedAt forward, even when the clock is behind it", async () => {
    const { app, endpoints } = await appWithEndpoints(ctx.store, 1);
    const before = (await ctx.store.endpointGet(app.id, endpoints[0]!.id))!.updatedAt;
    await ctx.store.transformationSet(endpoints[0]!.id, { enabled: false }, before - 60_000);
    const after = (await ctx.store.endpointGet(app.id, endpoints[0]!.id))!.updatedAt;
    expect(after).toBeGreaterThan(before);
  });
});
