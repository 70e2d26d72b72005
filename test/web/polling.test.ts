/**
 * Polling endpoints in the dashboard, in a real Chromium against a real Herald: an endpoint created with a
 * poll: URL in the form shows the poller URL instead of the delivery cards, lists the messages a consumer would
 * read, page by page, and gets no deliveries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, webFixture, type WebFixture } from './fixture.js';

describe('dashboard: polling endpoints', () => {
  let f: WebFixture;
  beforeAll(async () => {
    f = await webFixture({ HERALD_POLLER_SETTLE_MS: '0' });
    await f.setup('POST', '/event-type', { name: 'invoice.paid', description: 'An invoice was paid' });
    await f.setup('POST', '/app', { name: 'Acme', uid: 'acme' });
    await signIn(f.page, f.herald.url, f.herald.token);
  });
  afterAll(async () => f?.close());

  it('creates a polling endpoint and shows what a consumer reads', async () => {
    const { page } = f;
    await page.goto(`${f.herald.url}/apps/acme/endpoints/new`);
    const url = page.getByLabel('URL', { exact: true });
    await url.fill('poll://inbox');
    await page.getByRole('checkbox', { name: /invoice\.paid/ }).check();
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('heading', { name: 'poll://inbox' }).waitFor();
    await page.getByRole('heading', { name: 'Polling endpoint' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Signing secret' }).count()).toBe(0);
    const [endpoint] = (await f.setup('GET', '/app/acme/endpoint')).data as Array<{ id: string }>;
    expect(await page.getByLabel('Poller URL').inputValue()).toBe(
      `${f.herald.url}/api/v1/app/acme/poller/${endpoint!.id}`,
    );

    await page.getByRole('button', { name: 'Show the first messages' }).click();
    await page.getByText('No messages for this endpoint yet.').waitFor();
    const sent: string[] = [];
    for (let n = 0; n < 12; n++)
      sent.push((await f.setup('POST', '/app/acme/msg', { eventType: 'invoice.paid', payload: { n } })).id);
    await page.getByRole('button', { name: 'Show the first messages' }).click();
    const list = page.getByRole('list', { name: 'Polled messages' });
    await list.getByText(sent[9]!).waitFor();
    expect(await list.getByRole('listitem').count()).toBe(10);
    await page.getByRole('button', { name: 'Show more' }).click();
    await list.getByText(sent[11]!).waitFor();
    await page.getByText('That is every message so far.').waitFor();
    expect(await list.getByRole('listitem').count()).toBe(12);

    const delivered = (await f.setup('GET', `/app/acme/endpoint/${endpoint!.id}/msg`)).data as unknown[];
    expect(delivered).toEqual([]);
  });
});
