/**
 * Ordered delivery in the dashboard, in a real Chromium against a real Herald and a real receiver on 127.0.0.1:
 * an endpoint is made ordered (blocking after a give-up) with the form; its head fails and is given up at once
 * (no retries), and the health card lists the blocked sequence; Skip moves it on, Resend sends the head first
 * and the rest after it, each in order; a Skip that comes too late shows the API's 409 and the list as it is now.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPhoneScreens, signIn, webFixture, type WebFixture } from './fixture.js';

interface Sent {
  ref: string;
  n: number;
  failFirst: boolean;
}

describe('dashboard: ordered delivery', () => {
  let f: WebFixture;
  beforeAll(async () => {
    f = await webFixture();
    await f.setup('POST', '/event-type', { name: 'order.updated', description: 'An order changed' });
    await f.setup('POST', '/app', { name: 'Shop', uid: 'shop' });
    // Each case has an endpoint of its own, on a channel of its own. A message marked failFirst is answered 500 the first time it comes, and 200 after.
    const failed = new Set<string>();
    f.receiver.answer((request) => {
      const { ref, failFirst } = JSON.parse(request.body) as Sent;
      if (!failFirst || failed.has(`${request.path} ${ref}`)) return { status: 200, body: 'ok' };
      failed.add(`${request.path} ${ref}`);
      return { status: 500, body: 'not yet' };
    });
    await signIn(f.page, f.herald.url, f.herald.token);
  });
  afterAll(async () => f?.close());

  /** Sends the messages one after another, each accepted (202) before the next, and returns their ids. */
  const send = async (messages: Array<{ n: number; failFirst?: boolean; key?: string }>, ref: string) => {
    const ids: string[] = [];
    for (const { n, failFirst = false, key } of messages) {
      const message = await f.setup('POST', '/app/shop/msg', {
        eventType: 'order.updated',
        payload: { ref: `${ref}-${key ?? ''}-${n}`, n, failFirst },
        channels: [ref],
        ...(key !== undefined && { orderingKey: key }),
      });
      ids.push(message.id);
    }
    return ids;
  };
  /** The `n` of each request the receiver got at `path` (and for `key`, if given), in arrival order. */
  const arrived = (path: string, key?: string) =>
    f.receiver.received
      .filter((request) => request.path === path)
      .map((request) => JSON.parse(request.body) as Sent)
      .filter((payload) => key === undefined || payload.ref.startsWith(`${path.slice(1)}-${key}-`))
      .map((payload) => payload.n);
  const blocked = async (endpointId: string) =>
    (await f.setup('GET', `/app/shop/endpoint/${endpointId}/health`)).blockedSequences as Array<{
      key: string;
      msgId: string;
      waiting: number;
    }>;
  const orderedEndpoint = async (path: string, ordering: 'endpoint' | 'key') =>
    (
      await f.setup('POST', '/app/shop/endpoint', {
        url: `${f.receiver.url}${path}`,
        channels: [path.slice(1)],
        ordering,
        orderingAfterGiveUp: 'block',
        retrySchedule: [],
      })
    ).id as string;

  it('orders an endpoint with the form, shows its blocked head, and skips it', async () => {
    const { page } = f;
    await page.goto(`${f.herald.url}/apps/shop/endpoints/new`);
    await page.getByLabel('URL').fill(`${f.receiver.url}/skip`);
    await page.getByLabel('Channels (optional)').fill('skip');
    const afterGiveUp = page.getByLabel('After a message is given up');
    expect(await afterGiveUp.isDisabled()).toBe(true);
    await page.getByLabel('Ordering', { exact: true }).selectOption('endpoint');
    await afterGiveUp.selectOption('block');
    await f.browser.screenshot('endpoint-ordering-form');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('heading', { name: `${f.receiver.url}/skip` }).waitFor();
    await page.getByText('in order for the whole endpoint, waiting after a give-up').waitFor();

    const [endpoint] = (await f.setup('GET', '/app/shop/endpoint')).data;
    expect(endpoint).toMatchObject({ ordering: 'endpoint', orderingAfterGiveUp: 'block' });
    // No retries, so the failing head is given up at once: the form leaves a blank schedule to the default.
    await f.setup('PATCH', `/app/shop/endpoint/${endpoint.id}`, { retrySchedule: [] });

    const [head] = await send([{ n: 1, failFirst: true, key: 'order-7' }, { n: 2 }, { n: 3 }], 'skip');
    await expect
      .poll(() => blocked(endpoint.id))
      .toEqual([expect.objectContaining({ msgId: head, waiting: 2 })]);
    expect(arrived('/skip')).toEqual([1]);

    const health = page.getByRole('region', { name: 'Health' });
    const sequences = health.getByRole('group', { name: 'Blocked sequences' });
    const row = sequences.getByRole('listitem').filter({ hasText: head! });
    await row.getByText('(whole endpoint)').waitFor();
    await row.getByText(/^1 attempt · last .* · 2 waiting behind it$/).waitFor();
    await f.browser.screenshot('endpoint-blocked-sequences');

    // The head opens in the delivery log, with its ordering key.
    await row.getByRole('link', { name: head }).click();
    const opened = page.getByRole('region', { name: `Message ${head}` });
    await opened.getByText('ordering key order-7').waitFor();
    await f.browser.screenshot('delivery-log-message');
    await page.goBack();

    await sequences.getByRole('button', { name: `Skip ${head}` }).click();
    await sequences.getByText(/skipped: it stays failed/).waitFor();
    await sequences.getByText('No sequence is blocked now.').waitFor();
    await expect.poll(() => arrived('/skip')).toEqual([1, 2, 3]);
    expect(await blocked(endpoint.id)).toEqual([]);

    // Editing shows the saved settings.
    await page.goto(`${f.herald.url}/apps/shop/endpoints/${endpoint.id}/edit`);
    await expect.poll(() => page.getByLabel('Ordering', { exact: true }).inputValue()).toBe('endpoint');
    expect(await afterGiveUp.inputValue()).toBe('block');
  });

  it('resends a blocked head: it goes first, then the rest in order, while other keys flow', async () => {
    const { page } = f;
    const endpointId = await orderedEndpoint('/resend', 'key');
    const [head] = await send(
      [
        { n: 1, failFirst: true, key: 'order-9' },
        { n: 2, key: 'order-9' },
        { n: 3, key: 'order-9' },
      ],
      'resend',
    );
    await send([{ n: 4, key: 'order-10' }], 'resend');
    await expect
      .poll(() => blocked(endpointId))
      .toEqual([expect.objectContaining({ key: 'order-9', msgId: head })]);
    // A stuck key holds up only itself.
    await expect.poll(() => arrived('/resend', 'order-10')).toEqual([4]);
    expect(arrived('/resend', 'order-9')).toEqual([1]);

    await page.goto(`${f.herald.url}/apps/shop/endpoints/${endpointId}`);
    const sequences = page.getByRole('group', { name: 'Blocked sequences' });
    const row = sequences.getByRole('listitem').filter({ hasText: head! });
    await row.getByText('order-9').waitFor();
    await row.getByRole('button', { name: `Resend ${head}` }).click();
    await sequences.getByText(/is sent again now/).waitFor();
    await sequences.getByText('No sequence is blocked now.').waitFor();
    await expect.poll(() => arrived('/resend', 'order-9')).toEqual([1, 1, 2, 3]);
    expect(await blocked(endpointId)).toEqual([]);
  });

  it('shows why a skip was refused (409) and the sequences blocked now', async () => {
    const { page } = f;
    const endpointId = await orderedEndpoint('/late', 'key');
    // Without a key, at ordering: key, a message joins the sequence of the messages without one.
    const [head] = await send([{ n: 1, failFirst: true }, { n: 2 }], 'late');
    await expect.poll(() => blocked(endpointId)).toEqual([expect.objectContaining({ key: '', msgId: head })]);

    await page.goto(`${f.herald.url}/apps/shop/endpoints/${endpointId}`);
    const sequences = page.getByRole('group', { name: 'Blocked sequences' });
    const row = sequences.getByRole('listitem').filter({ hasText: head! });
    await row.getByText('(no key)').waitFor();
    await checkPhoneScreens(f, [['endpoint-blocked-phone', `/apps/shop/endpoints/${endpointId}`]]);

    // The tab goes to the background, so the card stops following; meanwhile someone skips the head.
    await page.evaluate(`Object.defineProperty(document, 'hidden', { configurable: true, get: () => true })`);
    await f.setup('POST', `/app/shop/msg/${head}/endpoint/${endpointId}/skip`);
    await expect.poll(() => arrived('/late')).toEqual([1, 2]);

    await row.getByRole('button', { name: `Skip ${head}` }).click();
    const alert = sequences.getByRole('alert');
    await alert
      .getByText(new RegExp(`Could not skip ${head}: this message holds no sequence at this endpoint`))
      .waitFor();
    await sequences.getByText('No sequence is blocked now.').waitFor();
  });
});
