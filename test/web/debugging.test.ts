/**
 * Watching a failing endpoint: the overview flags it, its deliveries show each attempt in detail with the
 * retry, and resend and bulk replay get the messages through once the receiver works again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPhoneScreens, signIn, webFixture, type WebFixture } from './fixture.js';

describe('dashboard: debugging a failing endpoint', () => {
  let f: WebFixture;
  let endpointId: string;
  beforeAll(async () => {
    f = await webFixture();
    await f.setup('POST', '/event-type', { name: 'order.created', description: 'An order was placed' });
    await f.setup('POST', '/event-type', {
      name: 'order.shipped',
      description: 'An order left the warehouse',
    });
    await f.setup('POST', '/app', { name: 'Globex', uid: 'globex' });
    // One retry after a second, then the delivery is a dead letter.
    const endpoint = await f.setup('POST', '/app/globex/endpoint', {
      url: `${f.receiver.url}/fails`,
      retrySchedule: [1],
      description: 'Order sync',
      headers: { Authorization: 'Bearer sk_receiver_only' },
    });
    endpointId = endpoint.id;
    await f.setup('POST', '/app/globex/endpoint', {
      url: `${f.receiver.url}/healthy`,
      eventTypes: ['order.shipped'],
    });
    f.receiver.answer((request) =>
      request.path === '/fails' ? { status: 500, body: 'database is down' } : { status: 204 },
    );
    await signIn(f.page, f.herald.url, f.herald.token);
  });
  afterAll(async () => f?.close());

  it('shows the failing endpoint on the overview, and each failed attempt with its retry', async () => {
    const { page } = f;
    const sent = await f.herald.call('POST', '/app/globex/msg', {
      eventType: 'order.created',
      eventId: 'order-1001',
      payload: { orderId: 1001 },
    });
    expect(sent.status).toBe(202);
    await f.receiver.waitFor(2);

    await page.goto(`${f.herald.url}/apps/globex`);
    const failing = page.getByRole('region', { name: /Failing endpoints/ });
    await failing.getByText(/fails/).waitFor();
    await f.browser.screenshot('app-overview-failing');

    await page
      .getByRole('link', { name: `${f.receiver.url}/fails` })
      .first()
      .click();
    await page.getByText('Order sync').waitFor();
    const health = page.getByRole('region', { name: 'Health' });
    await health.getByText('Failed: HTTP 500').waitFor();
    await health.getByText('Failing since').waitFor();
    await health.getByText('Latency p50 / p95').waitFor();
    await health.getByText('Closed (sending normally)').waitFor();
    await page
      .getByRole('region', { name: 'Deliveries over time' })
      .getByRole('img', { name: /0 attempts succeeded and 2 failed/ })
      .waitFor({ timeout: 15_000 });
    const recent = page.getByRole('region', { name: 'Recent deliveries' });
    // The retry fails too, so the delivery becomes a dead letter.
    await recent.getByText('Failed', { exact: true }).waitFor({ timeout: 20_000 });
    await recent.getByRole('button', { name: /Details/ }).click();
    const attempts = recent.getByRole('list', { name: 'Attempts, newest first' });
    await expect.poll(() => attempts.getByRole('listitem').count(), { timeout: 10_000 }).toBe(2);
    await recent.getByText('http_status').first().waitFor();
    await recent.getByText('database is down').waitFor();
    await recent.getByText('webhook-signature').waitFor();
    await recent.getByText('"orderId": 1001').waitFor();
    await recent.getByText('Duration').waitFor();
    // The delivery is a dead letter now: no retry is due.
    await recent.getByText('none scheduled').waitFor();
    // The receiver's credentials are sent, but never shown.
    await recent
      .getByRole('row', { name: /Authorization/i })
      .getByText('[redacted]')
      .waitFor();
    expect(await page.content()).not.toContain('sk_receiver_only');
    expect(f.receiver.received[0]!.headers.authorization).toBe('Bearer sk_receiver_only');
    await f.browser.screenshot('attempt-detail');
  });

  it('resends the message once the receiver works, and shows the manual attempt succeed', async () => {
    const { page } = f;
    f.receiver.answer(() => ({ status: 200, body: 'ok now' }));
    const recent = page.getByRole('region', { name: 'Recent deliveries' });
    await recent.getByRole('button', { name: 'Resend' }).click();
    await recent.getByText(/Queued again/).waitFor();
    await recent.getByRole('button', { name: /Succeeded 200/ }).waitFor({ timeout: 15_000 });
    await recent.getByText('manual', { exact: false }).first().waitFor();
    const attempts = (await f.herald.call('GET', `/app/globex/attempt/endpoint/${endpointId}`)).body.data;
    expect(attempts[0]).toMatchObject({ status: 0, triggerType: 1 });
  });

  it('filters the delivery log and follows new deliveries live', async () => {
    const { page } = f;
    await page.getByRole('link', { name: 'Deliveries' }).click();
    await page.getByRole('heading', { name: 'Deliveries' }).waitFor();
    const rows = page.locator('table.deliveries tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    await f.herald.call('POST', '/app/globex/msg', {
      eventType: 'order.shipped',
      payload: { orderId: 1001 },
    });
    // Two endpoints receive order.shipped; the log picks them up without a reload.
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(3);
    await page.getByLabel('Event type').selectOption('order.created');
    await expect.poll(() => rows.count()).toBe(1);
    expect(page.url()).toContain('eventType=order.created');
    await page.getByLabel('Event type').selectOption('');
    await page.getByLabel('Endpoint').selectOption({ label: `${f.receiver.url}/healthy` });
    await expect.poll(() => rows.count()).toBe(1);
    await f.browser.screenshot('delivery-log');
    await page.getByLabel('Endpoint').selectOption('');
    await page.getByLabel('Status').selectOption({ label: 'Failed (dead letter)' });
    await page.getByText('No deliveries match.').waitFor();
    await page.getByLabel('Status').selectOption({ label: 'Succeeded' });
    await expect.poll(() => rows.count()).toBe(3);
    // A time window: nothing was delivered in 2000, and "until" must come after "from".
    await page.getByLabel('From').fill('2000-01-01T00:00');
    await page.getByLabel('Until').fill('2000-12-31T00:00');
    await page.getByText('No deliveries match.').waitFor();
    expect(page.url()).toContain('after=2000-01-01');
    await page.getByLabel('Until').fill('1999-12-31T00:00');
    await page.getByText('must be later than "From"').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => rows.count()).toBe(3);
  });

  it('replays dead letters in bulk after a dry run count, showing progress', async () => {
    const { page } = f;
    f.receiver.answer((request) => (request.path === '/fails' ? { status: 503 } : { status: 204 }));
    for (const id of [1, 2, 3])
      await f.herald.call('POST', '/app/globex/msg', {
        eventType: 'order.created',
        payload: { orderId: id },
      });
    await expect
      .poll(async () => (await f.herald.call('GET', '/app/globex/dead-letter')).body.data.length, {
        timeout: 20_000,
      })
      .toBe(3);
    f.receiver.answer(() => ({ status: 200 }));
    await page.getByRole('link', { name: 'Dead letters' }).click();
    await page.getByRole('table').getByText('order.created').first().waitFor();
    await page.getByRole('button', { name: 'Count dead letters to replay' }).click();
    await page.getByText('3 dead letters match these filters.').waitFor();
    await page.getByRole('button', { name: 'Replay 3' }).click();
    await page.getByText(/Replayed 3: every one has been attempted again/).waitFor({ timeout: 20_000 });
    expect(await page.getByRole('progressbar').getAttribute('value')).toBe('3');
    await page.getByText('No dead letters.').waitFor();
    await f.browser.screenshot('dead-letters-replayed');
  });

  it("recovers an endpoint's failed deliveries of a recent period", async () => {
    const { page } = f;
    f.receiver.answer((request) => (request.path === '/fails' ? { status: 502 } : { status: 204 }));
    const sent = await f.setup('POST', '/app/globex/msg', {
      eventType: 'order.created',
      payload: { orderId: 7 },
    });
    const deadLetters = async () =>
      (await f.setup('GET', `/app/globex/dead-letter?endpoint_id=${endpointId}`)).data.length;
    await expect.poll(deadLetters, { timeout: 20_000 }).toBe(1);
    f.receiver.answer(() => ({ status: 200 }));
    await page.goto(`${f.herald.url}/apps/globex/endpoints/${endpointId}`);
    await page.getByRole('button', { name: 'Recover failed…' }).click();
    await page.getByLabel('Resend failed deliveries of the').selectOption({ label: 'last hour' });
    await page.getByRole('button', { name: 'Recover', exact: true }).click();
    // The dashboard follows the recover task to its end, and says what it queued.
    await page.getByText('1 failed delivery queued again; watch them below.').waitFor();
    await expect.poll(deadLetters, { timeout: 10_000 }).toBe(0);
    const attempts = await f.setup('GET', `/app/globex/attempt/msg/${sent.id}`);
    expect(attempts.data[0]).toMatchObject({ status: 0, triggerType: 1 });
  });

  it('shows when a failed delivery is retried next', async () => {
    const { page } = f;
    await f.setup('POST', '/app', { name: 'Initrode', uid: 'initrode' });
    await f.setup('POST', '/app/initrode/endpoint', {
      url: `${f.receiver.url}/later`,
      retrySchedule: [3600],
    });
    f.receiver.answer((request) => (request.path === '/later' ? { status: 503 } : { status: 204 }));
    await f.setup('POST', '/app/initrode/msg', { eventType: 'order.created', payload: { orderId: 8 } });
    await page.goto(`${f.herald.url}/apps/initrode/deliveries`);
    const row = page.locator('table.deliveries tbody tr').first();
    // Tried and waiting for its retry: "sending", as Svix reports it.
    await row.getByText('Sending').waitFor({ timeout: 10_000 });
    await row.getByText(/^in \d+ (min|h)$/).waitFor();
    await row.getByRole('button', { name: /Details/ }).click();
    const next = page.locator('.attempt .facts > div').filter({ hasText: 'Next retry' }).locator('dd');
    await next.waitFor();
    expect(await next.textContent()).toMatch(/\d/);
    await f.browser.screenshot('attempt-retry-due');
  });

  it('fits the delivery log to a phone: the endpoint moves under the event type', async () => {
    const phone = await f.browser.context.newPage();
    try {
      await phone.setViewportSize({ width: 390, height: 844 });
      await signIn(phone, f.herald.url, f.herald.token);
      await phone.goto(`${f.herald.url}/apps/globex/deliveries`);
      const row = phone.locator('table.deliveries tbody tr').first();
      await row.waitFor();
      // The table fits its frame rather than scrolling sideways inside it.
      const sideways = await phone.evaluate(
        "(() => { const frame = document.querySelector('table.deliveries').parentElement; return frame.scrollWidth - frame.clientWidth; })()",
      );
      expect(sideways).toBeLessThanOrEqual(0);
      expect(await phone.getByRole('columnheader', { name: 'Endpoint' }).isVisible()).toBe(false);
      expect(await row.locator('.phone-inline', { hasText: f.receiver.url }).isVisible()).toBe(true);
    } finally {
      await phone.close();
    }
  });

  it('fits a phone-sized screen without sideways scrolling', async () => {
    await checkPhoneScreens(f, [
      ['phone-app-overview-failing', '/apps/globex'],
      ['phone-dead-letters', '/apps/globex/dead-letters'],
      ['phone-retry-due', '/apps/initrode/deliveries'],
    ]);
  });
});
