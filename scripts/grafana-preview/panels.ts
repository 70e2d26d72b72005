/**
 * The dashboard's panels with their data: each panel's own queries, from docs/grafana-dashboard.json, evaluated by
 * Prometheus as Grafana would send them, with every application and endpoint chosen (`$app`, `$endpoint` as
 * `.*`) and `$__rate_interval` as Grafana computes it for a 5 s scrape (four scrape intervals).
 */
import fs from 'node:fs';
import { SCRAPE_SECONDS, type Prometheus, type Series } from './prometheus.js';

interface Target {
  expr: string;
  legendFormat?: string;
}

interface DashboardPanel {
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
  fieldConfig?: { defaults?: { unit?: string } };
  panels?: DashboardPanel[];
}

/** A panel as the page draws it: where it goes, and its series (times in unix seconds). */
export interface PanelData {
  type: string;
  title: string;
  gridPos: DashboardPanel['gridPos'];
  unit: string;
  series: Array<{ name: string; labels: Record<string, string>; values: Array<[number, number]> }>;
}

/** A query as Grafana sends it with every application and endpoint chosen. */
export function resolve(expr: string): string {
  return expr
    .replaceAll('$app', '.*')
    .replaceAll('$endpoint', '.*')
    .replaceAll('$__rate_interval', `${4 * SCRAPE_SECONDS}s`);
}

/** A series' legend: the target's `legendFormat` with `{{label}}` filled in, or its labels. */
function legend(target: Target, series: Series): string {
  const format = target.legendFormat ?? '';
  if (format === '') return JSON.stringify(series.metric).replaceAll('"', '');
  return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, label: string) => series.metric[label] ?? '');
}

/** Every panel of the dashboard, rows flattened, with its queries' results from `start` to `end`. */
export async function panelData(
  file: string,
  prometheus: Prometheus,
  start: number,
  end: number,
  step: number,
): Promise<PanelData[]> {
  const dashboard = JSON.parse(fs.readFileSync(file, 'utf8')) as { panels: DashboardPanel[] };
  const flat = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  const out: PanelData[] = [];
  for (const panel of flat) {
    const series: PanelData['series'] = [];
    for (const target of panel.targets ?? []) {
      const expr = resolve(target.expr);
      // A time series over the run; the other panels show the values at its end.
      const result =
        panel.type === 'timeseries'
          ? await prometheus.range(expr, start, end, step)
          : await prometheus.instant(expr, end);
      for (const item of result)
        series.push({
          name: legend(target, item),
          labels: item.metric,
          values: item.values.map(([time, value]) => [time, Number(value)]),
        });
    }
    out.push({
      type: panel.type,
      title: panel.title,
      gridPos: panel.gridPos,
      unit: panel.fieldConfig?.defaults?.unit ?? '',
      series,
    });
  }
  return out;
}
