/**
 * The SLA evaluator records each SLA's compliance, and reports a breach once per episode and the recovery from
 * it, as operational events and audit records.
 */
import pino from 'pino';
import { expect, it } from 'vitest';
import { OperationalEvents } from '../../src/delivery/operational-events.js';
import { evaluateSlas } from '../../src/services/sla-evaluator.js';
import type { Store } from '../../src/store/index.js';
import { newId } from '../../src/util/ids.js';
import { appWithEndpoints } from '../store/builders.js';
import { describeStore } from '../store/harness.js';

const HOUR = 3_600_000;
const logger = pino({ level: 'silent' });
const none = [0, 0, 0, 0, 0, 0, 0, 0];

describeStore('SLA evaluator', (ctx) => {
  it('reports a breach once per episode and its recovery, as events and audit records', async () => {
    const store: Store = await ctx.fresh();
    const events = new OperationalEvents(store, logger, () => {});
    const { app } = await appWithEndpoints(store, 0);
    const sla = (await store.slaCreate(
      {
        id: newId('sla'),
        appId: app.id,
        endpointId: null,
        name: 'ninety percent',
        windowMs: HOUR,
        successTarget: 0.9,
        delayMs: null,
        delayTarget: null,
        createdAt: 0,
      },
      10,
    ))!;
    const now = 10 * HOUR;
    const add = (delivered: number, undelivered: number) =>
      store.slaRollupAdd([{ scope: app.id, minute: now - 5 * 60_000, delivered, undelivered, within: none }]);
    const eventTypes = async () => {
      const operational = await events.application();
      const page = await store.messageList(operational.id, {}, { limit: 50, order: 'ascending' });
      return page.data.map((message) => message.eventType);
    };

    await add(9, 0);
    expect(await evaluateSlas(store, events, logger, now)).toEqual({
      evaluated: 1,
      breached: 0,
      recovered: 0,
    });
    expect(await store.slaGet(app.id, sla.id)).toMatchObject({
      status: 'ok',
      budgetRemaining: 1,
      evaluatedAt: now,
    });

    await add(0, 3); // 9 of 12: 75 %
    expect(await evaluateSlas(store, events, logger, now)).toMatchObject({ breached: 1 });
    expect(await evaluateSlas(store, events, logger, now + 1000)).toMatchObject({
      breached: 0,
      recovered: 0,
    });
    expect(await eventTypes()).toEqual(['sla.breached']);
    const breached = await store.slaGet(app.id, sla.id);
    expect(breached).toMatchObject({ status: 'breached', breachedAt: now });
    expect((await store.slaListAtRisk(10)).map((s) => s.id)).toEqual([sla.id]);

    await add(30, -3); // the failing ones were delivered by retries, and more arrived: 42 of 42
    expect(await evaluateSlas(store, events, logger, now + 2000)).toMatchObject({ recovered: 1 });
    expect(await eventTypes()).toEqual(['sla.breached', 'sla.recovered']);
    const operational = await events.application();
    const [breach, recovery] = (await store.messageList(operational.id, {}, { limit: 2, order: 'ascending' }))
      .data;
    expect(breach!.payload).toMatchObject({
      type: 'sla.breached',
      data: {
        appId: app.id,
        appUid: app.uid,
        endpointId: null,
        slaId: sla.id,
        slaName: 'ninety percent',
        window: '1h',
        messages: 12,
        delivered: 9,
        successRate: { target: 90, current: 75, budgetRemaining: -150 },
        delay: null,
        status: 'breached',
      },
    });
    expect(recovery!.payload).toMatchObject({
      type: 'sla.recovered',
      data: { slaId: sla.id, breachedSince: new Date(now).toISOString(), successRate: { current: 100 } },
    });
    const audit = await store.auditList({ appId: app.id, action: 'sla.' }, { limit: 10, order: 'ascending' });
    expect(audit.data.map((record) => [record.action, record.actor, record.targetId])).toEqual([
      ['sla.breached', 'system', sla.id],
      ['sla.recovered', 'system', sla.id],
    ]);
  });
});
