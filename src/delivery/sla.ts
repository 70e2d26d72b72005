/**
 * Delivery SLAs: what an attempt's result adds to the rollups, and what the rollups say about an SLA. Both are
 * pure functions; the results writer writes the counts and the SLA evaluator and the API read them.
 *
 * What is counted. Each message sent to an endpoint (a delivery) counts once, in the minute its message was
 * created, from its first automatic attempt: as `delivered` when that attempt succeeds, as `undelivered` when
 * it fails. When a later retry delivers it, it moves from `undelivered` to `delivered` (in its creation minute).
 * So a receiver that starts failing lowers the success rate within a minute, not when retries run out days
 * later, and a message delivered by a retry counts as delivered, as the promise says. A delivery counts as
 * delivered in time when it was delivered within the delay bound of its message's creation. Manual resends are
 * not counted: an SLA measures automatic delivery. Deliveries not tried yet (queued, or behind an open circuit)
 * are not counted until their first attempt.
 */
import {
  DeliveryStatus,
  SLA_DELAY_BOUNDS_MS,
  TriggerType,
  type Attempt,
  type DeliveryUpdate,
  type Sla,
  type SlaCounts,
  type SlaRollupBucket,
  type SlaRollupDelta,
  type SlaStatus,
  type Store,
} from '../store/index.js';

export const MINUTE_MS = 60_000;
/** The windows an SLA may use, by name. */
export const SLA_WINDOWS = { '1h': 3_600_000, '1d': 86_400_000, '30d': 30 * 86_400_000 } as const;
export type SlaWindow = keyof typeof SLA_WINDOWS;
/** An SLA is at risk when less than this share of an error budget is left. */
export const AT_RISK_BUDGET = 0.25;
/** Points of an SLA's history: the window cut into this many buckets. */
export const HISTORY_POINTS = 60;
/** How long rollups are kept: the longest window and a day, so a 30-day window always has all its minutes. */
export const ROLLUP_RETENTION_MS = SLA_WINDOWS['30d'] + 86_400_000;

/** What one attempt result says, for the rollups. */
export interface CountedResult {
  update: Pick<DeliveryUpdate, 'status' | 'attemptCount'>;
  attempt: Pick<Attempt, 'appId' | 'endpointId' | 'triggerType' | 'createdAt' | 'durationMs'>;
  messageCreatedAt: number;
}

/** The counts one result adds, or null when it adds none. */
function countsOf({ update, attempt, messageCreatedAt }: CountedResult): SlaCounts | null {
  if (attempt.triggerType !== TriggerType.Scheduled) return null;
  const first = update.attemptCount === 1;
  if (update.status !== DeliveryStatus.Success)
    return first ? { delivered: 0, undelivered: 1, within: SLA_DELAY_BOUNDS_MS.map(() => 0) } : null;
  const delay = attempt.createdAt + attempt.durationMs - messageCreatedAt;
  return {
    delivered: 1,
    undelivered: first ? 0 : -1,
    within: SLA_DELAY_BOUNDS_MS.map((bound) => (delay <= bound ? 1 : 0)),
  };
}

/**
 * The rollup counts a batch of results adds: one delta per (scope, minute), for both the application and the
 * endpoint (the store keeps only those with an SLA).
 */
export function rollupDeltas(results: readonly CountedResult[]): SlaRollupDelta[] {
  const deltas = new Map<string, SlaRollupDelta>();
  for (const result of results) {
    const counts = countsOf(result);
    if (counts === null) continue;
    const minute = Math.floor(result.messageCreatedAt / MINUTE_MS) * MINUTE_MS;
    for (const scope of [result.attempt.appId, result.attempt.endpointId]) {
      const key = `${scope} ${minute}`;
      const delta = deltas.get(key) ?? {
        scope,
        minute,
        delivered: 0,
        undelivered: 0,
        within: SLA_DELAY_BOUNDS_MS.map(() => 0),
      };
      delta.delivered += counts.delivered;
      delta.undelivered += counts.undelivered;
      counts.within.forEach((n, i) => (delta.within[i]! += n));
      deltas.set(key, delta);
    }
  }
  return [...deltas.values()];
}

/** One objective's figures, as fractions: the target, the current value (null with no messages), budget left. */
export interface ObjectiveFigures {
  target: number;
  current: number | null;
  /** 1 when nothing of the error budget is spent, 0 when all of it, negative when overspent. */
  budgetRemaining: number;
}

export interface SlaFigures {
  windowStart: number;
  windowEnd: number;
  /** Messages counted in the window (tried at least once), and those delivered. */
  messages: number;
  delivered: number;
  successRate: ObjectiveFigures | null;
  delay: (ObjectiveFigures & { thresholdMs: number }) | null;
  status: SlaStatus;
  /** The smaller budget left of the two objectives. */
  budgetRemaining: number;
}

function objective(target: number, good: number, total: number): ObjectiveFigures {
  if (total === 0) return { target, current: null, budgetRemaining: 1 };
  const allowed = (1 - target) * total;
  const bad = total - good;
  return {
    target,
    current: good / total,
    budgetRemaining: allowed === 0 ? (bad === 0 ? 1 : -1) : 1 - bad / allowed,
  };
}

