/**
 * A relay endpoint in the dashboard, in a real Chromium against a real Herald, with the real `herald listen`
 * forwarding to a local receiver: the endpoint's page shows what the developer's handler answered.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { killAllClis, startCli } from '../helpers/cli-process.js';
import { signIn, webFixture, type WebFixture } from './fixture.js';

describe('dashboard: a relay endpoint', () => {
  let f: WebFixture;
  let endpointId: string;
  beforeAll(async () => {
    f = await webFixture();
    await f.setup('POST', '/event-type', { name: 'invoice.paid', description: 'An invoice was paid' });
    await f.setup('POST', '/app', { name: 'Devbox', uid: 'devbox' });
    const key = await f.setup('POST', '/api-key', { name: 'laptop', appId: 'devbox' });
    const cli = startCli([
      'listen',
      '--url',
      f.herald.url,
      '--key',
      key.token,
      '--forward-to',
      `${f.receiver.url}/webhooks`,
      '--name',
      'dev',
    ]);
    endpointId = (await cli.waitFor(/^Created relay endpoint (ep_\w+)/m))[1]!;
    await cli.waitFor(/^Forwarding /m);
    f.receiver.answer(() => ({ status: 418, body: 'teapot on the laptop' }));
    await signIn(f.page, f.herald.url, f.herald.token);
  });
  afterAll(async () => {
    await killAllClis();
    await f?.close();
  });

  it("shows the local handler's answer in the endpoint's deliveries", async () => {
    const { page } = f;
    await f.setup('POST', '/app/devbox/msg', { eventType: 'invoice.paid', payload: { invoiceId: 7 } });
    await f.receiver.waitFor(1);
    await page.goto(`${f.herald.url}/apps/devbox/endpoints/${endpointId}`);
    await page.getByRole('heading', { name: 'relay://dev' }).waitFor();
    const recent = page.getByRole('region', { name: 'Recent deliveries' });
    await recent
      .getByRole('button', { name: /Details/ })
      .first()
      .click({ timeout: 15_000 });
    await recent.getByText('teapot on the laptop').first().waitFor({ timeout: 15_000 });
    await recent.getByText('webhook-signature').first().waitFor();
  });
});
