/**
 * The Export / Import screen: an admin exports the platform with a passphrase as a file and imports that file
 * into a second, fresh Herald, whose API then has the application and its endpoint with the same secret.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/env.js';
import { startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { launchBrowser } from './browser.js';
import { checkPhoneScreens, signIn, webFixture, type WebFixture } from './fixture.js';

const PASSPHRASE = 'correct horse battery staple';

describe('dashboard: environment export and import', () => {
  let f: WebFixture;
  let target: RunningHerald;
  const tmp = tempDir();
  let endpointId: string;
  let exported: string;
  beforeAll(async () => {
    f = await webFixture();
    target = await startTestHerald();
    await f.setup('POST', '/event-type', { name: 'order.created', description: 'An order was placed' });
    await f.setup('POST', '/app', { name: 'Acme', uid: 'acme' });
    endpointId = (
      await f.setup('POST', '/app/acme/endpoint', { url: `${f.receiver.url}/acme`, uid: 'orders' })
    ).id;
    await signIn(f.page, f.herald.url, f.herald.token);
  });
  afterAll(async () => {
    await f?.close();
    await target?.close();
    tmp.remove();
  });

  it('exports with a passphrase as a downloaded file', async () => {
    const { page } = f;
    await page.getByRole('link', { name: 'Export / Import' }).click();
    await page.getByRole('heading', { name: 'Export / Import' }).waitFor();
    const passphrase = page.getByLabel('Passphrase (optional)');
    await passphrase.fill('too short');
    await page.getByRole('button', { name: 'Export and download' }).click();
    await page.getByText('At least 12 characters, or leave it empty').waitFor();

    await passphrase.fill(PASSPHRASE);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export and download' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^herald-environment-\d{4}-\d{2}-\d{2}\.json$/);
    exported = path.join(tmp.dir, download.suggestedFilename());
    await download.saveAs(exported);
    await page
      .getByText('Exported 1 event type, 1 application, 1 endpoint, 0 templates, with secrets sealed')
      .waitFor();
    const document = JSON.parse(fs.readFileSync(exported, 'utf8'));
    expect(document.sealing).not.toBeNull();
    expect(document.applications[0].endpoints[0].id).toBe(endpointId);
    await f.browser.screenshot('environment');
  });

  it('imports the file into a fresh Herald, which then has the application and endpoint', async () => {
    const browser = await launchBrowser();
    try {
      const { page } = browser;
      await signIn(page, target.url, target.token);
      await page.goto(`${target.url}/environment`);
      await page.getByLabel('Environment file').setInputFiles(exported);
      await page.getByText('The file holds 1 event type, 1 application, 1 endpoint, 0 templates.').waitFor();
      const passphrase = page.getByLabel('Passphrase', { exact: true });

      // A wrong passphrase: the API's refusal names it, and nothing is written.
      await passphrase.fill('not the passphrase');
      await page.getByRole('button', { name: 'Import' }).click();
      await page
        .getByRole('alert')
        .getByText(/passphrase/)
        .waitFor();
      expect((await target.call('GET', '/app/acme')).status).toBe(404);

      await passphrase.fill(PASSPHRASE);
      await page.getByRole('button', { name: 'Import' }).click();
      await page.getByText('Imported 1 event type, 1 application, 1 endpoint, 0 templates.').waitFor();
      await browser.screenshot('environment-imported');
    } finally {
      await browser.close();
    }
    const app = await target.call('GET', '/app/acme');
    expect(app.status).toBe(200);
    expect(app.body.name).toBe('Acme');
    const endpoint = await target.call('GET', `/app/acme/endpoint/${endpointId}`);
    expect(endpoint.status).toBe(200);
    expect(endpoint.body).toMatchObject({ uid: 'orders', url: `${f.receiver.url}/acme` });
    const [before, after] = await Promise.all([
      f.herald.call('GET', `/app/acme/endpoint/${endpointId}/secret`),
      target.call('GET', `/app/acme/endpoint/${endpointId}/secret`),
    ]);
    expect(after.body.key).toBe(before.body.key);
    expect((await target.call('GET', '/event-type/order.created')).status).toBe(200);
  });

  it('shows each problem the API names in a document it refuses', async () => {
    const document = JSON.parse(fs.readFileSync(exported, 'utf8'));
    document.sealing = null;
    document.applications[0].id = 'not-an-id';
    document.applications[0].endpoints[0].headerStyle = 'shouting';
    const broken = path.join(tmp.dir, 'broken.json');
    fs.writeFileSync(broken, JSON.stringify(document));
    const { page } = f;
    await page.goto(`${f.herald.url}/environment`);
    await page.getByLabel('Environment file').setInputFiles(broken);
    await page.getByText('This file has no secrets').waitFor();
    await page.getByRole('button', { name: 'Import' }).click();
    const alert = page.getByRole('alert');
    await alert
      .getByText(/applications\[0\]\.id/)
      .first()
      .waitFor();
    expect(await alert.locator('li').count()).toBeGreaterThan(1);
    await f.browser.screenshot('environment-refused');

    const notJson = path.join(tmp.dir, 'not-json.json');
    fs.writeFileSync(notJson, '{ not json');
    await page.getByLabel('Environment file').setInputFiles(notJson);
    await page.getByRole('alert').getByText('This file is not JSON.').waitFor();
    expect(await page.getByRole('button', { name: 'Import' }).isDisabled()).toBe(true);
  });

  it('is not offered to an application key', async () => {
    const key = await f.setup('POST', '/api-key', { name: 'acme portal', appId: 'acme' });
    const customer = await launchBrowser();
    try {
      await signIn(customer.page, f.herald.url, key.token);
      expect(await customer.page.getByRole('link', { name: 'Export / Import' }).count()).toBe(0);
      await customer.page.goto(`${f.herald.url}/environment`);
      await customer.page.getByText('Only an admin key can export or import the environment.').waitFor();
      expect(await customer.page.getByRole('button', { name: 'Export and download' }).count()).toBe(0);
    } finally {
      await customer.close();
    }
  });

  it('fits a phone-sized screen without sideways scrolling', async () => {
    await checkPhoneScreens(f, [['phone-environment', '/environment']]);
  });
});