/** Sums buckets into one set of counts. */
export function total(buckets: readonly SlaCounts[]): SlaCounts {
  const sum: SlaCounts = { delivered: 0, undelivered: 0, within: SLA_DELAY_BOUNDS_MS.map(() => 0) };
  for (const bucket of buckets) {
    sum.delivered += bucket.delivered;
    sum.undelivered += bucket.undelivered;
    bucket.within.forEach((n, i) => (sum.within[i]! += n));
  }
  return sum;
}

type SlaTargets = Pick<Sla, 'windowMs' | 'successTarget' | 'delayMs' | 'delayTarget'>;

/** An SLA's figures from its scope's counts over the window [windowStart, windowEnd). */
export function figures(
  sla: SlaTargets,
  counts: SlaCounts,
  windowStart: number,
  windowEnd: number,
): SlaFigures {
  const messages = counts.delivered + counts.undelivered;
  const successRate =
    sla.successTarget === null ? null : objective(sla.successTarget, counts.delivered, messages);
  const bound = sla.delayMs === null ? -1 : SLA_DELAY_BOUNDS_MS.indexOf(sla.delayMs);
  const delay =
    sla.delayTarget === null || sla.delayMs === null || bound < 0
      ? null
      : { thresholdMs: sla.delayMs, ...objective(sla.delayTarget, counts.within[bound] ?? 0, messages) };
  const budgetRemaining = Math.min(successRate?.budgetRemaining ?? 1, delay?.budgetRemaining ?? 1);
  const status: SlaStatus =
    budgetRemaining < 0 ? 'breached' : budgetRemaining < AT_RISK_BUDGET ? 'at_risk' : 'ok';
  return {
    windowStart,
    windowEnd,
    messages,
    delivered: counts.delivered,
    successRate,
    delay,
    status,
    budgetRemaining,
  };
}

/** The window an SLA is judged over at `now`: its last `windowMs`, in whole minutes, up to the current one. */
export function windowAt(sla: Pick<Sla, 'windowMs'>, now: number): { start: number; end: number } {
  const end = Math.floor(now / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  return { start: end - sla.windowMs, end };
}

/** The length of one history bucket: the window in HISTORY_POINTS parts, whole minutes. */
export function historyBucketMs(sla: Pick<Sla, 'windowMs'>): number {
  return Math.max(MINUTE_MS, Math.floor(sla.windowMs / HISTORY_POINTS / MINUTE_MS) * MINUTE_MS);
}

/** Each history bucket's figures, with empty buckets filled in. */
export function history(
  sla: SlaTargets,
  buckets: readonly SlaRollupBucket[],
  start: number,
  end: number,
  bucketMs: number,
): SlaFigures[] {
  const byStart = new Map(buckets.map((bucket) => [bucket.start, bucket]));
  const points: SlaFigures[] = [];
  for (let at = start; at < end; at += bucketMs)
    points.push(figures(sla, byStart.get(at) ?? total([]), at, Math.min(at + bucketMs, end)));
  return points;
}

/** What the API and the evaluator read of an SLA: its figures now, and its history over the window. */
export async function slaCompliance(
  store: Pick<Store, 'slaRollupBuckets'>,
  sla: SlaTargets & Pick<Sla, 'appId' | 'endpointId'>,
  now: number,
): Promise<{ figures: SlaFigures; history: SlaFigures[] }> {
  const { start, end } = windowAt(sla, now);
  const bucketMs = historyBucketMs(sla);
  // One query serves both: the history's buckets add up to the window.
  const buckets = await store.slaRollupBuckets(sla.endpointId ?? sla.appId, start, end, bucketMs);
  return {
    figures: figures(sla, total(buckets), start, end),
    history: history(sla, buckets, start, end, bucketMs),
  };
}

/** A fraction as a percentage, to four decimals. */
export const percent = (fraction: number | null) =>
  fraction === null ? null : Math.round(fraction * 1e6) / 1e4;

/** The name of an SLA's window ('1d'), or its length in milliseconds for a window no name has. */
export function windowName(windowMs: number): string {
  return Object.entries(SLA_WINDOWS).find(([, ms]) => ms === windowMs)?.[0] ?? `${windowMs}ms`;
}

/** Figures as the API, the dashboard and the operational events show them: percentages and ISO times. */
export function figuresOut(f: SlaFigures) {
  const objectiveOut = (o: ObjectiveFigures) => ({
    target: percent(o.target)!,
    current: percent(o.current),
    budgetRemaining: percent(o.budgetRemaining)!,
  });
  return {
    windowStart: new Date(f.windowStart).toISOString(),
    windowEnd: new Date(f.windowEnd).toISOString(),
    messages: f.messages,
    delivered: f.delivered,
    successRate: f.successRate === null ? null : objectiveOut(f.successRate),
    delay:
      f.delay === null ? null : { thresholdSeconds: f.delay.thresholdMs / 1000, ...objectiveOut(f.delay) },
    status: f.status,
    budgetRemaining: percent(f.budgetRemaining)!,
  };
}
export type SlaFiguresOut = ReturnType<typeof figuresOut>;
