/** Port of Svix's e2e_auth.rs: application tokens, dashboard access, invalid tokens, portal access with an application. */
import { expect, it } from 'vitest';
import { appPortalAccess, applicationIn, describeSvix, unique } from './support.js';

describeSvix('e2e_auth', (h) => {
  it('test_restricted_application_access', async () => {
    const { client } = h.server();
    const app = (await client.post('api/v1/app/', applicationIn('TEST_APP_NAME'), 201)).id;
    const app2 = (await client.post('api/v1/app/', applicationIn('TEST_APP_NAME_2'), 201)).id;
    const appClient = await appPortalAccess(client, app);
    // An application token may not create, replace, delete or list applications.
    await appClient.post('api/v1/app/', applicationIn('TEST_APP_NAME'), 403);
    await appClient.put(`api/v1/app/${app}/`, applicationIn('TEST_APP_NAME'), 403);
    await appClient.delete(`api/v1/app/${app}/`, 403);
    await appClient.get('api/v1/app/', 403);
    // It reads its own application only.
    await appClient.get(`api/v1/app/${app2}/`, 404);
    await appClient.get(`api/v1/app/${app}/`, 200);
  });

  it('test_dashboard_access_without_body', async () => {
    const { client } = h.server();
    const app = (await client.post('api/v1/app/', applicationIn('TEST_APP_NAME'), 201)).id;
    const response = await fetch(`${client.baseUrl}/api/v1/auth/dashboard-access/${app}/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${client.token}` },
    });
    expect(response.status, await response.clone().text()).toBe(200);
    const body = (await response.json()) as { token: string; url: string };
    expect(typeof body.token).toBe('string');
    expect(typeof body.url).toBe('string');
  });

  it('test_invalid_auth_error_detail', async () => {
    const { client } = h.server();
    // Svix names the two failures: a token that is not one, and a JWT signing secret sent as a token. Herald's
    // keys are not JWTs, so both are an unknown key; the detail says what to send.
    for (const token of ['some-nonsense-key', 'hk_admin_notarealkey']) {
      const out = await client.withToken(token).post('api/v1/app/', applicationIn('TEST_APP_NAME'), 401);
      expect(typeof out.detail).toBe('string');
      expect(out.detail.length).toBeGreaterThan(0);
    }
  });

  it('test_app_portal_access_with_application', async () => {
    const { client } = h.server();
    const uid = unique('app-created-in-portal');
    await client.post(`api/v1/auth/app-portal-access/${uid}/`, { featureFlags: [] }, 404);
    await client.post(
      `api/v1/auth/app-portal-access/${uid}/`,
      { featureFlags: [], application: { name: 'Test App Created With Portal Access', uid } },
      200,
    );
    let app = await client.get(`api/v1/app/${uid}/`);
    expect(app.uid).toBe(uid);
    expect(app.name).toBe('Test App Created With Portal Access');
    await client.post(
      `api/v1/auth/app-portal-access/${uid}/`,
      { featureFlags: [], application: { name: 'Updated name will be ignored', uid } },
      200,
    );
    app = await client.get(`api/v1/app/${uid}/`);
    expect(app.name).toBe('Test App Created With Portal Access');
    await client.post(
      `api/v1/auth/app-portal-access/${unique('different-uid')}/`,
      { featureFlags: [], application: { name: 'Test App', uid } },
      422,
    );
    await client.post(
      `api/v1/auth/app-portal-access/${unique('new-app-uid')}/`,
      { featureFlags: [], application: { name: 'Test App Without UID' } },
      422,
    );
  });
});
