/**
 * Secrets and the consumer portal: reveal (audited) and rotate a signing secret, hand a customer a portal link
 * that shows only their application, enable, disable and delete, and the same screens at phone width.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { launchBrowser } from './browser.js';
import { checkPhoneScreens, signIn, webFixture, type WebFixture } from './fixture.js';

describe('dashboard: secrets and the consumer portal', () => {
  let f: WebFixture;
  let endpointId: string;
  let otherAppId: string;
  beforeAll(async () => {
    f = await webFixture();
    await f.setup('POST', '/event-type', { name: 'user.created', description: 'A user signed up' });
    await f.setup('POST', '/app', { name: 'Initech', uid: 'initech' });
    otherAppId = (await f.setup('POST', '/app', { name: 'Umbrella', uid: 'umbrella' })).id;
    await f.setup('POST', '/app/umbrella/endpoint', { url: `${f.receiver.url}/umbrella` });
    endpointId = (await f.setup('POST', '/app/initech/endpoint', { url: `${f.receiver.url}/initech` })).id;
    await signIn(f.page, f.herald.url, f.herald.token);
  });
  afterAll(async () => f?.close());

  it('reveals the signing secret, which the audit log records', async () => {
    const { page } = f;
    await page.goto(`${f.herald.url}/apps/initech/endpoints/${endpointId}`);
    await page.getByRole('button', { name: 'Reveal secret' }).click();
    const shown = await page.getByRole('textbox', { name: 'Signing secret' }).inputValue();
    const actual = (await f.herald.call('GET', `/app/initech/endpoint/${endpointId}/secret`)).body.key;
    expect(shown).toBe(actual);
    expect(shown).toMatch(/^whsec_/);
    const audit = await f.herald.herald.store.auditList(
      { action: 'endpoint.secret.revealed' },
      { limit: 10, order: 'descending' },
    );
    // One reveal by the dashboard, one by this test.
    expect(audit.data).toHaveLength(2);
  });

  it('rotates the secret with a grace period: both secrets sign until it ends', async () => {
    const { page } = f;
    const before = await page.getByRole('textbox', { name: 'Signing secret' }).inputValue();
    await page.getByRole('button', { name: 'Rotate secret…' }).click();
    await page.getByLabel('Keep the old secret signing for').selectOption({ label: '1 hour' });
    await page.getByRole('button', { name: 'Rotate now' }).click();
    await page
      .getByText(/Secret rotated. The old secret keeps signing beside the new one for 1 hour/)
      .waitFor();
    await expect.poll(() => page.getByRole('textbox', { name: 'Signing secret' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Reveal secret' }).click();
    const after = await page.getByRole('textbox', { name: 'Signing secret' }).inputValue();
    expect(after).not.toBe(before);

    await page.getByRole('button', { name: 'Send test event' }).click();
    await page
      .locator('.test-result')
      .getByText(/HTTP 200/)
      .waitFor();
    const [request] = await f.receiver.waitFor(1);
    const headers = request!.headers as Record<string, string>;
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    // A receiver with either secret accepts the webhook.
    for (const secret of [before, after])
      expect(() => new Webhook(secret).verify(request!.body, headers)).not.toThrow();
    await f.browser.screenshot('secret-rotated');
  });

  it('hands out a portal link that signs a browser in to that one application', async () => {
    const { page } = f;
    await page.goto(`${f.herald.url}/apps/initech`);
    await page.getByText('Consumer portal link').click();
    await page.getByRole('button', { name: 'Create portal link' }).click();
    const link = await page.getByLabel('Portal link').inputValue();
    // The link carries a one-time token, which the portal page exchanges for the portal token.
    expect(link).toMatch(new RegExp(`^${f.herald.url}/portal#key=hk_ott_`));

    const customer = await launchBrowser();
    try {
      const portal = customer.page;
      await portal.goto(link);
      await portal.getByRole('heading', { name: 'Initech' }).waitFor();
      await portal.getByText('Webhooks portal').waitFor();
      // The token does not stay in the address bar or the history.
      expect(portal.url()).not.toContain('key=');
      expect(await portal.getByRole('link', { name: 'Applications' }).count()).toBe(0);
      expect(await portal.getByRole('button', { name: 'Delete application' }).count()).toBe(0);
      await portal.getByRole('link', { name: `${f.receiver.url}/initech` }).waitFor();
      await customer.screenshot('portal');
      // Another application is out of reach, and its endpoint never shows.
      await portal.goto(`${f.herald.url}/apps/${otherAppId}`);
      await portal
        .getByRole('alert')
        .filter({ hasText: /scoped to application/ })
        .first()
        .waitFor();
      expect(await portal.getByText(`${f.receiver.url}/umbrella`).count()).toBe(0);
      // The catalogue is readable but not editable.
      await portal.getByRole('link', { name: 'Event types' }).click();
      await portal.getByRole('link', { name: 'user.created' }).waitFor();
      expect(await portal.getByRole('link', { name: 'New event type' }).count()).toBe(0);
      // Revoking the session's key signs the customer out, with a message that says what to do.
      const keys = (await f.setup('GET', '/api-key')).data as Array<{ id: string; name: string }>;
      const key = keys.find((k) => k.name.includes('(opened by link)'))!;
      await f.setup('DELETE', `/api-key/${key.id}`);
      await portal.reload();
      await portal.getByText(/This portal link no longer works .*revoked.*ask whoever sent it/).waitFor();
      // The link works once: opened again, it says so.
      await portal.goto(link);
      await portal
        .getByText('This portal link has expired or was already used. Ask whoever sent it')
        .waitFor();
      expect(portal.url()).not.toContain('key=');
      // A link that carries the portal key itself, as older links did, still signs in.
      const { token } = await f.setup('POST', '/auth/app-portal-access/initech', {});
      await portal.goto('about:blank');
      await portal.goto(`${f.herald.url}/portal#key=${encodeURIComponent(token)}`);
      await portal.getByRole('heading', { name: 'Initech' }).waitFor();
    } finally {
      await customer.close();
    }
  });

  it('disables and enables an endpoint, and renames and deletes an application', async () => {
    const { page } = f;
    await page.goto(`${f.herald.url}/apps/umbrella`);
    await page.getByRole('link', { name: `${f.receiver.url}/umbrella` }).click();
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByText(/Endpoint disabled/).waitFor();
    const endpoint = (await f.setup('GET', '/app/umbrella/endpoint')).data[0];
    expect(endpoint.disabled).toBe(true);
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByText('Endpoint enabled.').waitFor();
    expect((await f.setup('GET', `/app/umbrella/endpoint/${endpoint.id}`)).disabled).toBe(false);
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Delete endpoint' }).click();
    await page.getByText('No endpoints yet.').waitFor();
    expect((await f.herald.call('GET', `/app/umbrella/endpoint/${endpoint.id}`)).status).toBe(404);

    await page.getByRole('link', { name: 'Umbrella' }).first().click();
    await page.getByRole('link', { name: 'Edit application' }).click();
    await page.getByLabel('Name').fill('Umbrella Corp');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Umbrella Corp' }).waitFor();
    await page.getByRole('button', { name: 'Delete application' }).click();
    await page.getByRole('button', { name: 'Delete for good' }).click();
    await page.getByRole('heading', { name: 'Applications' }).waitFor();
    expect((await f.herald.call('GET', '/app/umbrella')).status).toBe(404);
  });

  it('fits a phone-sized screen without sideways scrolling', async () => {
    await checkPhoneScreens(f, [
      ['phone-apps', '/'],
      ['phone-endpoint', `/apps/initech/endpoints/${endpointId}`],
      ['phone-deliveries', '/apps/initech/deliveries'],
      ['phone-endpoint-form', `/apps/initech/endpoints/${endpointId}/edit`],
    ]);
  });
});
