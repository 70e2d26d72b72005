/**
 * The endpoint form's content filter and compression, in a real Chromium against a real Herald: the filter is
 * tried on the server as you type (a match, no match, or the server's reason naming the place), the endpoint is
 * saved with both, and what it then receives follows them; a receiver's 415 shows on the health card.
 */
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPhoneScreens, signIn, webFixture, type WebFixture } from './fixture.js';

describe('dashboard: endpoint content filter and compression', () => {
  let f: WebFixture;
  let endpointId: string;
  beforeAll(async () => {
    f = await webFixture();
    await f.setup('POST', '/event-type', {
      name: 'invoice.paid',
      description: 'An invoice was paid',
      schemas: { '1': { type: 'object', examples: [{ invoiceId: 'inv_1', amount: 1500, currency: 'EUR' }] } },
    });
    await f.setup('POST', '/app', { name: 'Initech', uid: 'initech' });
    await signIn(f.page, f.herald.url, f.herald.token);
  });
  afterAll(async () => f?.close());

  it('tries the filter as you type and saves it with compression', async () => {
    const { page } = f;
    await page.goto(`${f.herald.url}/apps/initech/endpoints/new`);
    await page.getByLabel('URL').fill(`${f.receiver.url}/invoices`);
    const filter = page.getByLabel('Filter (optional)');
    const result = page.getByRole('status', { name: 'Filter result' });

    // Not JSON: said at once, without asking the server.
    await filter.fill('{"payload.amount": ');
    await page.getByText(/not valid JSON/).waitFor();
    // An operator Herald refuses: the server's reason, naming the place.
    await filter.fill('{"payload.amount": {"$where": "1"}}');
    await page.getByText(/filter\["payload\.amount"\]\.\$where is not an operator/).waitFor();
    await filter.fill('{"payload.note": {"$regex": "(?<!x)y"}}');
    await page.getByText(/\$regex is not a regular expression Herald can evaluate safely/).waitFor();
    // Cleared, the filter has nothing wrong with it any more.
    await filter.fill('');
    await page.getByText(/\$regex is not a regular expression/).waitFor({ state: 'detached' });

    // The sample starts from the event type's example, which matches; edited, it does not.
    await filter.fill('{"payload.amount": {"$gte": 1000}, "payload.currency": {"$in": ["EUR", "USD"]}}');
    await result.getByText('Matches').waitFor();
    await page.getByLabel('Sample payload').fill('{"amount": 999, "currency": "EUR"}');
    await result.getByText('No match').waitFor();
    await page.getByLabel('Sample payload').fill('{"amount": 4000, "currency": "USD"}');
    await result.getByText('Matches').waitFor();

    await page.getByLabel('Compression', { exact: true }).selectOption('gzip');
    await page.getByLabel('Compress bodies from (bytes)').fill('-5');
    await page.getByText(/enter a whole number from 0 to 16777216/).waitFor();
    await page.getByLabel('Compress bodies from (bytes)').fill('64');
    await f.browser.screenshot('endpoint-filter-form');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('heading', { name: `${f.receiver.url}/invoices` }).waitFor();

    const [endpoint] = (await f.setup('GET', '/app/initech/endpoint')).data;
    endpointId = endpoint.id;
    expect(endpoint).toMatchObject({
      filter: { 'payload.amount': { $gte: 1000 }, 'payload.currency': { $in: ['EUR', 'USD'] } },
      compression: 'gzip',
      compressionThreshold: 64,
    });

    // What it receives follows the filter, compressed: a small invoice gets no delivery at all.
    await f.setup('POST', '/app/initech/msg', {
      eventType: 'invoice.paid',
      payload: { invoiceId: 'inv_small', amount: 10, currency: 'EUR' },
    });
    await f.setup('POST', '/app/initech/msg', {
      eventType: 'invoice.paid',
      payload: { invoiceId: 'inv_big', amount: 5000, currency: 'USD', note: 'x'.repeat(100) },
    });
    const [request] = await f.receiver.waitFor(1);
    expect(request!.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(zlib.gunzipSync(request!.raw).toString())).toMatchObject({ invoiceId: 'inv_big' });
    const messages = (await f.setup('GET', `/app/initech/endpoint/${endpointId}/msg`)).data;
    expect(messages.map((m: { id: string; eventId: string | null }) => m.id)).toHaveLength(1);

    // Editing shows the saved filter and compression.
    await page.goto(`${f.herald.url}/apps/initech/endpoints/${endpointId}/edit`);
    await expect.poll(() => filter.inputValue()).toContain('"$gte": 1000');
    expect(await page.getByLabel('Compression', { exact: true }).inputValue()).toBe('gzip');
    expect(await page.getByLabel('Compress bodies from (bytes)').inputValue()).toBe('64');
  });

  it('shows a refused compression on the health card and tries it again', async () => {
    const { page } = f;
    f.receiver.answer((request) =>
      request.headers['content-encoding'] ? { status: 415 } : { status: 200, body: 'ok' },
    );
    await f.setup('PATCH', `/app/initech/endpoint/${endpointId}`, { retrySchedule: [0] });
    await f.setup('POST', '/app/initech/msg', {
      eventType: 'invoice.paid',
      payload: { invoiceId: 'inv_refused', amount: 5000, currency: 'EUR', note: 'y'.repeat(100) },
    });
    await f.receiver.waitFor(3);
    await page.goto(`${f.herald.url}/apps/initech/endpoints/${endpointId}`);
    const health = page.getByRole('region', { name: 'Health' });
    await health.getByText(/Refused \(415\) at/).waitFor();
    await health.getByRole('button', { name: 'Try compression again' }).click();
    await expect
      .poll(
        async () => (await f.setup('GET', `/app/initech/endpoint/${endpointId}/health`)).compressionRefusedAt,
      )
      .toBeNull();
    await health.getByText(/Refused \(415\) at/).waitFor({ state: 'detached' });
    await checkPhoneScreens(f, [['endpoint-filter-phone', `/apps/initech/endpoints/${endpointId}/edit`]]);
  });

  it("shows a 422's problems, each at the form field it names", async () => {
    const { page } = f;
    await page.goto(`${f.herald.url}/apps/initech/endpoints/new`);
    // A private address passes the form's own checks; Herald refuses it, naming body.url (Svix's 422 shape).
    await page.getByLabel('URL').fill('http://10.0.0.1/invoices');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page
      .getByRole('alert')
      .getByText(/url points at 10\.0\.0\.1 .*HERALD_SSRF_ALLOW_CIDRS/i)
      .waitFor();
    const urlField = page.locator('.field.invalid', { has: page.getByLabel('URL') });
    await urlField.getByText(/^points at 10\.0\.0\.1/).waitFor();
    expect(await page.getByLabel('URL').getAttribute('aria-invalid')).toBe('true');
    await f.browser.screenshot('endpoint-form-refused-field');
    // Editing the form clears what the server said about the last attempt.
    await page.getByLabel('URL').fill(`${f.receiver.url}/invoices`);
    await urlField.getByText(/points at/).waitFor({ state: 'detached' });
    expect((await f.setup('GET', '/app/initech/endpoint')).data).toHaveLength(1);
  });
});
