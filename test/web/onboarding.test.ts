/**
 * The path of someone new to Herald: sign in, describe an event type, create an application and an endpoint
 * that subscribes to it, send a test event and watch it arrive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPhoneScreens, webFixture, type WebFixture } from './fixture.js';

describe('dashboard: from sign-in to a delivered test event', () => {
  let f: WebFixture;
  beforeAll(async () => {
    f = await webFixture();
  });
  afterAll(async () => f?.close());

  it('refuses a wrong key with a message that says what to do, then signs in with the keyboard', async () => {
    const { page } = f;
    await page.goto(f.herald.url);
    await page.getByLabel('API key').fill('hk_admin_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /not valid/ })
      .waitFor();
    await f.browser.screenshot('sign-in-error');

    await page.getByLabel('API key').fill(f.herald.token);
    await page.getByLabel('API key').press('Enter');
    await page.getByRole('heading', { name: 'Applications' }).waitFor();
    await page.getByText('No applications yet.').waitFor();
    // The key survives a reload (sessionStorage), and the address is served by the dashboard.
    await page.reload();
    await page.getByRole('heading', { name: 'Applications' }).waitFor();
  });

  it('creates an event type whose schema and example are checked as you type', async () => {
    const { page } = f;
    await page.getByRole('link', { name: 'Event types' }).click();
    await page.getByRole('link', { name: 'New event type' }).click();
    await page.getByLabel('Name').fill('invoice.paid');
    await page.getByLabel('Description').fill('An invoice was paid');
    await page.getByRole('button', { name: 'Add a schema' }).click();
    const schema = page.getByLabel('JSON Schema (version 1)');
    const example = page.getByLabel('Example payload (version 1)');
    await schema.fill('{"type": "object", "properties": {"amount": {"type": "integr"}}');
    await page.getByText(/not valid JSON at line 1/).waitFor();
    await schema.fill('{"type": "object", "properties": {"amount": {"type": "integr"}}}');
    await page.getByText(/"integr" is not a type/).waitFor();
    await schema.fill(
      '{"type": "object", "properties": {"invoiceId": {"type": "string"}, "amount": {"type": "integer"}}, "required": ["invoiceId"]}',
    );
    await example.fill('{"amount": 12}');
    await page.getByText(/the example does not match the schema/).waitFor();
    await example.fill('{"invoiceId": "inv_42", "amount": 1200}');
    await page.getByText('The schema is valid and the example matches it.').waitFor();
    await f.browser.screenshot('event-type-editor');
    await page.getByRole('button', { name: 'Create event type' }).click();
    await page.getByRole('heading', { name: 'invoice.paid' }).waitFor();

    const saved = await f.herald.call('GET', '/event-type/invoice.paid');
    expect(saved.body).toMatchObject({
      description: 'An invoice was paid',
      schemas: { '1': { required: ['invoiceId'], examples: [{ invoiceId: 'inv_42', amount: 1200 }] } },
    });
    // The same editor changes it.
    await page.getByLabel('Description').fill('An invoice was paid in full');
    await page.getByRole('button', { name: 'Save event type' }).click();
    await page.getByText('Saved.', { exact: true }).waitFor();
    expect((await f.setup('GET', '/event-type/invoice.paid')).description).toBe(
      'An invoice was paid in full',
    );
    await f.herald.call('POST', '/event-type', {
      name: 'invoice.voided',
      description: 'An invoice was voided',
      deprecated: true,
    });
  });

  it('creates an application and an endpoint with event types, validating the form as you type', async () => {
    const { page } = f;
    await page.getByRole('link', { name: 'Applications' }).click();
    await page.getByRole('link', { name: 'New application' }).click();
    await page.getByLabel('Name').fill('Acme Inc.');
    await page.getByLabel('UID (optional)').fill('acme corp');
    await page.getByText(/may use only letters, digits/).waitFor();
    await page.getByLabel('UID (optional)').fill('acme');
    await page.getByRole('button', { name: 'Create application' }).click();
    await page.getByRole('heading', { name: 'Acme Inc.' }).waitFor();
    await page.getByText('No endpoints yet.').waitFor();

    await page.getByRole('link', { name: 'Add endpoint' }).click();
    const url = page.getByLabel('URL', { exact: true });
    await url.fill('ftp://example.com');
    await page.getByText('the URL must start with https:// or http://').waitFor();
    await url.fill(`${f.receiver.url}/hooks`);
    await page.getByText('Deprecated').waitFor();
    await page.getByText('An invoice was paid in full').waitFor();
    await page.getByRole('button', { name: 'Show example of invoice.paid' }).click();
    await page
      .getByLabel('Example of invoice.paid')
      .getByText(/"invoiceId": "inv_42"/)
      .waitFor();
    await page.getByRole('checkbox', { name: /invoice\.paid/ }).check();
    await page.getByLabel('Timeout (seconds)').fill('90');
    await page.getByText('must be from 1 to 60').waitFor();
    await page.getByLabel('Timeout (seconds)').fill('10');
    await page.getByLabel('Rate limit (per second)').fill('0');
    await page.getByText('must be from 1 to 65535').waitFor();
    await page.getByLabel('Rate limit (per second)').fill('');
    await page.getByRole('button', { name: 'Add header' }).click();
    await page.getByLabel('Header 1 name').fill('Content-Type');
    await page.getByText(/Herald sets Content-Type itself/).waitFor();
    await page.getByLabel('Header 1 name').fill('X-Tenant');
    await page.getByLabel('Header 1 value').fill('acme');
    await f.browser.screenshot('endpoint-form');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('heading', { name: `${f.receiver.url}/hooks` }).waitFor();

    const endpoints = (await f.herald.call('GET', '/app/acme/endpoint')).body.data;
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]).toMatchObject({ eventTypes: ['invoice.paid'], timeoutSeconds: 10 });
    const headers = (await f.herald.call('GET', `/app/acme/endpoint/${endpoints[0].id}/headers`)).body;
    expect(headers.headers).toEqual({ 'X-Tenant': 'acme' });
  });

  it('sends a test event and shows the attempt: status, response, duration and signature headers', async () => {
    const { page } = f;
    f.receiver.answer(() => ({ status: 200, body: '{"received": true}' }));
    const payload = page.getByLabel('Payload');
    await expect.poll(() => payload.inputValue()).toContain('inv_42');
    await payload.fill('{"invoiceId": "inv_test", "amount": 5}');
    await page.getByRole('button', { name: 'Send test event' }).click();
    const result = page.locator('.test-result');
    await result.getByText(/HTTP 200 in [\d.]+ m?s/).waitFor();
    await result.getByText('webhook-signature').waitFor();
    await result.getByText('"received": true').waitFor();
    const [request] = await f.receiver.waitFor(1);
    expect(JSON.parse(request!.body)).toEqual({ invoiceId: 'inv_test', amount: 5 });
    expect(request!.headers['x-tenant']).toBe('acme');
    // The delivery shows up in the endpoint's recent deliveries and its health.
    await page.locator('table.deliveries').getByText('Succeeded').waitFor();
    await page.getByText('100 %').waitFor();
    await f.browser.screenshot('endpoint-page');
  });

  it('edits an endpoint without losing the sensitive header it cannot show', async () => {
    const { page } = f;
    const endpoint = (await f.setup('GET', '/app/acme/endpoint')).data[0];
    await f.setup('PATCH', `/app/acme/endpoint/${endpoint.id}/headers`, {
      headers: { Authorization: 'Bearer receiver-secret' },
    });
    await page.getByRole('link', { name: 'Edit' }).click();
    await expect.poll(() => page.getByLabel('Header 2 value').getAttribute('placeholder')).toMatch(/Hidden/);
    await page.getByLabel('Description (optional)').fill('Billing sync');
    await page.getByRole('checkbox', { name: /invoice\.voided/ }).check();
    await page.getByRole('button', { name: 'Save endpoint' }).click();
    await page.getByText('Billing sync').waitFor();

    const headers = await f.setup('GET', `/app/acme/endpoint/${endpoint.id}/headers`);
    expect(headers).toEqual({ headers: { 'X-Tenant': 'acme' }, sensitive: ['Authorization'] });
    const saved = await f.setup('GET', `/app/acme/endpoint/${endpoint.id}`);
    expect(saved.eventTypes).toEqual(['invoice.paid', 'invoice.voided']);
    f.receiver.answer(() => ({ status: 200 }));
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page
      .locator('.test-result')
      .getByText(/HTTP 200/)
      .waitFor();
    const last = f.receiver.received.at(-1)!;
    expect(last.headers.authorization).toBe('Bearer receiver-secret');
  });

  it('fits a phone-sized screen without sideways scrolling', async () => {
    await checkPhoneScreens(f, [
      ['phone-event-types', '/event-types'],
      ['phone-event-type', '/event-types/invoice.paid'],
      ['phone-app-overview', '/apps/acme'],
    ]);
  });
});
