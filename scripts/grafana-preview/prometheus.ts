/**
 * A real Prometheus (Debian's `prometheus` package) scraping Herald's /metrics every 5 s with the admin key, in a
 * temporary directory, and its HTTP query API.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const SCRAPE_SECONDS = 5;
const PORT = Number(process.env.PREVIEW_PROMETHEUS_PORT ?? 9099);

/** One series as Prometheus returns it: its labels and its [unix seconds, value] samples. */
export interface Series {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

export interface Prometheus {
  /** `query_range` from `start` to `end` (unix seconds). */
  range(query: string, start: number, end: number, step: number): Promise<Series[]>;
  /** An instant query at `time`. */
  instant(query: string, time: number): Promise<Series[]>;
  stop(): Promise<void>;
}

export async function startPrometheus(heraldUrl: string, token: string): Promise<Prometheus> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-preview-prometheus-'));
  const config = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(
    config,
    [
      'global:',
      `  scrape_interval: ${SCRAPE_SECONDS}s`,
      'scrape_configs:',
      '  - job_name: herald',
      '    authorization:',
      `      credentials: ${token}`,
      '    static_configs:',
      `      - targets: ['${new URL(heraldUrl).host}']`,
      '',
    ].join('\n'),
  );
  const child = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${PORT}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (log = (log + chunk).slice(-8000)));
  const base = `http://127.0.0.1:${PORT}/api/v1`;
  const get = async (route: string, params: Record<string, string>): Promise<Series[]> => {
    const response = await fetch(`${base}/${route}?${new URLSearchParams(params)}`);
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data: { result: Array<Series & { value?: [number, string] }> };
    };
    if (body.status !== 'success') throw new Error(`prometheus ${params.query}: ${body.error}`);
    return body.data.result.map((s) => ({ metric: s.metric, values: s.values ?? [s.value!] }));
  };
  for (let waited = 0; ; waited += 200) {
    const ready = await fetch(`http://127.0.0.1:${PORT}/-/ready`).catch(() => null);
    if (ready?.ok) break;
    if (waited > 30_000 || child.exitCode !== null) throw new Error(`prometheus did not start:\n${log}`);
    await sleep(200);
  }
  return {
    range: (query, start, end, step) =>
      get('query_range', { query, start: String(start), end: String(end), step: String(step) }),
    instant: (query, time) => get('query', { query, time: String(time) }),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('close', resolve));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether Prometheus scraped Herald at its last try (the `up` series of the job). */
export async function scraping(prometheus: Prometheus): Promise<boolean> {
  const up = await prometheus.instant('up{job="herald"}', Date.now() / 1000);
  return up[0]?.values[0]?.[1] === '1';
}
