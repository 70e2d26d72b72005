/**
 * The SLA API on SQLite and PostgreSQL: create, list, read (with compliance and history from the rollups),
 * update and delete; clear 422s for settings that make no promise; the cap per application; who may do what;
 * and the admin's list of SLAs at risk.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectValidationShape } from './support.js';
import { OperationalEvents } from '../../src/delivery/operational-events.js';
import { evaluateSlas } from '../../src/services/sla-evaluator.js';
import { MAX_SLAS_PER_APPLICATION } from '../../src/api/schemas/slas.js';
import { DIALECTS, apiFixture, type ApiFixture } from '../helpers/env.js';

const none = [0, 0, 0, 0, 0, 0, 0, 0];

describe.each(DIALECTS)('SLA API ($name)', ({ make, skip }) => {
  let f: ApiFixture;
  let appId: string;
  let endpointId: string;

  beforeAll(async () => {
    if (skip) return;
    f = await apiFixture(make);
    appId = (await f.post('/app', { name: 'acme', uid: 'acme' })).id;
    endpointId = (await f.post(`/app/${appId}/endpoint`, { url: 'https://example.com/hook', uid: 'main' }))
      .id;
  });
  afterAll(async () => f?.close());

  const call = (method: string, url: string, payload?: object, headers = f.admin) =>
    f.api.inject({ method: method as 'GET', url: `/api/v1${url}`, headers, ...(payload && { payload }) });

  it.skipIf(skip)('creates, reads, lists, updates and deletes an SLA, with audit records', async () => {
    const created = await call('POST', '/app/acme/sla', {
      name: 'main endpoint',
      endpointId: 'main',
      window: '1d',
      successTarget: 99.9,
      delayTarget: 95,
      delaySeconds: 30,
    });
    expect(created.statusCode, created.body).toBe(201);
    const sla = created.json();
    expect(sla).toMatchObject({
      appId,
      endpointId,
      window: '1d',
      successTarget: 99.9,
      delayTarget: 95,
      delaySeconds: 30,
      breachedSince: null,
      compliance: {
        messages: 0,
        status: 'ok',
        budgetRemaining: 100,
        successRate: { target: 99.9, current: null },
      },
    });

    // Counts arrive through the rollups (here directly; the delivery tests write them with attempts).
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    await f.store.slaRollupAdd([
      {
        scope: endpointId,
        minute,
        delivered: 998,
        undelivered: 2,
        within: [0, 0, 0, 990, 998, 998, 998, 998],
      },
    ]);
    const read = await call('GET', `/app/acme/sla/${sla.id}`);
    expect(read.statusCode).toBe(200);
    const body = read.json();
    expect(body.compliance).toMatchObject({
      messages: 1000,
      delivered: 998,
      successRate: { target: 99.9, current: 99.8, budgetRemaining: -100 },
      delay: { thresholdSeconds: 30, target: 95, current: 99, budgetRemaining: 80 },
      status: 'breached',
    });
    expect(body.history).toHaveLength(60);
    expect(body.history.at(-1)).toMatchObject({ messages: 1000, status: 'breached' });

    const listed = await call('GET', '/app/acme/sla?endpoint_id=main');
    expect(listed.json().data.map((s: { id: string }) => s.id)).toEqual([sla.id]);

    const updated = await call('PUT', `/app/acme/sla/${sla.id}`, {
      name: 'relaxed',
      window: '1h',
      successTarget: 99,
    });
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.json()).toMatchObject({
      name: 'relaxed',
      endpointId: null,
      window: '1h',
      delayTarget: null,
      compliance: { messages: 0 },
    });

    expect((await call('DELETE', `/app/acme/sla/${sla.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/app/acme/sla/${sla.id}`)).statusCode).toBe(404);
    const audit = await f.store.auditList({ appId, action: 'sla.' }, { limit: 10, order: 'ascending' });
    expect(audit.data.map((record) => record.action)).toEqual(['sla.created', 'sla.updated', 'sla.deleted']);
  });

  it.skipIf(skip)('answers 422 to settings that make no clear promise', async () => {
    const cases: Array<[object, RegExp]> = [
      [{ name: 'x', window: '1d' }, /needs a target/],
      [{ name: 'x', window: '1d', delayTarget: 95 }, /go together/],
      [
        { name: 'x', window: '1d', delayTarget: 95, delaySeconds: 7 },
        /one of 1, 5, 10, 30, 60, 300, 900, 3600/,
      ],
      [{ name: 'x', window: '1d', successTarget: 100 }, /successTarget/],
      [{ name: 'x', window: '2d', successTarget: 99 }, /window/],
      [
        { name: 'x', window: '1d', successTarget: 99, endpointId: 'nope' },
        /not an endpoint of this application/,
      ],
    ];
    for (const [payload, detail] of cases) {
      const answer = await call('POST', '/app/acme/sla', payload);
      expect(answer.statusCode, answer.body).toBe(422);
      expect(expectValidationShape(answer.json()).text).toMatch(detail);
    }
  });

  it.skipIf(skip)('caps the SLAs of an application', async () => {
    const uid = 'capped';
    await f.post('/app', { name: uid, uid });
    for (let i = 0; i < MAX_SLAS_PER_APPLICATION; i++)
      expect(
        (await call('POST', `/app/${uid}/sla`, { name: `s${i}`, window: '1h', successTarget: 90 }))
          .statusCode,
      ).toBe(201);
    const over = await call('POST', `/app/${uid}/sla`, { name: 'one more', window: '1h', successTarget: 90 });
    expect(over.statusCode).toBe(422);
    expect(expectValidationShape(over.json()).text).toMatch(/at most 20 SLAs/);
  });

  it.skipIf(skip)(
    "lets an application's own key manage its SLAs, and only admins see those at risk",
    async () => {
      const other = (await f.post('/app', { name: 'other', uid: 'other' })).id;
      const own = await f.appKey(appId);
      const created = await call(
        'POST',
        '/app/acme/sla',
        { name: 'own', window: '1h', successTarget: 50 },
        own,
      );
      expect(created.statusCode).toBe(201);
      expect((await call('GET', `/app/acme/sla/${created.json().id}`, undefined, own)).statusCode).toBe(200);
      expect((await call('GET', `/app/${other}/sla`, undefined, own)).statusCode).toBe(403);
      expect((await call('GET', '/sla/at-risk', undefined, own)).statusCode).toBe(403);
      expect(
        (await call('GET', `/app/acme/sla/${created.json().id}`, undefined, await f.appKey(other)))
          .statusCode,
      ).toBe(403);

      await f.store.slaRollupAdd([
        {
          scope: appId,
          minute: Math.floor(Date.now() / 60_000) * 60_000,
          delivered: 1,
          undelivered: 3,
          within: none,
        },
      ]);
      const logger = pino({ level: 'silent' });
      await evaluateSlas(f.store, new OperationalEvents(f.store, logger, () => {}), logger);
      const atRisk = await call('GET', '/sla/at-risk');
      expect(atRisk.statusCode).toBe(200);
      const found = atRisk.json().data.find((s: { id: string }) => s.id === created.json().id);
      expect(found).toMatchObject({
        appId,
        compliance: { status: 'breached', successRate: { current: 25 } },
        breachedSince: expect.any(String),
        evaluatedAt: expect.any(String),
      });
    },
  );
});
