/**
 * Deliveries canceled through `cancel-msgs` (status 4) read "Canceled" in the delivery log, and the status
 * filter finds them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, webFixture, type WebFixture } from './fixture.js';

describe('dashboard: canceled deliveries', () => {
  let f: WebFixture;
  beforeAll(async () => {
    f = await webFixture();
    await signIn(f.page, f.herald.url, f.herald.token);
  });
  afterAll(async () => f?.close());

  it('labels a canceled delivery "Canceled" and filters by it', async () => {
    const { page } = f;
    await f.setup('POST', '/app', { name: 'Umbrella', uid: 'umbrella' });
    const endpoint = await f.setup('POST', '/app/umbrella/endpoint', {
      url: `${f.receiver.url}/down`,
      retrySchedule: [3600],
    });
    f.receiver.answer(() => ({ status: 503 }));
    const sent = await f.setup('POST', '/app/umbrella/msg', {
      eventType: 'order.created',
      payload: { id: 1 },
    });
    await f.receiver.waitFor(1);
    // Tried once and waiting an hour for its retry: pending, so cancel-msgs cancels it.
    await expect
      .poll(async () => (await f.setup('GET', `/app/umbrella/msg/${sent.id}/endpoint`)).data[0]?.status)
      .toBe(3);
    await f.setup('POST', `/app/umbrella/endpoint/${endpoint.id}/cancel-msgs`, {
      createdBefore: new Date(Date.now() + 1000).toISOString(),
    });
    await page.goto(`${f.herald.url}/apps/umbrella/deliveries`);
    const row = page.locator('table.deliveries tbody tr').first();
    const badge = row.locator('.badge-canceled');
    await badge.waitFor();
    expect(await badge.textContent()).toBe('Canceled');

    await page.getByLabel('Status').selectOption('4');
    await expect.poll(() => page.locator('table.deliveries tbody tr').count()).toBe(1);
    await page.getByLabel('Status').selectOption('2');
    await expect.poll(() => page.locator('table.deliveries tbody tr .badge').count()).toBe(0);
    await f.browser.screenshot('delivery-canceled');
  });
});
