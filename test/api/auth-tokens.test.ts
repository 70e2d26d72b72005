/**
 * Svix's authentication routes: whoami, logout, expire-all, message tokens, poller tokens and one-time tokens.
 * Each token is shown once, reaches only what its kind allows, and stops working when ended or expired.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiFixture, DIALECTS, type ApiFixture } from '../helpers/env.js';
import { client, createApp, createEndpoint, expectError, type Client } from './support.js';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A 4xx whose body names the field, whatever the error shape. */
function expectFieldError(res: { statusCode: number; body: string }, field: string) {
  expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
  expect(res.statusCode, res.body).toBeLessThan(500);
  expect(res.body).toContain(field);
}

for (const dialect of DIALECTS) {
  describe.skipIf(dialect.skip)(`authentication routes (${dialect.name})`, () => {
    let f: ApiFixture;
    let admin: Client;
    let appId: string;
    beforeAll(async () => {
      f = await apiFixture(dialect.make);
      admin = client(f);
      appId = (await createApp(f, { name: 'Tenant', uid: 'tenant' })).id;
      await createApp(f, { name: 'Neighbour', uid: 'neighbour' });
    });
    afterAll(async () => f.close());
    afterEach(() => vi.useRealTimers());

    const portalToken = async (body: object = {}) =>
      (await admin.post('/auth/app-portal-access/tenant', body)).json().token as string;

    it('says who a token is', async () => {
      const me = (await admin.get('/auth/whoami')).json();
      expect(me).toMatchObject({ appId: null, permissionSource: 'GlobalAuthToken', kind: 'key' });
      const portal = client(f, bearer(await portalToken({ sessionId: 'user_1' })));
      expect((await portal.get('/auth/whoami')).json()).toMatchObject({
        appId,
        permissionSource: 'SvixJwt',
        kind: 'portal',
        sessionId: 'user_1',
      });
      expectError(await client(f, null).get('/auth/whoami'), 401);
    });

    it('logs out the calling application token, and refuses to log out an admin key', async () => {
      const token = await portalToken();
      const portal = client(f, bearer(token));
      expect((await portal.get('/app/tenant')).statusCode).toBe(200);
      expect((await portal.post('/auth/logout')).statusCode).toBe(204);
      expectError(await portal.get('/app/tenant'), 401, 'authentication_failed', /revoked/);
      expectError(await admin.post('/auth/logout'), 403, 'forbidden', /api-key/);
      expect((await admin.get('/auth/whoami')).statusCode).toBe(200);
    });

    it("expires an application's portal tokens, all or by session, and leaves other keys alone", async () => {
      const first = client(f, bearer(await portalToken({ sessionId: 'user_a' })));
      const second = client(f, bearer(await portalToken({ sessionId: 'user_b' })));
      const managed = client(f, await f.appKey(appId));
      const neighbour = client(
        f,
        bearer((await admin.post('/auth/app-portal-access/neighbour', {})).json().token),
      );

      const bySession = await admin.post('/auth/app/tenant/expire-all', { sessionIds: ['user_a'] });
      expect(bySession.statusCode, bySession.body).toBe(204);
      expectError(await first.get('/app/tenant'), 401, 'authentication_failed', /expired/);
      expect((await second.get('/app/tenant')).statusCode).toBe(200);

      // Later: 60 seconds from now.
      expect((await admin.post('/auth/app/tenant/expire-all', { expiry: 60 })).statusCode).toBe(204);
      expect((await second.get('/app/tenant')).statusCode).toBe(200);
      const me = (await second.get('/auth/whoami')).json();
      expect(Date.parse(me.expiresAt) - Date.now()).toBeLessThanOrEqual(60_000);

      // No body: at once.
      expect((await admin.post('/auth/app/tenant/expire-all')).statusCode).toBe(204);
      expectError(await second.get('/app/tenant'), 401, 'authentication_failed', /expired/);
      expect((await managed.get('/app/tenant')).statusCode).toBe(200);
      expect((await neighbour.get('/app/neighbour')).statusCode).toBe(200);

      const audit = await f.store.auditList(
        { appId, action: 'api_key.expired_all' },
        { limit: 10, order: 'descending' },
      );
      expect(audit.data[0]).toMatchObject({ targetId: appId });
      expectError(await managed.post('/auth/app/tenant/expire-all', {}), 403, 'forbidden');
      expectFieldError(await admin.post('/auth/app/tenant/expire-all', { expiry: 999_999 }), 'expiry');
      expectFieldError(
        await admin.post('/auth/app/tenant/expire-all', { sessionIds: ['not a session'] }),
        'sessionIds',
      );
      expectError(await admin.post('/auth/app/ghost/expire-all', {}), 404);
    });

    it('makes a message token that may only create messages in its application, shown once', async () => {
      const res = await admin.post('/auth/app/tenant/create-message-token', { name: 'billing', expiry: 60 });
      expect(res.statusCode, res.body).toBe(200);
      const out = res.json();
      expect(out).toMatchObject({ name: 'billing', scopes: ['message.create'] });
      expect(out.token).toMatch(/^hk_msg_/);
      const holder = client(f, bearer(out.token));
      const sent = await holder.post('/app/tenant/msg', { eventType: 'user.signup', payload: { a: 1 } });
      expect(sent.statusCode, sent.body).toBe(202);
      expectError(await holder.get('/app/tenant/msg'), 403, 'forbidden', /message token/);
      expectError(await holder.get('/app/tenant'), 403, 'forbidden');
      expectError(await holder.post('/app/neighbour/msg', { eventType: 'a', payload: {} }), 403);
      expectError(await holder.post('/auth/app/tenant/create-message-token', { name: 'x' }), 403);
      expect((await holder.get('/auth/whoami')).json()).toMatchObject({ kind: 'message', appId });

      // Shown once: the key list and the audit log have its prefix at most.
      const keys = JSON.stringify((await admin.get('/api-key')).json());
      expect(keys).not.toContain(out.token);
      const audit = await f.store.auditList({ appId }, { limit: 100, order: 'descending' });
      expect(JSON.stringify(audit)).not.toContain(out.token);

      // Expired after its minute.
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 61_000);
      expectError(
        await holder.post('/app/tenant/msg', { eventType: 'a', payload: {} }),
        401,
        'authentication_failed',
        /expired/,
      );
      vi.useRealTimers();

      expectFieldError(await admin.post('/auth/app/tenant/create-message-token', {}), 'name');
      expectFieldError(
        await admin.post('/auth/app/tenant/create-message-token', { name: 'x', expiry: 0 }),
        'expiry',
      );
      expectError(
        await client(f, await f.appKey(appId)).post('/auth/app/tenant/create-message-token', { name: 'x' }),
        403,
      );
    });

    it("makes a poller token that polls only its endpoint's feed, and rotates it", async () => {
      const endpoint = await createEndpoint(f, 'tenant', { uid: 'feed' });
      const other = await createEndpoint(f, 'tenant');
      const first = await admin.get(`/auth/app/tenant/poller/${endpoint.id}/token`);
      expect(first.statusCode, first.body).toBe(200);
      const token = first.json().token as string;
      expect(token).toMatch(/^hk_poll_/);
      expect(first.json().scopes).toEqual(['poller.read']);
      // Shown once: a second read describes the same token by its prefix.
      const again = (await admin.get(`/auth/app/tenant/poller/feed/token`)).json();
      expect(again.id).toBe(first.json().id);
      expect(again.token).not.toBe(token);
      expect(again.token.endsWith('…')).toBe(true);
      expect(token.startsWith(again.token.slice(0, -1))).toBe(true);

      const poller = client(f, bearer(token));
      expect((await poller.get(`/app/tenant/poller/${endpoint.id}`)).statusCode).toBe(200);
      expect((await poller.get(`/app/tenant/poller/feed/consumer/c1`)).statusCode).toBe(200);
      expectError(await poller.get(`/app/tenant/poller/${other.id}`), 403, 'forbidden', /poller token/);
      expectError(await poller.get('/app/tenant/msg'), 403, 'forbidden', /poller token/);
      expectError(await poller.get(`/app/tenant/endpoint/${endpoint.id}`), 403);
      expectError(await poller.get(`/auth/app/tenant/poller/${endpoint.id}/token`), 403);
      expectError(await poller.get('/app/neighbour/poller/feed'), 403);

      // Rotation: the old token keeps working for the grace period, then a rotation with 0 ends it.
      const rotated = await admin.post(`/auth/app/tenant/poller/${endpoint.id}/token/rotate`, {});
      expect(rotated.statusCode, rotated.body).toBe(201);
      const next = rotated.json().token as string;
      expect(next).toMatch(/^hk_poll_/);
      expect((await poller.get(`/app/tenant/poller/${endpoint.id}`)).statusCode).toBe(200);
      expect((await admin.get(`/auth/app/tenant/poller/feed/token`)).json().id).toBe(rotated.json().id);
      const last = await admin.post(`/auth/app/tenant/poller/${endpoint.id}/token/rotate`, {
        oldTokenExpiry: 0,
        expiry: 3600,
      });
      expect(last.statusCode).toBe(201);
      expectError(await poller.get(`/app/tenant/poller/${endpoint.id}`), 401, 'authentication_failed');
      expectError(await client(f, bearer(next)).get(`/app/tenant/poller/feed`), 401);
      expect((await client(f, bearer(last.json().token)).get(`/app/tenant/poller/feed`)).statusCode).toBe(
        200,
      );

      expectFieldError(
        await admin.post(`/auth/app/tenant/poller/feed/token/rotate`, { oldTokenExpiry: 100_000 }),
        'oldTokenExpiry',
      );
      expectError(await admin.get(`/auth/app/tenant/poller/ghost/token`), 404);
      // A deleted endpoint's token reaches nothing.
      expect((await admin.del(`/app/tenant/endpoint/${endpoint.id}`)).statusCode).toBe(204);
      expectError(await client(f, bearer(last.json().token)).get(`/app/tenant/poller/feed`), 403);
    });

    const linkOf = async (body: object = {}) => {
      const res = await admin.post('/auth/app-portal-access/tenant', body);
      expect(res.statusCode, res.body).toBe(200);
      const { token, url } = res.json() as { token: string; url: string };
      return { token, oneTime: decodeURIComponent(new URL(url).hash.replace(/^#key=/, '')) };
    };

    it("exchanges a portal link's one-time token once, for a portal token", async () => {
      const { token: portal, oneTime } = await linkOf({ sessionId: 'user_ott', expiry: 7200 });
      expect(oneTime).toMatch(/^hk_ott_/);
      expect(oneTime).not.toBe(portal);
      // The one-time token itself reaches nothing.
      expectError(
        await client(f, bearer(oneTime)).get('/app/tenant'),
        401,
        'authentication_failed',
        /one-time/,
      );
      const anonymous = client(f, null);
      const res = await anonymous.post('/auth/one-time-token', { oneTimeToken: oneTime });
      expect(res.statusCode, res.body).toBe(200);
      const exchanged = res.json().token as string;
      expect(exchanged).toMatch(/^hk_app_/);
      const me = (await client(f, bearer(exchanged)).get('/auth/whoami')).json();
      const original = (await client(f, bearer(portal)).get('/auth/whoami')).json();
      expect(me).toMatchObject({ appId, kind: 'portal', sessionId: 'user_ott' });
      // The session lasts as long as the portal token the link was made with, not the one-time token's minutes.
      expect(me.expiresAt).toBe(original.expiresAt);
      expectError(
        await anonymous.post('/auth/one-time-token', { oneTimeToken: oneTime }),
        401,
        'authentication_failed',
        /used already/,
      );
      expectError(await anonymous.post('/auth/one-time-token', { oneTimeToken: f.adminToken }), 401);
      expectFieldError(await anonymous.post('/auth/one-time-token', {}), 'oneTimeToken');

      const audit = await f.store.auditList(
        { appId, action: 'api_key.exchanged' },
        { limit: 10, order: 'descending' },
      );
      expect(audit.data).toHaveLength(1);
      expect(audit.data[0]!.after).toMatchObject({ via: 'one-time-token', granted: true });
      expect(JSON.stringify(audit.data)).not.toContain(oneTime);
    });

    it('refuses a one-time token after ten minutes', async () => {
      const { oneTime } = await linkOf();
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 10 * 60_000 + 1000);
      expectError(
        await client(f, null).post('/auth/one-time-token', { oneTimeToken: oneTime }),
        401,
        'authentication_failed',
        /expired/,
      );
    });

    it('refuses a one-time token whose portal token was revoked or expired', async () => {
      const revokedLink = await linkOf();
      const keyId = (await client(f, bearer(revokedLink.token)).get('/auth/whoami')).json().keyId as string;
      expect((await admin.del(`/api-key/${keyId}`)).statusCode).toBe(204);
      expectError(
        await client(f, null).post('/auth/one-time-token', { oneTimeToken: revokedLink.oneTime }),
        401,
      );
      const expiredLink = await linkOf();
      expect((await admin.post('/auth/app/tenant/expire-all', {})).statusCode).toBe(204);
      expectError(
        await client(f, null).post('/auth/one-time-token', { oneTimeToken: expiredLink.oneTime }),
        401,
      );
    });
  });
}
