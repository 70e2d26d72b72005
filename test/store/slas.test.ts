import { expect, it } from 'vitest';
import type { SlaInsert, SlaRollupDelta } from '../../src/store/index.js';
import { newId } from '../../src/util/ids.js';
import { appWithEndpoints, attemptOf, claimAll, messageOf, send } from './builders.js';
import { describeStore } from './harness.js';

const MINUTE = 60_000;
const within = (...counts: number[]) => [...counts, 0, 0, 0, 0, 0, 0, 0, 0].slice(0, 8);

function slaOf(appId: string, overrides: Partial<SlaInsert> = {}): SlaInsert {
  return {
    id: newId('sla'),
    appId,
    endpointId: null,
    name: 'delivery promise',
    windowMs: 3_600_000,
    successTarget: 0.999,
    delayMs: 30_000,
    delayTarget: 0.95,
    createdAt: 1_000,
    ...overrides,
  };
}

describeStore('store: SLAs', (ctx) => {
  it('creates, reads, lists, updates and deletes SLAs, up to the cap per application', async () => {
    const { store } = ctx;
    const { app, endpoints } = await appWithEndpoints(store, 1);
    const whole = await store.slaCreate(slaOf(app.id), 2);
    expect(whole).toMatchObject({ appId: app.id, endpointId: null, successTarget: 0.999, delayMs: 30_000 });
    expect(whole!.status).toBe('ok');
    const one = await store.slaCreate(
      slaOf(app.id, { endpointId: endpoints[0]!.id, delayMs: null, delayTarget: null }),
      2,
    );
    expect(await store.slaCreate(slaOf(app.id), 2)).toBeNull();
    expect((await store.slaList(app.id)).map((sla) => sla.id)).toEqual([whole!.id, one!.id]);
    expect((await store.slaList(app.id, endpoints[0]!.id)).map((sla) => sla.id)).toEqual([one!.id]);
    expect(await store.slaGet('app_other', whole!.id)).toBeUndefined();

    const changed = await store.slaUpdate(
      app.id,
      whole!.id,
      {
        endpointId: null,
        name: 'renamed',
        windowMs: 86_400_000,
        successTarget: null,
        delayMs: 60_000,
        delayTarget: 0.9,
      },
      2_000,
    );
    expect(changed).toMatchObject({
      name: 'renamed',
      successTarget: null,
      delayTarget: 0.9,
      updatedAt: 2_000,
    });
    expect(await store.slaDelete(app.id, whole!.id)).toBe(true);
    expect(await store.slaDelete(app.id, whole!.id)).toBe(false);
    // Deleting the endpoint deletes its SLAs.
    await store.endpointDelete(app.id, endpoints[0]!.id);
    expect(await store.slaList(app.id)).toEqual([]);
  });

  it('adds rollups only for scopes with an SLA, and sums them in buckets', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 1);
    await store.slaCreate(slaOf(app.id), 10);
    const deltas: SlaRollupDelta[] = [
      { scope: app.id, minute: 0, delivered: 3, undelivered: 1, within: within(1, 2, 3) },
      { scope: app.id, minute: MINUTE, delivered: 1, undelivered: 0, within: within(0, 1, 1) },
      { scope: endpoints[0]!.id, minute: 0, delivered: 5, undelivered: 0, within: within(5) },
    ];
    await store.slaRollupAdd(deltas);
    await store.slaRollupAdd([
      { scope: app.id, minute: 0, delivered: 1, undelivered: -1, within: within(1, 1, 1) },
    ]);
    expect(await store.slaRollupBuckets(app.id, 0, 2 * MINUTE, 2 * MINUTE)).toEqual([
      { start: 0, delivered: 5, undelivered: 0, within: within(2, 4, 5) },
    ]);
    expect(await store.slaRollupBuckets(app.id, 0, 2 * MINUTE, MINUTE)).toEqual([
      { start: 0, delivered: 4, undelivered: 0, within: within(2, 3, 4) },
      { start: MINUTE, delivered: 1, undelivered: 0, within: within(0, 1, 1) },
    ]);
    // The endpoint has no SLA of its own: nothing was kept for it.
    expect(await store.slaRollupBuckets(endpoints[0]!.id, 0, 2 * MINUTE, MINUTE)).toEqual([]);
    expect(await store.slaRollupPrune(MINUTE)).toBe(1);
    expect(await store.slaRollupBuckets(app.id, 0, 2 * MINUTE, MINUTE)).toHaveLength(1);
  });

  it('writes rollups in the transaction that records the attempts', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 1);
    const endpointId = endpoints[0]!.id;
    await store.slaCreate(slaOf(app.id, { endpointId }), 10);
    const message = messageOf(app.id, { createdAt: 1_000 });
    await send(store, message, [endpointId]);
    const [delivery] = await claimAll(store);
    await store.deliveryRecordResults(
      'worker_a',
      [{ id: delivery!.id, status: 0, attemptCount: 1, nextAttemptAt: null, lastAttemptAt: 10_000 }],
      [attemptOf(delivery!)],
      10_000,
      [{ scope: endpointId, minute: 0, delivered: 1, undelivered: 0, within: within(0, 0, 1) }],
    );
    expect(await store.slaRollupBuckets(endpointId, 0, MINUTE, MINUTE)).toEqual([
      { start: 0, delivered: 1, undelivered: 0, within: within(0, 0, 1) },
    ]);
  });

  it('records evaluations, lists those at risk, and begins and ends a breach once', async () => {
    const store = await ctx.fresh();
    const { app } = await appWithEndpoints(store, 0);
    const [a, b, c] = [
      (await store.slaCreate(slaOf(app.id), 10))!,
      (await store.slaCreate(slaOf(app.id), 10))!,
      (await store.slaCreate(slaOf(app.id), 10))!,
    ];
    await store.slaRecordEvaluation(a.id, {
      status: 'at_risk',
      budgetRemaining: 0.2,
      evaluation: { x: 1 },
      evaluatedAt: 5,
    });
    await store.slaRecordEvaluation(b.id, {
      status: 'breached',
      budgetRemaining: -1,
      evaluation: null,
      evaluatedAt: 5,
    });
    await store.slaRecordEvaluation(c.id, {
      status: 'ok',
      budgetRemaining: 0.9,
      evaluation: null,
      evaluatedAt: 5,
    });
    expect((await store.slaListAtRisk(10)).map((sla) => sla.id)).toEqual([b.id, a.id]);
    expect((await store.slaGet(app.id, a.id))!.evaluation).toEqual({ x: 1 });
    expect(await store.slaCountByStatus()).toEqual({ ok: 1, at_risk: 1, breached: 1 });
    expect((await store.slaListAll(null, 2)).map((sla) => sla.id)).toEqual([a.id, b.id]);
    expect((await store.slaListAll(b.id, 2)).map((sla) => sla.id)).toEqual([c.id]);

    expect(await store.slaBreachBegin(b.id, 100)).toBe(true);
    expect(await store.slaBreachBegin(b.id, 200)).toBe(false);
    expect((await store.slaGet(app.id, b.id))!.breachedAt).toBe(100);
    expect(await store.slaBreachEnd(b.id)).toBe(100);
    expect(await store.slaBreachEnd(b.id)).toBeNull();
  });
});
