/**
 * The endpoint's `adaptiveThrottling` setting through the API (on by default; create, PUT, PATCH and read
 * back), and the adaptive limit in the health report, from what workers report to the store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, apiFixture, type ApiFixture } from '../helpers/env.js';
import { client, createApp, createEndpoint, expectError, type Client } from './support.js';

describe.each(DIALECTS)('adaptiveThrottling ($name)', ({ make, skip }) => {
  const test = skip ? it.skip : it;
  let f: ApiFixture;
  let admin: Client;
  let appId: string;
  beforeAll(async () => {
    if (skip) return;
    f = await apiFixture(make);
    admin = client(f);
    appId = (await createApp(f, { name: 'Adaptive', uid: 'adaptive' })).id;
  });
  afterAll(async () => f?.close());

  test('is on by default, and is set by create, PUT and PATCH and read back', async () => {
    const created = await createEndpoint(f, appId);
    const path = `/app/${appId}/endpoint/${created.id}`;
    expect((await admin.get(path)).json().adaptiveThrottling).toBe(true);

    const patched = await admin.patch(path, { adaptiveThrottling: false });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().adaptiveThrottling).toBe(false);
    // PATCH leaves what it does not name.
    await admin.patch(path, { description: 'still off' });
    expect((await admin.get(path)).json().adaptiveThrottling).toBe(false);
    // PUT replaces the settings: left out, it is back to the default.
    const put = await admin.put(path, { url: 'https://example.com/hook' });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().adaptiveThrottling).toBe(true);

    const off = await createEndpoint(f, appId, { adaptiveThrottling: false });
    expect((await admin.get(`/app/${appId}/endpoint/${off.id}`)).json().adaptiveThrottling).toBe(false);
  });

  test('refuses a value that is not a boolean with a 4xx that names the field', async () => {
    const res = await admin.post(`/app/${appId}/endpoint`, {
      url: 'https://example.com/hook',
      adaptiveThrottling: 'sometimes',
    });
    const error = expectError(res, res.statusCode);
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(JSON.stringify(error)).toMatch(/adaptiveThrottling/);
  });

  test("sums the live workers' reported limits in the health report, with the latest reason, and charts them", async () => {
    const { id } = await createEndpoint(f, appId);
    const path = `/app/${appId}/endpoint/${id}`;
    const empty = (await admin.get(`${path}/health`)).json().adaptiveThrottling;
    expect(empty).toEqual({ enabled: true, limit: null, ceiling: null, reason: null, updatedAt: null });

    const now = Date.now();
    const minute = now - (now % 60_000);
    const report = (worker: string, at: number, limit: number, reason: string) => ({
      endpointId: id,
      worker,
      minute: at - (at % 60_000),
      limit,
      low: limit,
      high: 10,
      ceiling: 10,
      reason,
      updatedAt: at,
    });
    await f.store.endpointLimitReport([
      // A worker that went quiet ten minutes ago no longer counts.
      report('worker_gone', now - 10 * 60_000, 1, 'old'),
      report('worker_a', now - 2_000, 3, 'p95 latency 1.8 s, up from 120 ms'),
      report('worker_b', now - 5_000, 4, 'the endpoint answered 429 Too Many Requests'),
    ]);
    // A later report for the same minute rewrites the row.
    await f.store.endpointLimitReport([
      report('worker_b', now - 1_000, 2, 'the endpoint answered 503 Service Unavailable'),
    ]);
    const health = (await admin.get(`${path}/health`)).json().adaptiveThrottling;
    expect(health).toEqual({
      enabled: true,
      limit: 5,
      ceiling: 20,
      reason: 'the endpoint answered 503 Service Unavailable',
      updatedAt: new Date(now - 1_000).toISOString(),
    });

    const after = new Date(minute - 59 * 60_000).toISOString();
    const history = await admin.get(`${path}/health/adaptive-limit?after=${after}&periods=60`);
    expect(history.statusCode, history.body).toBe(200);
    const periods = history.json().data as Array<{ limit: number | null; low: number | null }>;
    expect(periods).toHaveLength(60);
    expect(periods.at(-1)).toMatchObject({ limit: 5, low: 5, high: 20, ceiling: 20 });
    expect(periods.filter((period) => period.limit !== null)).toHaveLength(2);

    expectError(
      await admin.get(`${path}/health/adaptive-limit?after=${new Date(now + 60_000).toISOString()}`),
      422,
    );
    expectError(await admin.get(`${path}/health/adaptive-limit?after=2001-01-01T00:00:00Z`), 422);
    expectError(await admin.get(`${path}/health/adaptive-limit?periods=0`), 422);

    // Off: no limit, whatever was reported before.
    await admin.patch(path, { adaptiveThrottling: false });
    expect((await admin.get(`${path}/health`)).json().adaptiveThrottling).toMatchObject({
      enabled: false,
      limit: null,
    });
    // The rows go with the endpoint's pruning.
    expect(await f.store.endpointLimitPrune(now + 60_000)).toBeGreaterThanOrEqual(3);
  });
});
