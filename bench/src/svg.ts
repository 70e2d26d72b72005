/**
 * The plot in docs/performance.svg, written by hand (no plotting dependency): throughput as a share of the raw
 * ceiling, latency on a log scale, and the delivery rate and RSS over time during the drains.
 */
import type { ScenarioResult } from './figures.js';

const WIDTH = 900;
const LEFT = 250;
const RIGHT = 40;
const COLORS: Record<string, string> = { sqlite: '#2f6fb0', postgres: '#c0622f' };
const SERIES_COLORS = ['#2f6fb0', '#6aa84f', '#c0622f', '#8e7cc3'];

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (value: number) =>
  value >= 100 ? String(Math.round(value)) : String(Math.round(value * 10) / 10);

interface Bar {
  label: string;
  value: number;
  color: string;
  /** Where the target lies, on the same scale. */
  target?: number;
  note?: string;
}

class Canvas {
  readonly parts: string[] = [];
  height = 0;

  text(x: number, y: number, content: string, attrs = ''): void {
    this.parts.push(`<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(content)}</text>`);
  }

  line(x1: number, y1: number, x2: number, y2: number, attrs: string): void {
    this.parts.push(
      `<line x1="${x1.toFixed(1)}" y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}" ${attrs}/>`,
    );
  }

  title(y: number, content: string): void {
    this.text(20, y, content, 'font-size="15" font-weight="bold"');
  }
}

/** Horizontal bars; `scale` maps a value to 0..1 of the plot width. */
function bars(
  canvas: Canvas,
  top: number,
  title: string,
  items: Bar[],
  scale: (value: number) => number,
  ticks: Array<{ value: number; label: string }>,
): number {
  canvas.title(top + 16, title);
  const plotTop = top + 30;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const rowHeight = 22;
  const bottom = plotTop + Math.max(1, items.length) * rowHeight;
  for (const tick of ticks) {
    const x = LEFT + scale(tick.value) * plotWidth;
    canvas.line(x, plotTop, x, bottom, 'stroke="#ddd"');
    canvas.text(x, bottom + 14, tick.label, 'font-size="11" text-anchor="middle" fill="#555"');
  }
  items.forEach((item, i) => {
    const y = plotTop + i * rowHeight;
    canvas.text(LEFT - 8, y + 15, item.label, 'font-size="12" text-anchor="end"');
    const measured = Number.isFinite(item.value);
    const width = measured ? Math.max(1, Math.min(1, scale(item.value)) * plotWidth) : 0;
    canvas.parts.push(
      `<rect x="${LEFT}" y="${y + 3}" width="${width.toFixed(1)}" height="${rowHeight - 6}" fill="${item.color}"/>`,
    );
    const label = measured ? (item.note ?? fmt(item.value)) : 'not measured';
    canvas.text(LEFT + width + 4, y + 15, label, 'font-size="11" fill="#333"');
    if (item.target !== undefined) {
      const x = LEFT + Math.min(1, scale(item.target)) * plotWidth;
      canvas.line(x, y + 1, x, y + rowHeight - 1, 'stroke="#d11" stroke-width="2"');
    }
  });
  return bottom + 24;
}

interface Line {
  label: string;
  points: Array<[number, number]>;
  color: string;
}

