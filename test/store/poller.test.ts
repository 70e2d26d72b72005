/** The poller's reads and its consumers' state: the window of the id space, filters, and refused stale writes. */
import { expect, it } from 'vitest';
import { appWithEndpoints, messageOf, send } from './builders.js';
import { describeStore } from './harness.js';
import { idFloor } from '../../src/util/ids.js';

describeStore('store: polling endpoints', (ctx) => {
  it("reads an application's messages after a position and before a bound, oldest first, filtered", async () => {
    const { app } = await appWithEndpoints(ctx.store, 0);
    const other = await appWithEndpoints(ctx.store, 0);
    const at = Date.now();
    const sent = [];
    for (const [eventType, channels] of [
      ['a', ['x']],
      ['b', null],
      ['a', ['y', 'x']],
      ['a', null],
    ] as const)
      sent.push(
        (await send(ctx.store, messageOf(app.id, { eventType, channels: channels && [...channels] }), []))
          .message.id,
      );
    await send(ctx.store, messageOf(other.app.id), []);
    const window = {
      appId: app.id,
      after: idFloor('message', at - 1000),
      before: idFloor('message', at + 60_000),
    };
    const read = async (overrides: object) =>
      (
        await ctx.store.messagePollPage({
          ...window,
          eventTypes: null,
          channels: null,
          limit: 10,
          ...overrides,
        })
      ).map((m) => m.id);
    expect(await read({})).toEqual(sent);
    expect(await read({ limit: 2 })).toEqual(sent.slice(0, 2));
    expect(await read({ after: sent[1] })).toEqual(sent.slice(2));
    expect(await read({ before: sent[2] })).toEqual(sent.slice(0, 2));
    expect(await read({ eventTypes: ['a'] })).toEqual([sent[0], sent[2], sent[3]]);
    expect(await read({ channels: ['x'] })).toEqual([sent[0], sent[2]]);
    expect(await read({ channels: ['y'], eventTypes: ['a'] })).toEqual([sent[2]]);
    expect(await read({ eventTypes: [] })).toEqual([]);
  });

  it('saves a consumer only from the revision it read; setting a position drops the lease', async () => {
    const { endpoints } = await appWithEndpoints(ctx.store, 1);
    const ep = endpoints[0]!.id;
    const state = { position: 'msg_0', nextOffset: 0, leased: [], leaseEnd: null, leaseUntil: null };
    expect(await ctx.store.pollerConsumerSave(ep, 'c', state, undefined, 1)).toBe(true);
    // A second creation from the same (empty) read loses.
    expect(await ctx.store.pollerConsumerSave(ep, 'c', state, undefined, 1)).toBe(false);
    const read = (await ctx.store.pollerConsumerGet(ep, 'c'))!;
    expect(read).toEqual({ ...state, revision: 0 });
    const leased = {
      ...state,
      nextOffset: 2,
      leased: [
        [0, 'msg_1'],
        [1, 'msg_2'],
      ] as Array<[number, string]>,
      leaseEnd: 'msg_2',
      leaseUntil: 99,
    };
    expect(await ctx.store.pollerConsumerSave(ep, 'c', leased, read.revision, 2)).toBe(true);
    // A write based on the read before that one is refused.
    expect(await ctx.store.pollerConsumerSave(ep, 'c', state, read.revision, 3)).toBe(false);
    expect(await ctx.store.pollerConsumerGet(ep, 'c')).toEqual({ ...leased, revision: 1 });
    await ctx.store.pollerConsumerSetPosition(ep, 'c', 'msg_9', 4);
    expect(await ctx.store.pollerConsumerGet(ep, 'c')).toEqual({
      position: 'msg_9',
      nextOffset: 2,
      leased: [],
      leaseEnd: null,
      leaseUntil: null,
      revision: 2,
    });
    expect(await ctx.store.pollerConsumerGet(ep, 'other')).toBeUndefined();
  });
});
