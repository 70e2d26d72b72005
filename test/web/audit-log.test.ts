/** The audit log screen: an admin sees who revealed and rotated a secret, and what changed. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPhoneScreens, signIn, webFixture, type WebFixture } from './fixture.js';

describe('dashboard: the audit log', () => {
  let f: WebFixture;
  let endpointId: string;
  beforeAll(async () => {
    f = await webFixture();
    await f.setup('POST', '/app', { name: 'Hooli', uid: 'hooli' });
    endpointId = (await f.setup('POST', '/app/hooli/endpoint', { url: `${f.receiver.url}/hooli` })).id;
    await signIn(f.page, f.herald.url, f.herald.token);
  });
  afterAll(async () => f?.close());

  it('lists secret reveals and rotations, filtered, with what changed', async () => {
    const { page } = f;
    await page.goto(`${f.herald.url}/apps/hooli/endpoints/${endpointId}`);
    await page.getByRole('button', { name: 'Reveal secret' }).click();
    await page.getByRole('textbox', { name: 'Signing secret' }).waitFor();
    await page.getByRole('button', { name: 'Rotate secret…' }).click();
    await page.getByRole('button', { name: 'Rotate now' }).click();
    await page.getByText(/Secret rotated/).waitFor();

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.getByLabel('Action').selectOption('endpoint.secret.');
    const rows = page.locator('table tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    await expect.poll(() => rows.nth(0).innerText()).toContain('endpoint.secret.rotated');
    expect(await rows.nth(1).innerText()).toContain('endpoint.secret.revealed');
    expect(await rows.nth(1).innerText()).toContain(endpointId);
    await page.getByRole('button', { name: 'Changes of endpoint.secret.rotated' }).click();
    await page.getByText('"gracePeriodSeconds": 86400').waitFor();
    // Secrets are never in the log.
    const secret = (await f.setup('GET', `/app/hooli/endpoint/${endpointId}/secret`)).key;
    expect(await page.content()).not.toContain(secret);
    await f.browser.screenshot('audit-log');
  });

  it('fits a phone-sized screen without sideways scrolling', async () => {
    await checkPhoneScreens(f, [['phone-audit-log', '/audit-log']]);
  });
});
