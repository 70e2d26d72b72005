/**
 * Delivery SLAs in the dashboard: an admin adds an SLA on an application's page (a promise with no target is
 * refused with the server's reason), real deliveries to a receiver that fails some messages break it, and the
 * card shows the status, the figures, the error budget and the compliance chart; an endpoint's page shows its
 * own SLAs, which can be changed there; the platform-wide list shows the SLAs at risk; the consumer portal shows
 * SLAs read only.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser.js';
import { checkPhoneScreens, signIn, webFixture, type WebFixture } from './fixture.js';

/** Reloads the page until `locator` shows: the cards poll, but a reload shows new figures at once. */
async function reloadUntil(page: Page, locator: Locator): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    await page.reload();
    try {
      await locator.waitFor({ timeout: 2_000 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

describe('dashboard: delivery SLAs', () => {
  let f: WebFixture;
  let endpointId: string;
  beforeAll(async () => {
    f = await webFixture({ HERALD_SLA_EVALUATE_MS: '1000' });
    await f.setup('POST', '/app', { name: 'Hooli', uid: 'hooli' });
    endpointId = (
      await f.setup('POST', '/app/hooli/endpoint', { url: `${f.receiver.url}/hooli`, retrySchedule: [] })
    ).id;
    // The receiver refuses the messages marked to fail.
    f.receiver.answer((request) => ({ status: JSON.parse(request.body).fail ? 503 : 200 }));
    await signIn(f.page, f.herald.url, f.herald.token);
  });
  afterAll(async () => f?.close());

  it('adds an SLA to an application, and shows it breaking as deliveries fail', async () => {
    const { page } = f;
    await page.goto(`${f.herald.url}/apps/hooli`);
    const card = page.getByRole('region', { name: 'Delivery SLAs' });
    await card.getByText('No SLA yet.').waitFor();
    await card.getByRole('button', { name: 'Add SLA' }).click();
    await card.getByLabel('Name').fill('Hooli promise');
    await card.getByLabel('Window').selectOption('1h');
    await card.getByLabel('Delivered (%)').fill('');
    await card.getByRole('button', { name: 'Create SLA' }).click();
    await card
      .getByRole('alert')
      .getByText(/SLA needs a target/)
      .waitFor();
    await card.getByLabel('Delivered (%)').fill('90');
    await card.getByLabel('Delivered in time (%)').fill('80');
    await card.getByLabel('Delay (seconds after creation)').selectOption('60');
    await card.getByRole('button', { name: 'Create SLA' }).click();
    const sla = card.getByRole('article', { name: 'SLA Hooli promise' });
    await sla.getByText('Met').waitFor();
    await sla.getByText('0 messages counted').waitFor();

    // Real deliveries: eight delivered, two refused; 80 % is below the 90 % target.
    for (let i = 0; i < 10; i++)
      await f.setup('POST', '/app/hooli/msg', { eventType: 'order.paid', payload: { n: i, fail: i >= 8 } });
    await f.receiver.waitFor(10);
    await reloadUntil(page, sla.getByText('10 messages counted'));
    await sla.getByText('Breached').waitFor();
    await sla.getByText('80 % delivered (target 90 %)').waitFor();
    await sla.getByText('80 % within 60 s (target 80 %)').waitFor();
    await sla.getByText('budget overspent by 100 %').waitFor();
    const chart = sla.getByRole('img');
    expect(await chart.getAttribute('aria-label')).toMatch(
      /target 90 %; 1 of 60 periods had messages, 1 fell below/,
    );
    await f.browser.screenshot('sla-application');
  });

  it("shows an endpoint's own SLAs on its page", async () => {
    await f.setup('POST', '/app/hooli/sla', {
      name: 'Main endpoint',
      endpointId,
      window: '1d',
      successTarget: 50,
    });
    // Messages count from the SLA's creation on: three delivered and one refused.
    for (let i = 0; i < 4; i++)
      await f.setup('POST', '/app/hooli/msg', { eventType: 'order.paid', payload: { n: i, fail: i === 3 } });
    await f.receiver.waitFor(14);
    const { page } = f;
    await page.goto(`${f.herald.url}/apps/hooli/endpoints/${endpointId}`);
    const card = page.getByRole('region', { name: 'Delivery SLAs' });
    const sla = card.getByRole('article', { name: 'SLA Main endpoint' });
    await reloadUntil(page, sla.getByText('4 messages counted'));
    await sla.getByText('Met').waitFor();
    await sla.getByText('75 % delivered (target 50 %)').waitFor();
    await sla.getByText('50 % of the error budget left').waitFor();
    // Changing the target changes the figures at once: one miss of four is 62.5 % of a 40 % budget.
    await sla.getByRole('button', { name: 'Edit' }).click();
    const form = sla.getByRole('form', { name: 'Edit SLA Main endpoint' });
    await form.getByLabel('Delivered (%)').fill('60');
    await form.getByRole('button', { name: 'Save SLA' }).click();
    await sla.getByText('75 % delivered (target 60 %)').waitFor();
    await sla.getByText('37.5 % of the error budget left').waitFor();
    expect(
      (await f.setup('GET', '/app/hooli/sla')).data.map((s: { successTarget: number }) => s.successTarget),
    ).toEqual([90, 60]);
    // The application's SLA is not the endpoint's.
    expect(await card.getByRole('article', { name: 'SLA Hooli promise' }).count()).toBe(0);
  });

  it('lists the SLAs at risk across the platform', async () => {
    const { page } = f;
    await page.getByRole('link', { name: 'SLAs at risk' }).click();
    await page.getByRole('heading', { name: 'SLAs at risk' }).waitFor();
    const row = page.getByRole('row', { name: /Hooli promise/ });
    await reloadUntil(page, row);
    await row.getByText('Breached').waitFor();
    await row.getByText(/% delivered \(target 90 %\)/).waitFor();
    // The endpoint's SLA has budget to spare: not at risk.
    expect(await page.getByRole('row', { name: /Main endpoint/ }).count()).toBe(0);
    await row.getByRole('link', { name: 'Hooli promise' }).click();
    await page.getByRole('heading', { name: 'Hooli', exact: true, level: 1 }).waitFor();
    await f.browser.screenshot('sla-at-risk');
  });

  it('fits a phone, with every control labelled', async () => {
    await checkPhoneScreens(f, [
      ['sla-phone-application', '/apps/hooli'],
      ['sla-phone-at-risk', '/slas'],
    ]);
  });

  it('shows the consumer portal its SLAs read only', async () => {
    const access = await f.setup('POST', '/auth/app-portal-access/hooli', {});
    const customer = await launchBrowser();
    try {
      const portal = customer.page;
      await portal.goto(access.url);
      await portal.getByText('Webhooks portal').waitFor();
      const card = portal.getByRole('region', { name: 'Delivery SLAs' });
      await card.getByRole('article', { name: 'SLA Hooli promise' }).getByText('Breached').waitFor();
      expect(await card.getByRole('button', { name: 'Add SLA' }).count()).toBe(0);
      expect(await card.getByRole('button', { name: 'Delete' }).count()).toBe(0);
      expect(await card.getByRole('button', { name: 'Edit' }).count()).toBe(0);
      expect(await portal.getByRole('link', { name: 'SLAs at risk' }).count()).toBe(0);
    } finally {
      await customer.close();
    }
  });
});
