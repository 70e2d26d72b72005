/**
 * The application's privacy settings in the dashboard: an admin sets redaction rules (a bad one is refused with
 * the server's reason), a payload retention and response-body storage; the endpoint still receives the real
 * payload, and an application key (as the consumer portal uses) sees the redacted fields and cannot change them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser.js';
import { signIn, webFixture, type WebFixture } from './fixture.js';

const PAYLOAD = {
  orderId: 7,
  customer: { email: 'ada@example.com', name: 'Ada' },
  card_number: '4242424242424242',
};

describe('dashboard: privacy settings', () => {
  let f: WebFixture;
  beforeAll(async () => {
    f = await webFixture();
    await f.setup('POST', '/event-type', { name: 'order.created', description: 'An order was placed' });
    await f.setup('POST', '/app', { name: 'Hooli', uid: 'hooli' });
    await f.setup('POST', '/app/hooli/endpoint', { url: `${f.receiver.url}/hooli` });
    await signIn(f.page, f.herald.url, f.herald.token);
  });
  afterAll(async () => f?.close());

  it('sets redaction rules, naming a bad one, with retention and response bodies', async () => {
    const { page } = f;
    await page.goto(`${f.herald.url}/apps/hooli/security`);
    const card = page.getByRole('region', { name: 'Privacy' });
    await card.getByText('None').waitFor();
    await card.getByRole('button', { name: 'Change privacy settings…' }).click();
    await card.getByLabel("Use the platform's redaction rules").uncheck();
    await card.getByLabel('Redaction rules', { exact: true }).fill('payload.customer.email\ncustomer..email');
    await card.getByRole('button', { name: 'Save privacy settings' }).click();
    await card
      .getByRole('alert')
      .getByText(/redactionRules\[1\] "customer\.\.email" has an empty segment/)
      .waitFor();
    await card.getByLabel('Redaction rules', { exact: true }).fill('payload.customer.email\n*.card_number');
    await card.getByLabel('Keep payloads for (hours)').fill('a day');
    await card.getByText('enter a whole number of hours, or nothing').waitFor();
    await card.getByLabel('Keep payloads for (hours)').fill('24');
    await card.getByLabel('Store response bodies').uncheck();
    await card.getByRole('button', { name: 'Save privacy settings' }).click();
    await card.getByText('Privacy settings saved.').waitFor();
    const rules = card.getByRole('list', { name: 'Redaction rules' });
    await expect
      .poll(() => rules.getByRole('listitem').allTextContents())
      .toEqual(['payload.customer.email', '*.card_number']);
    await card.getByText('24 hours after their deliveries are settled').waitFor();
    await card.getByText('not stored').waitFor();
    await f.browser.screenshot('privacy-settings');
    expect(await f.setup('GET', '/app/hooli/privacy')).toEqual({
      redactionRules: ['payload.customer.email', '*.card_number'],
      effectiveRedactionRules: ['payload.customer.email', '*.card_number'],
      payloadRetentionHours: 24,
      storeResponseBodies: false,
    });
  });

  it('shows an application key the redacted payload, while the endpoint gets the real one', async () => {
    await f.setup('POST', '/app/hooli/msg', { eventType: 'order.created', payload: PAYLOAD });
    const [request] = await f.receiver.waitFor(1);
    expect(JSON.parse(request!.body)).toEqual(PAYLOAD);
    const key = await f.setup('POST', '/api-key', { name: 'hooli portal', appId: 'hooli' });

    const customer = await launchBrowser();
    try {
      const portal = customer.page;
      await signIn(portal, f.herald.url, key.token);
      await portal.goto(`${f.herald.url}/apps/hooli/deliveries`);
      const row = portal.locator('table.deliveries tbody tr').first();
      await row.getByText('Succeeded').waitFor({ timeout: 10_000 });
      await row.getByRole('button', { name: /Details/ }).click();
      await portal.getByText(/"email": "\[redacted\]"/).waitFor();
      await portal.getByText(/"card_number": "\[redacted\]"/).waitFor();
      const content = await portal.content();
      expect(content).not.toContain('ada@example.com');
      expect(content).not.toContain('4242424242424242');
      await customer.screenshot('privacy-portal-redacted');

      await portal.goto(`${f.herald.url}/apps/hooli/security`);
      const card = portal.getByRole('region', { name: 'Privacy' });
      await card.getByText(/only an admin key can change what is redacted and kept/).waitFor();
      expect(await card.getByRole('button', { name: 'Change privacy settings…' }).count()).toBe(0);
    } finally {
      await customer.close();
    }
  });
});
