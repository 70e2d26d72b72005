/**
 * A poller token from a polling endpoint's page, in a real Chromium against a real Herald: it is shown once,
 * reads that endpoint's messages, and reaches nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, webFixture, type WebFixture } from './fixture.js';

describe('dashboard: poller tokens', () => {
  let f: WebFixture;
  beforeAll(async () => {
    f = await webFixture({ HERALD_POLLER_SETTLE_MS: '0' });
    await f.setup('POST', '/app', { name: 'Acme', uid: 'acme' });
    await signIn(f.page, f.herald.url, f.herald.token);
  });
  afterAll(async () => f?.close());

  it("creates a token that may only poll the endpoint's messages", async () => {
    const { page } = f;
    const endpoint = (await f.setup('POST', '/app/acme/endpoint', { url: 'poll://inbox' })) as { id: string };
    await page.goto(`${f.herald.url}/apps/acme/endpoints/${endpoint.id}`);
    await page.getByRole('heading', { name: 'Polling endpoint' }).waitFor();
    await page.getByRole('button', { name: 'Create a poller token' }).click();
    await page.getByText('Copy it now: Herald shows it only once.').waitFor();
    const token = await page.getByLabel('Poller token').inputValue();
    expect(token).toMatch(/^hk_poll_/);
    await f.browser.screenshot('poller-token', page);

    const call = (path: string) =>
      fetch(`${f.herald.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await call(`/app/acme/poller/${endpoint.id}`)).status).toBe(200);
    expect((await call('/app/acme')).status).toBe(403);
    expect((await call('/app/acme/msg')).status).toBe(403);
  });
});
