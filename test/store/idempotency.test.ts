import { expect, it } from 'vitest';
import { newId } from '../../src/util/ids.js';
import { describeStore } from './harness.js';

const TTL = 60_000;
const T0 = 1_700_000_000_000;

describeStore('store: idempotency keys', (ctx) => {
  /** A scope of its own per test, so that tests sharing the store never meet. */
  const scope = () => newId('application');

  it('starts a new key, then reports it in progress to the same request', async () => {
    const s = scope();
    expect(await ctx.store.idempotencyBegin(s, 'k', 'hash-a', TTL, T0)).toEqual({ kind: 'started' });
    expect(await ctx.store.idempotencyBegin(s, 'k', 'hash-a', TTL, T0 + 1)).toEqual({ kind: 'in_progress' });
  });

  it('reports a mismatch to a different request with the same key', async () => {
    const s = scope();
    await ctx.store.idempotencyBegin(s, 'k', 'hash-a', TTL, T0);
    expect(await ctx.store.idempotencyBegin(s, 'k', 'hash-b', TTL, T0 + 1)).toEqual({ kind: 'mismatch' });
    await ctx.store.idempotencyComplete(s, 'k', 201, '{"id":"x"}');
    expect(await ctx.store.idempotencyBegin(s, 'k', 'hash-b', TTL, T0 + 2)).toEqual({ kind: 'mismatch' });
  });

  it('replays the stored response once the request completed', async () => {
    const s = scope();
    await ctx.store.idempotencyBegin(s, 'k', 'hash-a', TTL, T0);
    await ctx.store.idempotencyComplete(s, 'k', 202, '{"id":"msg_1"}');
    const replay = { kind: 'completed', statusCode: 202, body: '{"id":"msg_1"}' };
    expect(await ctx.store.idempotencyBegin(s, 'k', 'hash-a', TTL, T0 + 1)).toEqual(replay);
    expect(await ctx.store.idempotencyBegin(s, 'k', 'hash-a', TTL, T0 + TTL - 1)).toEqual(replay);
  });

  it('starts again once the key expired, whatever it held', async () => {
    const s = scope();
    await ctx.store.idempotencyBegin(s, 'done', 'hash-a', TTL, T0);
    await ctx.store.idempotencyComplete(s, 'done', 200, 'old');
    await ctx.store.idempotencyBegin(s, 'stuck', 'hash-a', TTL, T0);
    const later = T0 + TTL + 1;
    expect(await ctx.store.idempotencyBegin(s, 'done', 'hash-b', TTL, later)).toEqual({ kind: 'started' });
    expect(await ctx.store.idempotencyBegin(s, 'done', 'hash-b', TTL, later + 1)).toEqual({
      kind: 'in_progress',
    });
    expect(await ctx.store.idempotencyBegin(s, 'stuck', 'hash-a', TTL, later)).toEqual({ kind: 'started' });
  });

  it('keeps keys apart by scope', async () => {
    const [a, b] = [scope(), scope()];
    expect(await ctx.store.idempotencyBegin(a, 'k', 'hash-a', TTL, T0)).toEqual({ kind: 'started' });
    expect(await ctx.store.idempotencyBegin(b, 'k', 'hash-b', TTL, T0)).toEqual({ kind: 'started' });
  });

  it('frees an abandoned key, but never a completed one', async () => {
    const s = scope();
    await ctx.store.idempotencyBegin(s, 'k', 'hash-a', TTL, T0);
    await ctx.store.idempotencyAbandon(s, 'k');
    expect(await ctx.store.idempotencyBegin(s, 'k', 'hash-b', TTL, T0 + 1)).toEqual({ kind: 'started' });
    await ctx.store.idempotencyComplete(s, 'k', 200, 'kept');
    await ctx.store.idempotencyAbandon(s, 'k');
    expect(await ctx.store.idempotencyBegin(s, 'k', 'hash-b', TTL, T0 + 2)).toEqual({
      kind: 'completed',
      statusCode: 200,
      body: 'kept',
    });
  });

  it('lets exactly one of several simultaneous requests start', async () => {
    const s = scope();
    await Promise.all(Array.from({ length: 5 }, () => ctx.store.ping()));
    const states = await Promise.all(
      Array.from({ length: 5 }, () => ctx.store.idempotencyBegin(s, 'k', 'hash-a', TTL, T0)),
    );
    expect(states.filter((state) => state.kind === 'started')).toHaveLength(1);
    expect(states.filter((state) => state.kind === 'in_progress')).toHaveLength(4);
  });

  it('prunes expired keys only', async () => {
    const store = await ctx.fresh();
    await store.idempotencyBegin('s', 'old-1', 'h', 1_000, T0);
    await store.idempotencyBegin('s', 'old-2', 'h', 2_000, T0);
    await store.idempotencyBegin('s', 'young', 'h', TTL, T0);
    await store.idempotencyComplete('s', 'old-2', 200, 'x');
    expect(await store.idempotencyPrune(T0 + 2_000)).toBe(2);
    expect(await store.idempotencyPrune(T0 + 2_000)).toBe(0);
    expect(await store.idempotencyBegin('s', 'young', 'h', TTL, T0 + 2_000)).toEqual({ kind: 'in_progress' });
    expect(await store.idempotencyBegin('s', 'old-2', 'other', TTL, T0 + 2_000)).toEqual({ kind: 'started' });
  });
});
