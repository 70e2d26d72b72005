/** Svix's throttling status of an endpoint, an application's alert emails and the environment's settings. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, DIALECTS, type ApiFixture } from '../helpers/env.js';
import { client, createApp, createEndpoint, expectError, seedMessage, type Client } from './support.js';

for (const dialect of DIALECTS)
  describe.skipIf(dialect.skip)(`throttling status, alert emails, settings (${dialect.name})`, () => {
    let f: ApiFixture;
    let admin: Client;
    let appId: string;
    beforeAll(async () => {
      f = await apiFixture(dialect.make);
      admin = client(f);
      appId = (await createApp(f, { name: 'Tenant', uid: 'tenant' })).id;
    });
    afterAll(async () => f.close());

    it('says Ok until the rate limit holds waiting deliveries back', async () => {
      const endpoint = await createEndpoint(f, 'tenant', { uid: 'slow', throttleRate: 2 });
      const path = `/app/tenant/endpoint/slow/rate-limit-status`;
      expect((await admin.get(path)).json()).toMatchObject({
        status: 'Ok',
        throttledSince: null,
        throttleRate: 2,
        tokens: 2,
        pending: 0,
      });
      await seedMessage(f, appId, { endpointIds: [endpoint.id] });
      // The bucket is full: the waiting delivery can go.
      expect((await admin.get(path)).json()).toMatchObject({ status: 'Ok', pending: 1 });
      // The worker empties the bucket (stamped a minute ahead, so no token comes back during the test).
      expect(await f.store.endpointTakeTokens(endpoint.id, 2, 2, Date.now() + 60_000)).toBe(2);
      const held = (await admin.get(path)).json();
      expect(held).toMatchObject({ status: 'RateLimited', pending: 1 });
      expect(held.tokens).toBe(0);
      expectError(await admin.get('/app/tenant/endpoint/ghost/rate-limit-status'), 404);
    });

    it('stores alert emails, and clears them', async () => {
      const res = await admin.patch('/app/tenant/alert-email', { email: 'a@example.com, b@example.org' });
      expect(res.statusCode, res.body).toBe(204);
      expect((await admin.get('/app/tenant/alert-email')).json()).toEqual({
        email: 'a@example.com, b@example.org',
      });
      const bad = await admin.patch('/app/tenant/alert-email', { email: 'a@example.com, nonsense' });
      expect(bad.statusCode).toBe(422);
      expect(bad.body).toContain('email');
      expect((await admin.patch('/app/tenant/alert-email', { email: null })).statusCode).toBe(204);
      expect((await admin.get('/app/tenant/alert-email')).json()).toEqual({ email: null });
      const audit = await f.store.auditList(
        { appId, action: 'application.alert_email.changed' },
        { limit: 10, order: 'descending' },
      );
      expect(audit.data).toHaveLength(2);
    });

    it('describes the environment to any key', async () => {
      const scoped = client(f, await f.appKey(appId));
      const settings = (await scoped.get('/environment/settings')).json();
      expect(settings).toMatchObject({
        enableChannels: true,
        enableEndpointOauthConfig: true,
        showSvixBrandFooter: false,
        advancedEndpointTypes: [],
      });
      expect(typeof settings.enableTransformations).toBe('boolean');
    });
  });
