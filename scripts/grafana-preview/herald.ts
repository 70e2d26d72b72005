/**
 * What the preview measures: a real Herald (`herald serve`, built into .preview-dist/) on 127.0.0.1 delivering to
 * four local receivers, one healthy, one slow, one failing two requests in five and one always failing, so that
 * every row of the dashboard has something to show.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Herald {
  url: string;
  token: string;
  call(method: string, route: string, body?: unknown): Promise<{ id?: string }>;
  stop(): Promise<void>;
}

const SERVING = /Herald is serving (http:\/\/127\.0\.0\.1:\d+)/;
const ADMIN_TOKEN = /hk_admin_[A-Za-z0-9_-]{20,}/;

/** Starts `herald serve` from `dist` with a fresh data directory; SLAs evaluated every 5 s. */
export async function startHerald(dist: string): Promise<Herald> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-preview-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(dist, 'cli', 'main.js'), 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir],
    {
      env: {
        ...process.env,
        HERALD_SSRF_ALLOW_CIDRS: '127.0.0.1/32',
        HERALD_LOG_LEVEL: 'warn',
        HERALD_SLA_EVALUATE_MS: '5000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  for (let waited = 0; !SERVING.test(output) || !ADMIN_TOKEN.test(output); waited += 50) {
    if (waited > 60_000 || child.exitCode !== null) throw new Error(`herald serve did not start:\n${output}`);
    await sleep(50);
  }
  const url = SERVING.exec(output)![1]!;
  const token = ADMIN_TOKEN.exec(output)![0];
  return {
    url,
    token,
    async call(method, route, body) {
      const response = await fetch(`${url}/api/v1${route}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      if (response.status >= 300)
        throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
      return (await response.json()) as { id?: string };
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('close', resolve));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** How a receiver answers: a status after a delay. */
type Behaviour = () => { status: number; delayMs: number };

export const RECEIVERS: Record<string, Behaviour> = {
  healthy: () => ({ status: 200, delayMs: 10 + Math.random() * 60 }),
  slow: () => ({ status: 200, delayMs: 300 + Math.random() * 1200 }),
  flaky: () => ({ status: Math.random() < 0.4 ? 500 : 200, delayMs: 20 + Math.random() * 100 }),
  down: () => ({ status: 503, delayMs: 5 }),
};

/** Starts one receiver per behaviour; returns their URLs and what closes them. */
export async function startReceivers() {
  const servers: http.Server[] = [];
  const urls: Record<string, string> = {};
  for (const [name, behave] of Object.entries(RECEIVERS)) {
    const server = http.createServer((request, response) => {
      request.resume();
      const { status, delayMs } = behave();
      setTimeout(() => response.writeHead(status).end(), delayMs);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    urls[name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/${name}`;
  }
  const close = () => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return { urls, close };
}

/**
 * Two applications with an SLA each: `shop` sends to the healthy and the flaky receivers, `billing` to the slow
 * and the failing one (whose circuit opens). Retries come after 5, 10 and 20 s.
 */
export async function setUp(herald: Herald, urls: Record<string, string>): Promise<void> {
  const apps = { shop: ['healthy', 'flaky'], billing: ['slow', 'down'] };
  for (const [app, receivers] of Object.entries(apps)) {
    await herald.call('POST', '/app', { name: app, uid: app });
    for (const receiver of receivers)
      await herald.call('POST', `/app/${app}/endpoint`, {
        url: urls[receiver],
        description: receiver,
        retrySchedule: [5, 10, 20],
      });
  }
  await herald.call('POST', '/app/shop/sla', {
    name: 'shop delivery',
    window: '1h',
    successTarget: 99,
    delayTarget: 95,
    delaySeconds: 5,
  });
  await herald.call('POST', '/app/billing/sla', {
    name: 'billing delivery',
    window: '1h',
    successTarget: 99.9,
  });
}

/** Sends messages to both applications for `seconds`: about `rate` a second, in waves. */
export async function sendTraffic(herald: Herald, seconds: number, rate = 20): Promise<number> {
  const started = Date.now();
  let sent = 0;
  while (Date.now() - started < seconds * 1000) {
    const elapsed = (Date.now() - started) / 1000;
    // A slow wave over the run, so that the charts are not flat.
    const now = Math.max(1, Math.round((rate / 10) * (1 + 0.6 * Math.sin(elapsed / 20))));
    await Promise.all(
      Array.from({ length: now }, (_, i) =>
        herald.call('POST', `/app/${i % 2 === 0 ? 'shop' : 'billing'}/msg`, {
          eventType: 'order.updated',
          payload: { order: sent + i },
        }),
      ),
    );
    sent += now;
    await sleep(100);
  }
  return sent;
}
