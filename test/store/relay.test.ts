/** Relay requests (`herald listen`): taken once, answered once while they last, and deleted with what expired. */
import { expect, it } from 'vitest';
import { newId } from '../../src/util/ids.js';
import { appWithEndpoints } from './builders.js';
import { describeStore } from './harness.js';

describeStore('store: relay requests', (ctx) => {
  const request = (endpointId: string, now: number, overrides: { expiresAt?: number } = {}) => ({
    id: newId('relay', now),
    endpointId,
    request: `sealed ${Math.random()}`,
    createdAt: now,
    expiresAt: overrides.expiresAt ?? now + 10_000,
  });

  it("hands each of an endpoint's live requests to one poll, oldest first", async () => {
    const { endpoints } = await appWithEndpoints(ctx.store, 2);
    const [mine, theirs] = endpoints.map((endpoint) => endpoint.id) as [string, string];
    const now = Date.now();
    const first = request(mine, now);
    const second = request(mine, now + 1);
    const expired = request(mine, now - 20_000, { expiresAt: now - 1 });
    for (const row of [second, expired, first, request(theirs, now)]) await ctx.store.relayRequestCreate(row);
    expect(await ctx.store.relayRequestTake(mine, 1, now)).toEqual([first]);
    expect(await ctx.store.relayRequestTake(mine, 10, now)).toEqual([second]);
    expect(await ctx.store.relayRequestTake(mine, 10, now)).toEqual([]);
    const states = await ctx.store.relayRequestStates([first.id, expired.id, 'rly_missing']);
    expect(states.get(first.id)).toEqual({ takenAt: now, answer: null });
    expect(states.get(expired.id)).toEqual({ takenAt: null, answer: null });
    expect(states.has('rly_missing')).toBe(false);
  });

  it('keeps the first answer to a taken request of the endpoint, until the request expires', async () => {
    const { endpoints } = await appWithEndpoints(ctx.store, 2);
    const [mine, theirs] = endpoints.map((endpoint) => endpoint.id) as [string, string];
    const now = Date.now();
    const waiting = request(mine, now);
    const taken = request(mine, now);
    const lapsing = request(mine, now, { expiresAt: now + 5 });
    for (const row of [waiting, taken, lapsing]) await ctx.store.relayRequestCreate(row);
    // Not taken yet: nobody may answer it.
    expect(await ctx.store.relayRequestAnswer(mine, waiting.id, '{}', now)).toBe(false);
    await ctx.store.relayRequestTake(mine, 10, now);
    // Another endpoint's path cannot answer it; the first answer stays.
    expect(await ctx.store.relayRequestAnswer(theirs, taken.id, '{"status":1}', now)).toBe(false);
    expect(await ctx.store.relayRequestAnswer(mine, taken.id, '{"status":200}', now)).toBe(true);
    expect(await ctx.store.relayRequestAnswer(mine, taken.id, '{"status":500}', now)).toBe(false);
    expect((await ctx.store.relayRequestStates([taken.id])).get(taken.id)?.answer).toBe('{"status":200}');
    expect(await ctx.store.relayRequestAnswer(mine, lapsing.id, '{}', now + 5)).toBe(false);
  });

  it('deletes the given requests and every one that expired', async () => {
    const { endpoints } = await appWithEndpoints(ctx.store, 1);
    const endpointId = endpoints[0]!.id;
    const now = Date.now();
    const done = request(endpointId, now);
    const live = request(endpointId, now);
    const stale = request(endpointId, now - 60_000, { expiresAt: now - 30_000 });
    for (const row of [done, live, stale]) await ctx.store.relayRequestCreate(row);
    await ctx.store.relayRequestDelete([done.id], now);
    const left = await ctx.store.relayRequestStates([done.id, live.id, stale.id]);
    expect([...left.keys()]).toEqual([live.id]);
  });
});
