/**
 * `npm run grafana-preview`: a picture of docs/grafana-dashboard.json from a real run, since Grafana is not
 * installable where Herald is built. It starts a real Herald with traffic to local receivers (some failing), has
 * a real Prometheus scrape its /metrics, evaluates every panel's own queries in Prometheus, draws the panels in
 * Chromium (uPlot for the time series) and saves docs/grafana-dashboard.png. Run by hand; needs Debian's
 * `prometheus` and `chromium`, and `npm install --prefix scripts/grafana-preview` for uPlot.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';
import { sendTraffic, setUp, startHerald, startReceivers } from './herald.js';
import { panelData } from './panels.js';
import { scraping, startPrometheus, SCRAPE_SECONDS } from './prometheus.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SOURCE = path.resolve(HERE, '..');
const ROOT = path.resolve(SOURCE, '..', '..');
const SECONDS = Number(process.env.PREVIEW_SECONDS ?? 300);
const WIDTH = 1600;

async function render(panels: unknown, caption: string, file: string): Promise<void> {
  const browser = await chromium.launch({
    executablePath: process.env.HERALD_TEST_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: WIDTH, height: 900 } });
    await page.setContent('<!doctype html><html><head></head><body></body></html>');
    const uplot = path.join(SOURCE, 'node_modules', 'uplot', 'dist');
    await page.addStyleTag({ path: path.join(uplot, 'uPlot.min.css') });
    await page.addStyleTag({ path: path.join(SOURCE, 'page.css') });
    await page.addScriptTag({ path: path.join(uplot, 'uPlot.iife.min.js') });
    await page.addScriptTag({ path: path.join(SOURCE, 'draw.js') });
    await page.evaluate(
      ([data, text, width]) =>
        (globalThis as unknown as { drawDashboard: (...args: unknown[]) => void }).drawDashboard(
          data,
          text,
          width,
        ),
      [panels, caption, WIDTH] as const,
    );
    await page.screenshot({ path: file, fullPage: true });
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const receivers = await startReceivers();
  const herald = await startHerald(path.join(ROOT, '.preview-dist'));
  const prometheus = await startPrometheus(herald.url, herald.token);
  try {
    await setUp(herald, receivers.urls);
    await sleep(2 * SCRAPE_SECONDS * 1000);
    if (!(await scraping(prometheus))) throw new Error('prometheus does not scrape herald');
    const start = Math.floor(Date.now() / 1000);
    const loadBefore = os.loadavg()[0]!;
    console.log(`sending traffic for ${SECONDS} s`);
    const sent = await sendTraffic(herald, SECONDS);
    await sleep(2 * SCRAPE_SECONDS * 1000);
    const end = Math.floor(Date.now() / 1000);
    const panels = await panelData(
      path.join(ROOT, 'docs', 'grafana-dashboard.json'),
      prometheus,
      start,
      end,
      10,
    );
    const empty = panels.filter((p) => p.type !== 'row' && p.series.length === 0).map((p) => p.title);
    console.log(`${sent} messages sent; panels without data: ${empty.join(', ') || 'none'}`);
    const caption =
      `Herald — docs/grafana-dashboard.json, its queries evaluated by a real Prometheus over a ` +
      `${Math.round(SECONDS / 60)}-minute run (${new Date(start * 1000).toISOString().slice(0, 16)}Z), drawn by ` +
      `scripts/grafana-preview; load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0]!.toFixed(1)} ` +
      `on ${os.cpus().length} cores`;
    const file = path.join(ROOT, 'docs', 'grafana-dashboard.png');
    await render(panels, caption, file);
    console.log(`wrote ${path.relative(ROOT, file)}`);
  } finally {
    await prometheus.stop();
    await herald.stop();
    await receivers.close();
  }
}

await main();