function lines(
  canvas: Canvas,
  top: number,
  title: string,
  series: Line[],
  yLabel: string,
  guides: Array<{ value: number; label: string }>,
): number {
  canvas.title(top + 16, title);
  const plotTop = top + 30;
  const height = 170;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const maxX = Math.max(1, ...series.flatMap((s) => s.points.map(([x]) => x)));
  const maxY =
    Math.max(1, ...series.flatMap((s) => s.points.map(([, y]) => y)), ...guides.map((guide) => guide.value)) *
    1.1;
  const px = (x: number) => LEFT + (x / maxX) * plotWidth;
  const py = (y: number) => plotTop + height - (y / maxY) * height;
  canvas.line(LEFT, plotTop + height, LEFT + plotWidth, plotTop + height, 'stroke="#999"');
  canvas.line(LEFT, plotTop, LEFT, plotTop + height, 'stroke="#999"');
  for (let i = 0; i <= 4; i++) {
    const value = (maxY / 4) * i;
    canvas.text(LEFT - 6, py(value) + 4, fmt(value), 'font-size="11" text-anchor="end" fill="#555"');
    canvas.line(LEFT, py(value), LEFT + plotWidth, py(value), 'stroke="#eee"');
  }
  for (let i = 0; i <= 5; i++) {
    const value = (maxX / 5) * i;
    canvas.text(
      px(value),
      plotTop + height + 14,
      `${fmt(value)} s`,
      'font-size="11" text-anchor="middle" fill="#555"',
    );
  }
  canvas.text(20, plotTop + height / 2, yLabel, 'font-size="12" fill="#555"');
  for (const guide of guides) {
    canvas.line(
      LEFT,
      py(guide.value),
      LEFT + plotWidth,
      py(guide.value),
      'stroke="#d11" stroke-dasharray="4 3"',
    );
    canvas.text(
      LEFT + plotWidth - 4,
      py(guide.value) - 4,
      guide.label,
      'font-size="11" text-anchor="end" fill="#d11"',
    );
  }
  series.forEach((s, i) => {
    if (s.points.length === 0) return;
    const d = s.points
      .map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(y).toFixed(1)}`)
      .join(' ');
    canvas.parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.6"/>`);
    canvas.parts.push(
      `<rect x="${LEFT + 10}" y="${plotTop + 6 + i * 16}" width="10" height="10" fill="${s.color}"/>`,
    );
    canvas.text(LEFT + 24, plotTop + 15 + i * 16, s.label, 'font-size="11"');
  });
  return plotTop + height + 34;
}

function find(results: ScenarioResult[], scenario: string, database: string) {
  return results.find((result) => result.scenario === scenario && result.database === database);
}

function detail(result: ScenarioResult | undefined, ...keys: string[]): number {
  let value: unknown = result?.details;
  for (const key of keys) value = (value as Record<string, unknown> | undefined)?.[key];
  return typeof value === 'number' ? value : Number.NaN;
}

