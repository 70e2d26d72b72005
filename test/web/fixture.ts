/**
 * A dashboard test's world: a real Herald on 127.0.0.1 serving the built dashboard, a real receiver, and a
 * real Chromium. Nothing is mocked.
 */
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
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

/** `env` sets Herald's configuration for the test, beside the test defaults. */
export async function webFixture(env: Record<string, string> = {}): Promise<WebFixture> {
  if (!fs.existsSync(`${DASHBOARD_DIR}/index.html`))
    throw new Error(`the dashboard is not built in ${DASHBOARD_DIR}; run \`npm run build\` first`);
  const browser = await launchBrowser();
  const herald = await startTestHerald(env);
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

/**
 * Opens each screen in a phone-sized tab of its own (its own sessionStorage, so it signs in afresh), saves a
 * screenshot named after it and checks that it does not scroll sideways. `prepare` runs before the screenshot,
 * for a screen that shows more after a click.
 */
export async function checkPhoneScreens(
  f: WebFixture,
  screens: Array<[name: string, path: string]>,
  prepare?: (phone: Page, name: string) => Promise<void>,
): Promise<void> {
  const phone = await f.browser.context.newPage();
  try {
    await phone.setViewportSize({ width: 390, height: 844 });
    await signIn(phone, f.herald.url, f.herald.token);
    for (const [name, path] of screens) {
      await phone.goto(`${f.herald.url}${path}`);
      await phone.getByRole('heading').first().waitFor();
      await phone.waitForLoadState('networkidle');
      await prepare?.(phone, name);
      await f.browser.screenshot(name, phone);
      expect(await unlabelledControls(phone), `${path} has form controls without a label`).toEqual([]);
      const overflow = await phone.evaluate('document.documentElement.scrollWidth - window.innerWidth');
      expect(overflow, `${path} scrolls sideways`).toBeLessThanOrEqual(0);
    }
  } finally {
    await phone.close();
  }
}

/** The form controls on the page that have no label a screen reader could read out, described for a message. */
export async function unlabelledControls(page: Page): Promise<string[]> {
  // A string, as the tests are compiled without the DOM's types.
  return page.evaluate(`
    Array.from(document.querySelectorAll('input, select, textarea'))
      .filter((control) => control.type !== 'hidden')
      .filter((control) => control.labels.length === 0 && !control.getAttribute('aria-label') &&
        !control.getAttribute('aria-labelledby') && !control.title)
      .map((control) => control.outerHTML.slice(0, 120))
  `);
}
