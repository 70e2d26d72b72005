import { Svix } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { apiFixture, type ApiFixture } from '../helpers/env.js';
import { client, createApp, expectError, type Client } from './support.js';

const tokenOf = (url: string) => decodeURIComponent(new URL(url).hash.replace(/^#key=/, ''));

describe('consumer portal access', () => {
  let f: ApiFixture;
  let admin: Client;
  let appId: string;
  beforeAll(async () => {
    f = await apiFixture();
    admin = client(f);
    appId = (await createApp(f, { name: 'Tenant', uid: 'tenant' })).id;
    await createApp(f, { name: 'Neighbour', uid: 'neighbour' });
  });
  afterAll(async () => f.close());

  it('returns an app-scoped token that expires in 7 days and a portal URL with a one-time token', async () => {
    const before = Date.now();
    const res = await admin.post('/auth/app-portal-access/tenant', {});
    expect(res.statusCode, res.body).toBe(200);
    const { token, url } = res.json() as { token: string; url: string };
    expect(token).toMatch(/^hk_app_/);
    expect(url).toMatch(/^http:\/\/localhost:8071\/portal#key=/);
    expect(tokenOf(url)).toMatch(/^hk_ott_/);

    const keys = (await admin.get('/api-key')).json().data as Array<Record<string, string | null>>;
    const key = keys.find((k) => token.startsWith(k.tokenPrefix!) && k.appId === appId)!;
    expect(key.name).toMatch(/portal/);
    const expires = Date.parse(key.expiresAt!);
    expect(expires - before).toBeGreaterThanOrEqual(7 * 24 * 3600 * 1000 - 1000);
    expect(expires - before).toBeLessThanOrEqual(7 * 24 * 3600 * 1000 + 5000);

    const audit = await f.store.auditList(
      { appId, action: 'api_key.created' },
      { limit: 10, order: 'descending' },
    );
    // The portal token and the link's one-time token, each recorded without the token.
    expect(audit.data).toHaveLength(2);
    const created = audit.data.find((entry) => entry.targetId === key.id)!;
    expect(created).toMatchObject({ after: { via: 'app-portal-access', kind: 'portal' } });
    const oneTime = audit.data.find((entry) => entry.targetId !== key.id)!;
    expect(oneTime).toMatchObject({ after: { via: 'app-portal-access', kind: 'one_time' } });
    expect(JSON.stringify(audit.data)).not.toContain(token);
    expect(JSON.stringify(audit.data)).not.toContain(tokenOf(url));
  });

  it('gives a token that reaches only its own application', async () => {
    const { token } = (await admin.post('/auth/app-portal-access/tenant', {})).json();
    const holder = client(f, { authorization: `Bearer ${token}` });
    const apps = (await holder.get('/app')).json().data as Array<{ id: string }>;
    expect(apps.map((a) => a.id)).toEqual([appId]);
    expect((await holder.get('/app/tenant/endpoint')).statusCode).toBe(200);
    expectError(await holder.get('/app/neighbour/endpoint'), 403, 'forbidden');
    expectError(await holder.post('/auth/app-portal-access/tenant', {}), 403, 'forbidden', /admin/);
  });

  it('honours a shorter expiry and refuses one out of range', async () => {
    const res = await admin.post('/auth/app-portal-access/tenant', { expiry: 3600 });
    expect(res.statusCode).toBe(200);
    expectError(await admin.post('/auth/app-portal-access/tenant', { expiry: 60 }), 422, 'validation');
    expectError(
      await admin.post('/auth/app-portal-access/tenant', { expiry: 8 * 24 * 3600 }),
      422,
      'validation',
    );
  });

  it('answers 404 for an unknown application, and creates it when the body carries one', async () => {
    expectError(await admin.post('/auth/app-portal-access/ghost', {}), 404, 'not_found', /ghost/);
    const res = await admin.post('/auth/app-portal-access/newcomer', {
      application: { name: 'Newcomer', uid: 'newcomer' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((await admin.get('/app/newcomer')).json()).toMatchObject({ name: 'Newcomer', uid: 'newcomer' });
  });

  it('audits a refused one-time token without the token', async () => {
    const { url } = (await admin.post('/auth/app-portal-access/tenant', {})).json() as { url: string };
    const anonymous = client(f, null);
    expect((await anonymous.post('/auth/one-time-token', { oneTimeToken: tokenOf(url) })).statusCode).toBe(
      200,
    );
    expectError(await anonymous.post('/auth/one-time-token', { oneTimeToken: tokenOf(url) }), 401);
    const failed = await f.store.auditList({ action: 'auth.failed' }, { limit: 50, order: 'descending' });
    expect(failed.data[0]).toMatchObject({
      targetId: 'POST /api/v1/auth/one-time-token',
      after: { status: 401 },
    });
    expect(JSON.stringify(failed.data)).not.toContain(tokenOf(url));
  });

  it('does not replay the token under an Idempotency-Key', async () => {
    const headers = { 'idempotency-key': 'portal-once' };
    const first = (await admin.post('/auth/app-portal-access/tenant', {}, headers)).json();
    const second = (await admin.post('/auth/app-portal-access/tenant', {}, headers)).json();
    expect(second.token).not.toBe(first.token);
  });
});

describe('consumer portal access over HTTP', () => {
  let h: RunningHerald;
  beforeAll(async () => {
    h = await startTestHerald();
  });
  afterAll(async () => h.close());

  it('works with the svix SDK and points at the port Herald listens on', async () => {
    const svix = new Svix(h.token, { serverUrl: h.url });
    const app = await svix.application.create({ name: 'Via SDK', uid: 'via-sdk' });
    const access = await svix.authentication.appPortalAccess(app.id, {});
    expect(access.url.startsWith(`${h.url}/portal#key=hk_ott_`)).toBe(true);
    const holder = new Svix(access.token, { serverUrl: h.url });
    expect((await holder.application.list()).data.map((a) => a.id)).toEqual([app.id]);
  });
});
