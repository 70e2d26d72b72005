/**
 * Adaptive throttling in the dashboard, in a real Chromium against a real Herald: the endpoint form's switch
 * (on by default, saved off and on again), and the health card and chart showing the limit a receiver's 429
 * brought down, with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPhoneScreens, signIn, webFixture, type WebFixture } from './fixture.js';

describe('dashboard: adaptive throttling', () => {
  let f: WebFixture;
  beforeAll(async () => {
    f = await webFixture();
    await f.setup('POST', '/event-type', { name: 'order.placed', description: 'An order was placed' });
    await f.setup('POST', '/app', { name: 'Globex', uid: 'globex' });
    await signIn(f.page, f.herald.url, f.herald.token);
  });
  afterAll(async () => f?.close());

  const toggle = () => f.page.getByLabel(/Adaptive throttling/);

  it('is on by default in the endpoint form, and saves off and on again', async () => {
    const { page } = f;
    await page.goto(`${f.herald.url}/apps/globex/endpoints/new`);
    await page.getByLabel('URL').fill(`${f.receiver.url}/orders`);
    expect(await toggle().isChecked()).toBe(true);
    await toggle().uncheck();
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('heading', { name: `${f.receiver.url}/orders` }).waitFor();
    const [endpoint] = (await f.setup('GET', '/app/globex/endpoint')).data;
    expect(endpoint.adaptiveThrottling).toBe(false);

    await page.goto(`${f.herald.url}/apps/globex/endpoints/${endpoint.id}/edit`);
    await expect.poll(() => toggle().isChecked()).toBe(false);
    await toggle().check();
    await page.getByRole('button', { name: 'Save endpoint' }).click();
    await expect
      .poll(async () => (await f.setup('GET', `/app/globex/endpoint/${endpoint.id}`)).adaptiveThrottling)
      .toBe(true);
  });

  it('shows the limit a 429 brought down on the health card, with its reason, and in the chart', async () => {
    const { page } = f;
    const [endpoint] = (await f.setup('GET', '/app/globex/endpoint')).data;
    f.receiver.answer(() => ({ status: 429 }));
    await f.setup('POST', '/app/globex/msg', { eventType: 'order.placed', payload: { orderId: 'ord_1' } });
    await f.receiver.waitFor(1);
    await expect
      .poll(
        async () => (await f.setup('GET', `/app/globex/endpoint/${endpoint.id}/health`)).adaptiveThrottling,
        {
          timeout: 20_000,
        },
      )
      .toMatchObject({ limit: 2, reason: 'the endpoint answered 429 Too Many Requests' });
    await page.goto(`${f.herald.url}/apps/globex/endpoints/${endpoint.id}`);
    const health = page.getByRole('region', { name: 'Health' });
    // From 4 at the start, halved; shown once the worker has reported it (every 2 s while it changes).
    await health
      .getByTestId('adaptive-limit')
      .getByText('At most 2 of 10 at once: the endpoint answered 429 Too Many Requests')
      .waitFor({ timeout: 20_000 });
    const chart = page.getByRole('region', { name: 'Deliveries over time' });
    await chart.getByTestId('adaptive-limit-line').waitFor({ timeout: 20_000 });
    await chart.getByText(/Requests in flight allowed \(adaptive limit\), lowest 2/).waitFor();
    await f.browser.screenshot('endpoint-adaptive-limit');

    // Off: the card says the concurrency is fixed.
    await f.setup('PATCH', `/app/globex/endpoint/${endpoint.id}`, { adaptiveThrottling: false });
    await page.reload();
    await health.getByText('Fixed (adaptive throttling is off)').waitFor();
    await checkPhoneScreens(f, [['endpoint-adaptive-phone', `/apps/globex/endpoints/${endpoint.id}`]]);
  });
});
