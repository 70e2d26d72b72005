/**
 * An application's Messages tab searches its messages through `POST …/msg/search`, by event type and channel,
 * and a message found opens in the delivery log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPhoneScreens, signIn, webFixture, type WebFixture } from './fixture.js';

describe('dashboard: searching messages', () => {
  let f: WebFixture;
  beforeAll(async () => {
    f = await webFixture();
    await f.setup('POST', '/event-type', { name: 'order.created', description: 'An order was placed' });
    await f.setup('POST', '/event-type', { name: 'order.shipped', description: 'An order left' });
    await f.setup('POST', '/app', { name: 'Hooli', uid: 'hooli' });
    const send = (eventType: string, eventId: string, channels?: string[]) =>
      f.setup('POST', '/app/hooli/msg', { eventType, eventId, channels, payload: { eventId } });
    await send('order.created', 'created-1', ['eu']);
    await send('order.created', 'created-2', ['us']);
    await send('order.shipped', 'shipped-1', ['eu']);
    await signIn(f.page, f.herald.url, f.herald.token);
  });
  afterAll(async () => f?.close());

  it('finds messages by event type and channel and opens one in the delivery log', async () => {
    const { page } = f;
    await page.goto(`${f.herald.url}/apps/hooli`);
    await page
      .getByRole('navigation', { name: 'Application sections' })
      .getByRole('link', { name: 'Messages' })
      .click();
    const form = page.getByRole('search', { name: 'Search messages' });
    const rows = page.locator('table.messages tbody tr');
    await form.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => rows.count()).toBe(3);
    // Newest first.
    expect(await rows.first().innerText()).toContain('shipped-1');

    await form.getByLabel('Event type').selectOption('order.created');
    await form.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => rows.count()).toBe(2);
    await form.getByLabel('Channel').fill('eu');
    await form.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().innerText()).toContain('created-1');
    await f.browser.screenshot('message-search');

    await form.getByLabel('Channel').fill('nowhere');
    await form.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No messages match this search.').waitFor();

    await form.getByLabel('Channel').fill('eu');
    await form.getByRole('button', { name: 'Search' }).click();
    await rows.first().getByRole('link').click();
    await page.waitForURL(/\/apps\/hooli\/deliveries\?msg=msg_/);
  });

  it('fits the Messages tab to a phone', async () => {
    await checkPhoneScreens(f, [['phone-messages', '/apps/hooli/messages']], async (phone) => {
      await phone.getByRole('button', { name: 'Search' }).click();
      await phone.locator('table.messages tbody tr').first().waitFor();
    });
  });
});
