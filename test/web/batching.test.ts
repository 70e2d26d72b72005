/**
 * The endpoint form's batching, in a real Chromium against a real Herald and a real receiver on 127.0.0.1: the
 * limits are checked as you type, the endpoint is saved batching, its messages then arrive as one JSON array,
 * editing shows the saved limits, and unticking the box turns batching off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, webFixture, type WebFixture } from './fixture.js';

describe('dashboard: endpoint batching', () => {
  let f: WebFixture;
  beforeAll(async () => {
    f = await webFixture();
    await f.setup('POST', '/event-type', { name: 'order.updated', description: 'An order changed' });
    await f.setup('POST', '/app', { name: 'Shop', uid: 'shop' });
    await signIn(f.page, f.herald.url, f.herald.token);
  });
  afterAll(async () => f?.close());

  it('saves batching with the form, and the endpoint gets its messages as one array', async () => {
    const { page } = f;
    await page.goto(`${f.herald.url}/apps/shop/endpoints/new`);
    await page.getByLabel('URL').fill(`${f.receiver.url}/batched`);
    const messages = page.getByLabel('Messages per request');
    expect(await messages.count()).toBe(0);
    await page.getByLabel(/Batch messages/).check();
    await messages.fill('1001');
    await page.getByText('must be from 1 to 1000').waitFor();
    await messages.fill('3');
    await page.getByLabel('Wait for more (ms)').fill('60000');
    await f.browser.screenshot('endpoint-batching-form');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('heading', { name: `${f.receiver.url}/batched` }).waitFor();
    await page.getByText('batches of up to 3 messages per request').waitFor();

    const [endpoint] = (await f.setup('GET', '/app/shop/endpoint')).data;
    expect(endpoint.batching).toEqual({ maxMessages: 3, maxBytes: 1048576, maxWaitMs: 60000 });

    // Three messages fill a batch, which goes at once rather than after the minute's wait.
    const ids: string[] = [];
    for (let n = 1; n <= 3; n++)
      ids.push((await f.setup('POST', '/app/shop/msg', { eventType: 'order.updated', payload: { n } })).id);
    const [request] = await f.receiver.waitFor(1, 30_000);
    const body = JSON.parse(request!.body) as Array<{ id: string; payload: { n: number } }>;
    expect(body.map((element) => element.id).sort()).toEqual([...ids].sort());
    expect(String(request!.headers['webhook-id'])).toMatch(/^batch_/);

    // Editing shows the saved limits; unticking the box turns batching off.
    await page.goto(`${f.herald.url}/apps/shop/endpoints/${endpoint.id}/edit`);
    await expect.poll(() => messages.inputValue()).toBe('3');
    expect(await page.getByLabel('Wait for more (ms)').inputValue()).toBe('60000');
    expect(await page.getByLabel('Largest batch (bytes)').inputValue()).toBe('');
    await page.getByLabel(/Batch messages/).uncheck();
    await page.getByRole('button', { name: 'Save endpoint' }).click();
    await page.getByRole('heading', { name: `${f.receiver.url}/batched` }).waitFor();
    await expect
      .poll(async () => (await f.setup('GET', `/app/shop/endpoint/${endpoint.id}`)).batching)
      .toBeNull();
  });
});
