/**
 * A dashboard test's world: a real Herald on 127.0.0.1 serving the built dashboard, a real receiver, and a
 * real Chromium. Nothing is mocked.
 */
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { DASHBOARD_DIR } from '../../src/api/dashboard.js';
import { startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { launchBrowser, type Browser } from './browser.js';

export interface WebFixture {
  herald: RunningHerald;
  /** Calls the API with the admin key for a test's setup; throws unless the answer is a success. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test code reads arbitrary JSON bodies
  setup(method: string, path: string, body?: unknown): Promise<any>;
  receiver: Receiver;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

export async function webFixture(): Promise<WebFixture> {
  if (!fs.existsSync(`${DASHBOARD_DIR}/index.html`))
    throw new Error(`the dashboard is not built in ${DASHBOARD_DIR}; run \`npm run build\` first`);
  const browser = await launchBrowser();
  const herald = await startTestHerald();
  const receiver = await startReceiver();
  return {
    herald,
    async setup(method, path, body) {
      const res = await herald.call(method, path, body);
      if (res.status >= 300)
        throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body;
    },
    receiver,
    browser,
    page: browser.page,
    async close() {
      await browser.close();
      await receiver.close();
      await herald.close();
    },
  };
}

/** Signs in on the sign-in form with a pasted key. */
export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('API key').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}