export function renderSvg(
  results: ScenarioResult[],
  ceilings: Record<string, number>,
  caption: string,
): string {
  const canvas = new Canvas();
  const databases = [...new Set(results.map((result) => result.database))];
  let y = 10;
  canvas.text(20, y + 16, caption, 'font-size="12" fill="#555"');
  y += 26;

  const throughput: Bar[] = [];
  for (const database of databases) {
    const color = COLORS[database] ?? '#777';
    const ceiling = ceilings[database] ?? Number.NaN;
    const share = (value: number) => (value / ceiling) * 100;
    const drain = find(results, 'drain', database);
    throughput.push({
      label: `${database}: drain`,
      value: share(detail(drain, 'deliveriesPerSecond')),
      color,
      target: database === 'sqlite' ? 50 : 30,
    });
    const backlog = find(results, 'backlog', database);
    throughput.push({
      label: `${database}: backlog, first 10 %`,
      value: share(detail(backlog, 'firstTenthPerSecond')),
      color,
    });
    throughput.push({
      label: `${database}: backlog, last 10 %`,
      value: share(detail(backlog, 'lastTenthPerSecond')),
      color,
    });
    const isolation = find(results, 'isolation', database);
    throughput.push({
      label: `${database}: healthy, all healthy`,
      value: share(detail(isolation, 'allHealthy', 'throughput')),
      color,
    });
    throughput.push({
      label: `${database}: healthy, 40 % faulty`,
      value: share(detail(isolation, 'faulty', 'throughput')),
      color,
    });
  }
  for (const bar of throughput) if (Number.isFinite(bar.value)) bar.note = `${fmt(bar.value)} %`;
  const maxShare = Math.max(100, ...throughput.map((bar) => (Number.isFinite(bar.value) ? bar.value : 0)));
  y = bars(
    canvas,
    y,
    'Throughput, % of the raw ceiling measured in the same run (red: target)',
    throughput,
    (value) => value / maxShare,
    [0, 25, 50, 75, 100].map((value) => ({ value, label: `${value} %` })),
  );

  const latency: Bar[] = [];
  for (const database of databases) {
    const color = COLORS[database] ?? '#777';
    const sqlite = database === 'sqlite';
    const run = find(results, 'latency', database);
    latency.push({
      label: `${database}: steady rate, p50`,
      value: detail(run, 'latencyMs', 'p50'),
      color,
      ...(sqlite && { target: 5 }),
    });
    latency.push({ label: `${database}: steady rate, p90`, value: detail(run, 'latencyMs', 'p90'), color });
    latency.push({
      label: `${database}: steady rate, p99`,
      value: detail(run, 'latencyMs', 'p99'),
      color,
      target: sqlite ? 25 : 50,
    });
    const isolation = find(results, 'isolation', database);
    latency.push({
      label: `${database}: healthy p99, all healthy`,
      value: detail(isolation, 'allHealthy', 'latencyMs', 'p99'),
      color,
    });
    latency.push({
      label: `${database}: healthy p99, 40 % faulty`,
      value: detail(isolation, 'faulty', 'latencyMs', 'p99'),
      color,
    });
    const fanout = find(results, 'fanout', database);
    latency.push({
      label: `${database}: fan-out, all delivered`,
      value: detail(fanout, 'warm', 'allDeliveredMs'),
      color,
      target: 2000,
    });
  }
  for (const bar of latency) if (Number.isFinite(bar.value)) bar.note = `${fmt(bar.value)} ms`;
  const logMin = -1;
  const logMax = Math.max(
    4,
    Math.ceil(Math.log10(Math.max(1, ...latency.map((bar) => (Number.isFinite(bar.value) ? bar.value : 1))))),
  );
  y = bars(
    canvas,
    y,
    'Latency, ms, log scale (red: target)',
    latency,
    (value) => (Math.log10(Math.max(10 ** logMin, value)) - logMin) / (logMax - logMin),
    Array.from({ length: logMax - logMin + 1 }, (_, i) => ({
      value: 10 ** (logMin + i),
      label: String(10 ** (logMin + i)),
    })),
  );

  const rates: Line[] = [];
  const rss: Line[] = [];
  let colorIndex = 0;
  for (const database of databases)
    for (const scenario of ['drain', 'backlog']) {
      const result = find(results, scenario, database);
      const color = SERIES_COLORS[colorIndex++ % SERIES_COLORS.length]!;
      const perSecond = result?.series?.deliveriesPerSecond ?? [];
      if (perSecond.length > 0)
        rates.push({
          label: `${database}: ${scenario}`,
          color,
          points: perSecond.map((value, i) => [i + 1, value]),
        });
      const memory = result?.series?.rssMB ?? [];
      if (memory.length > 0)
        rss.push({
          label: `${database}: ${scenario}`,
          color,
          points: memory.map((sample) => [sample.at, sample.rssMB]),
        });
    }
  y = lines(
    canvas,
    y,
    'Deliveries per second during the drains (dashed: raw ceiling)',
    rates,
    'per s',
    databases
      .filter((database) => Number.isFinite(ceilings[database]))
      .map((database) => ({
        value: ceilings[database]!,
        label: `${database} pass ceiling`,
      })),
  );
  y = lines(canvas, y, 'Herald RSS during the drains, MB (dashed: targets)', rss, 'MB', [
    { value: 250, label: 'scenario 2: 250 MB' },
    { value: 300, label: 'backlog: 300 MB' },
  ]);
  canvas.height = y;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${canvas.height}" viewBox="0 0 ${WIDTH} ${canvas.height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...canvas.parts,
    '</svg>',
    '',
  ].join('\n');
}
