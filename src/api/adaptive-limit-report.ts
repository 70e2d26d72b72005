/**
 * An endpoint's adaptive limit as the health report shows it, from what the delivery workers report
 * (`delivery/adaptive-limits.ts`): the limit now (the sum over the workers that sent to it lately) and its
 * history, per period.
 */
import type { EndpointLimitReport } from '../store/index.js';

/** A worker's report counts as current for this long; a worker that stopped or went idle drops out after it. */
export const CURRENT_MS = 2 * 60_000;

export interface CurrentLimit {
  limit: number | null;
  ceiling: number | null;
  reason: string | null;
  updatedAt: number | null;
}

/** The limit now: the latest report of each worker, summed; nulls when no worker sent to it lately. */
export function currentLimit(recent: EndpointLimitReport[]): CurrentLimit {
  const latest = new Map<string, EndpointLimitReport>();
  for (const report of recent) {
    const seen = latest.get(report.worker);
    if (seen === undefined || report.updatedAt > seen.updatedAt) latest.set(report.worker, report);
  }
  const reports = [...latest.values()].sort((a, b) => b.updatedAt - a.updatedAt);
  if (reports.length === 0) return { limit: null, ceiling: null, reason: null, updatedAt: null };
  return {
    limit: sum(reports.map((report) => report.limit)),
    ceiling: sum(reports.map((report) => report.ceiling)),
    reason: reports[0]!.reason,
    updatedAt: reports[0]!.updatedAt,
  };
}

export interface LimitPeriod {
  start: number;
  /** The limit at the end of the period, and its lowest and highest in it; null when nothing was sent. */
  limit: number | null;
  low: number | null;
  high: number | null;
  ceiling: number | null;
}

/**
 * The history from `after` to `now` in `count` equal periods: per minute the workers' reports are summed, and
 * per period the last minute's limit is kept with the lowest and highest of its minutes.
 */
export function limitHistory(
  reports: EndpointLimitReport[],
  after: number,
  now: number,
  count: number,
): LimitPeriod[] {
  const minutes = new Map<number, { limit: number; low: number; high: number; ceiling: number }>();
  for (const report of reports) {
    const minute = minutes.get(report.minute) ?? { limit: 0, low: 0, high: 0, ceiling: 0 };
    minute.limit += report.limit;
    minute.low += report.low;
    minute.high += report.high;
    minute.ceiling += report.ceiling;
    minutes.set(report.minute, minute);
  }
  const size = Math.max(1, (now - after) / count);
  const periods: LimitPeriod[] = Array.from({ length: count }, (_, i) => ({
    start: Math.round(after + i * size),
    limit: null,
    low: null,
    high: null,
    ceiling: null,
  }));
  for (const [start, minute] of [...minutes].sort(([a], [b]) => a - b)) {
    const period = periods[Math.min(count - 1, Math.max(0, Math.floor((start - after) / size)))]!;
    period.limit = minute.limit;
    period.ceiling = minute.ceiling;
    period.low = Math.min(period.low ?? minute.low, minute.low);
    period.high = Math.max(period.high ?? minute.high, minute.high);
  }
  return periods;
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
