/** The figures a scenario reports, each with its target and whether it was met. */
import type { Database } from './herald-process.js';

export interface Target {
  /** `within`: the value is a ratio that must lie within ±`value` of 1. */
  op: '>=' | '<=' | 'within';
  value: number;
}

export interface Figure {
  /** Stable key, e.g. `drain.ratio`. */
  key: string;
  scenario: string;
  /** What was measured, for the table. */
  label: string;
  /** The number compared with the target (a ratio, milliseconds, MB …). */
  value: number;
  unit: string;
  /** The figure as the table shows it, with the absolute number beside a ratio. */
  shown: string;
  target: Target | null;
  /** null when there is no target, or the figure could not be measured. */
  pass: boolean | null;
  /** For a share of the raw ceiling: the absolute rate, per second; `value` is set once the pass's ceiling is known. */
  rate?: number;
}

export function figure(
  key: string,
  scenario: string,
  label: string,
  value: number,
  unit: string,
  shown: string,
  target: Target | null,
): Figure {
  const measurable = Number.isFinite(value);
  const pass =
    target === null || !measurable
      ? null
      : target.op === '>='
        ? value >= target.value
        : target.op === '<='
          ? value <= target.value
          : Math.abs(value - 1) <= target.value;
  return { key, scenario, label, value, unit, shown, target, pass };
}

/**
 * A throughput figure reported as a share of the raw ceiling. Its value is filled in by `againstCeiling` when
 * the pass ends, since the ceiling is measured at the start and at the end of every pass.
 */
export function ceilingFigure(
  key: string,
  scenario: string,
  label: string,
  rate: number,
  target: Target | null,
): Figure {
  return { ...figure(key, scenario, label, Number.NaN, '%', perSecond(rate), target), rate };
}

export function againstCeiling(item: Figure, ceiling: number): Figure {
  if (item.rate === undefined) return item;
  const ratio = item.rate / ceiling;
  const shown = `${perSecond(item.rate)} = ${pct(ratio)} of ceiling`;
  return { ...figure(item.key, item.scenario, item.label, ratio, '%', shown, item.target), rate: item.rate };
}

export function showTarget(target: Target | null, unit: string): string {
  if (target === null) return '–';
  if (target.op === 'within') return `within ±${Math.round(target.value * 100)} %`;
  const op = target.op === '>=' ? '≥' : '≤';
  if (unit === '%') return `${op} ${Math.round(target.value * 100)} %`;
  return `${op} ${target.value} ${unit}`.trim();
}

export const pct = (ratio: number) => (Number.isFinite(ratio) ? `${Math.round(ratio * 1000) / 10} %` : 'n/a');
export const perSecond = (value: number) =>
  Number.isFinite(value) ? `${Math.round(value).toLocaleString('en-US')}/s` : 'n/a';
export const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value * 10) / 10} ms` : 'n/a');

/** Everything one scenario found: its figures, and details kept in the JSON for whoever digs further. */
export interface ScenarioResult {
  scenario: string;
  database: Database;
  figures: Figure[];
  details: Record<string, unknown>;
  /** Series for the plot: deliveries per second over time, RSS over time. */
  series?: { deliveriesPerSecond?: number[]; rssMB?: Array<{ at: number; rssMB: number }> };
  /** Machine load during the scenario. */
  load?: { otherCores: number; benchCores: number; loadAverage1m: number };
  seconds: number;
  error?: string;
}
