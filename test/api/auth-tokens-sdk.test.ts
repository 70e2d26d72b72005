/**
 * Svix's authentication routes through the official `svix` SDK where it has the call (`logout`, `expireAll`),
 * and otherwise at Svix's exact paths, on a real Herald on each dialect.
 */
import { Svix } from 'svix';
import { expect, it } from 'vitest';
import { applicationIn, describeSvix, eventually, unique } from '../svix-compat/support.js';

describeSvix('authentication tokens', (h) => {
  it('logs out a portal token through the SDK', async () => {
    const { client, herald } = h.server();
    const app = (await client.post('api/v1/app/', applicationIn(unique('logout')), 201)).id;
    const { token } = await client.post(`api/v1/auth/app-portal-access/${app}/`, {}, 200);
    const portal = new Svix(token, { serverUrl: herald.url });
    expect((await portal.application.get(app)).id).toBe(app);
    await portal.authentication.logout();
    await expect(portal.application.get(app)).rejects.toMatchObject({ code: 401 });
  });

  it("expires an application's portal tokens through the SDK, by session or all", async () => {
    const { client, herald } = h.server();
    const svix = new Svix(herald.token, { serverUrl: herald.url });
    const app = (await svix.application.create({ name: unique('expire') })).id;
    const access = (sessionId: string) => svix.authentication.appPortalAccess(app, { sessionId });
    const first = new Svix((await access('user_1')).token, { serverUrl: herald.url });
    const second = new Svix((await access('user_2')).token, { serverUrl: herald.url });

    await svix.authentication.expireAll(app, { sessionIds: ['user_1'] });
    await expect(first.application.get(app)).rejects.toMatchObject({ code: 401 });
    expect((await second.application.get(app)).id).toBe(app);

    await svix.authentication.expireAll(app, {});
    await expect(second.application.get(app)).rejects.toMatchObject({ code: 401 });
    // The admin key is untouched.
    await client.get(`api/v1/app/${app}/`);
  });

  it('answers whoami, message tokens and poller tokens at Svix paths', async () => {
    const { client } = h.server();
    const app = (await client.post('api/v1/app/', applicationIn(unique('tokens')), 201)).id;
    expect(await client.get('api/v1/auth/whoami/')).toMatchObject({ appId: null, envId: null });

    const message = await client.post(`api/v1/auth/app/${app}/create-message-token/`, { name: 'ci' }, 200);
    expect(message).toMatchObject({ name: 'ci', id: expect.any(String), createdAt: expect.any(String) });
    const endpoint = (
      await client.post(`api/v1/app/${app}/endpoint/`, { url: 'poll://feed', version: 1 }, 201)
    ).id;
    const sender = client.withToken(message.token);
    await sender.post(`api/v1/app/${app}/msg/`, { eventType: 'a.b', payload: {} }, 202);
    await sender.get(`api/v1/app/${app}/msg/`, 403);

    const poll = await client.get(`api/v1/auth/app/${app}/poller/${endpoint}/token/`);
    const poller = client.withToken(poll.token);
    await eventually(async () => {
      const page = await poller.get(`api/v1/app/${app}/poller/${endpoint}/`);
      expect(page.data).toHaveLength(1);
    });
    const rotated = await client.post(
      `api/v1/auth/app/${app}/poller/${endpoint}/token/rotate/`,
      { oldTokenExpiry: 0 },
      201,
    );
    await poller.get(`api/v1/app/${app}/poller/${endpoint}/`, 401);
    await client.withToken(rotated.token).get(`api/v1/app/${app}/poller/${endpoint}/`);
  });
});
