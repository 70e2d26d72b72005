/**
 * Debian's Chromium driven by playwright-core, for the dashboard tests. No browser is downloaded: the tests
 * need /usr/bin/chromium (`apt-get install -y chromium`), and fail with that instruction when it is missing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.HERALD_TEST_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Where screenshots of the main screens go, to look at after a run (ignored by git). */
export const SCREENSHOT_DIR = path.resolve('.herald-test-screenshots');

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Saves a full-page screenshot as `<name>.png` in SCREENSHOT_DIR. */
  screenshot(name: string, page?: Page): Promise<void>;
  close(): Promise<void>;
}

export async function launchBrowser(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}. The dashboard tests drive Debian's Chromium: install it with ` +
        '`sudo apt-get install -y chromium` (CI does this in .ci/run), or point HERALD_TEST_CHROMIUM at a ' +
        'Chromium binary.',
    );
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport,
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async screenshot(name, target = page) {
      fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await target.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
    },
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
