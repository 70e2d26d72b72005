/**
 * Adaptive throttling: how many requests a worker keeps in flight to one endpoint, adjusted from the endpoint's
 * own answers. This file is the controller, a pure function of its state and one finished request
 * (`observe`); `adaptive-limits.ts` keeps one state per endpoint, feeds it, and publishes it.
 *
 * Additive increase, multiplicative decrease, by rounds: a round is as many finished requests as the limit
 * allows in flight (at least `ROUND_MIN`), all started after the limit last changed (so each decision judges
 * the limit in force). At the end of a round:
 *
 * - p95 latency over `TOLERANCE` times the endpoint's baseline (and `SLACK_MS` above it): the limit is cut in
 *   proportion to how far p95 is past what is tolerated, to between half and nine tenths of itself;
 * - otherwise, if the limit was in use (as many requests in flight as allowed) and the round had successes:
 *   it rises by one (doubles while in slow start, from `INITIAL_LIMIT` until the first cut), up to the ceiling.
 *
 * A 429, a 503, a timeout or a reset connection cuts it by half at once, once per round; a `Retry-After` on a
 * 429 or 503 holds it down (no rise) until that time. It never goes below 1 nor above the ceiling (the
 * worker's share of `HERALD_ENDPOINT_CONCURRENCY`). The baseline is the lowest latency seen; at one request
 * in flight it drifts up slowly towards each round's answer, so an endpoint that becomes slower for good is
 * not held at one forever.
 */

/** Where a new (or long idle) endpoint starts, below the ceiling: slow start doubles it per fast round. */
export const INITIAL_LIMIT = 4;
/** p95 latency up to this many times the baseline counts as fast. */
export const TOLERANCE = 2;
/** …and so does any p95 within this many milliseconds of it, so that jitter on a fast endpoint is no signal. */
export const SLACK_MS = 100;
/**
 * A round has at least this many requests, so that its p95 passes over the single slowest answer: one late
 * answer (a pause in Herald's own process, say) is no sign of load.
 */
export const ROUND_MIN = 20;
/** The cut after a 429, 503, timeout or reset connection. */
export const OVERLOAD_FACTOR = 0.5;
/** The range of the cut after slow answers, in proportion to the slowdown. */
const SLOW_FACTOR = { least: 0.5, most: 0.9 } as const;
/** How far the baseline moves up per round towards a slower round's fastest answer. */
const BASELINE_DRIFT = 0.1;

/** What a finished request says of the endpoint's load. */
export type Overload = '429' | '503' | 'timeout' | 'connection_reset';

export interface Sample {
  startedAt: number;
  finishedAt: number;
  durationMs: number;
  /**
   * A 2xx answer; an overload signal; or another failure (a 500, a refused connection), which counts towards
   * the round but neither raises nor cuts the limit: that is the circuit breaker's business.
   */
  kind: 'success' | 'overload' | 'error';
  overload?: Overload;
  /** When a 429 or 503 asked to come back (Retry-After), or null. */
  retryAfterAt?: number | null;
  /** Requests in flight to the endpoint from this worker when it finished, itself included. */
  inFlight: number;
}

/** Why the limit is what it is, as data; `describe` says it in words. */
export type Reason =
  | { kind: 'start' }
  | { kind: 'fast'; p95Ms: number }
  | { kind: 'slow'; p95Ms: number; baselineMs: number }
  | { kind: 'overload'; cause: Overload; until: number | null }
  | { kind: 'off' };

export interface LimitState {
  /** The limit, fractional; requests allowed in flight are its floor, at least 1. */
  limit: number;
  ceiling: number;
  slowStart: boolean;
  /** The endpoint's unloaded latency as far as known, or null before the first success. */
  baselineMs: number | null;
  /** When the limit last changed: requests started before then do not count towards the round. */
  changedAt: number;
  /** No rise before this time (a Retry-After). */
  holdUntil: number;
  /** Latencies of the round's successes. */
  round: number[];
  /** Requests counted in the round, successes and other failures. */
  counted: number;
  /** Whether the round had as many in flight as allowed (a rise is only earned by a limit in use). */
  busy: boolean;
  reason: Reason;
}

/** Requests allowed in flight under `state`. */
export function allowed(state: LimitState): number {
  return Math.max(1, Math.min(state.ceiling, Math.floor(state.limit)));
}

export function initialState(ceiling: number, now: number): LimitState {
  return {
    limit: Math.min(INITIAL_LIMIT, ceiling),
    ceiling,
    slowStart: true,
    baselineMs: null,
    changedAt: now,
    holdUntil: 0,
    round: [],
    counted: 0,
    busy: false,
    reason: { kind: 'start' },
  };
}

/** The state after one finished request. */
export function observe(state: LimitState, sample: Sample): LimitState {
  // Started under an earlier limit: it says nothing about this one.
  if (sample.startedAt < state.changedAt) return state;
  const now = sample.finishedAt;
  if (sample.kind === 'overload') {
    const until = sample.retryAfterAt ?? null;
    return changed(state, state.limit * OVERLOAD_FACTOR, now, {
      reason: { kind: 'overload', cause: sample.overload ?? 'timeout', until },
      holdUntil: Math.max(state.holdUntil, until ?? 0),
    });
  }
  const round = sample.kind === 'success' ? [...state.round, sample.durationMs] : state.round;
  const next: LimitState = {
    ...state,
    round,
    counted: state.counted + 1,
    busy: state.busy || sample.inFlight >= allowed(state),
  };
  if (next.counted < Math.max(ROUND_MIN, allowed(state))) return next;
  return endOfRound(next, now);
}

function endOfRound(state: LimitState, now: number): LimitState {
  const fresh = { ...state, round: [], counted: 0, busy: false };
  if (state.round.length === 0) return fresh;
  const sorted = [...state.round].sort((a, b) => a - b);
  const fastest = sorted[0]!;
  const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!;
  // Only at one in flight is a slower answer the endpoint's own doing, not the load: only then does it drift.
  const baseline =
    state.baselineMs === null || fastest <= state.baselineMs
      ? fastest
      : allowed(state) > 1
        ? state.baselineMs
        : state.baselineMs + (fastest - state.baselineMs) * BASELINE_DRIFT;
  const withBaseline = { ...fresh, baselineMs: baseline };
  const tolerated = Math.max(baseline * TOLERANCE, baseline + SLACK_MS);
  if (p95 > tolerated) {
    const factor = clamp(tolerated / p95, SLOW_FACTOR.least, SLOW_FACTOR.most);
    return changed(withBaseline, state.limit * factor, now, {
      reason: { kind: 'slow', p95Ms: p95, baselineMs: state.baselineMs ?? baseline },
    });
  }
  if (!state.busy || now < state.holdUntil || allowed(state) >= state.ceiling) return withBaseline;
  return changed(withBaseline, state.slowStart ? state.limit * 2 : state.limit + 1, now, {
    reason: { kind: 'fast', p95Ms: p95 },
  });
}

/** The state with a new limit (within 1 and the ceiling), and a new round that starts now. */
function changed(
  state: LimitState,
  limit: number,
  now: number,
  how: { reason: Reason; holdUntil?: number },
): LimitState {
  const cut = limit < state.limit;
  return {
    ...state,
    limit: clamp(limit, 1, state.ceiling),
    slowStart: state.slowStart && !cut,
    changedAt: now,
    holdUntil: how.holdUntil ?? state.holdUntil,
    round: [],
    counted: 0,
    busy: false,
    reason: how.reason,
  };
}

/** What a finished request was, for the controller: an attempt's HTTP status or error class. */
export function classify(outcome: {
  status: number | null;
  errorClass: string | null;
  retryAfterAt: number | null;
}): Pick<Sample, 'kind' | 'overload' | 'retryAfterAt'> {
  const { status, errorClass } = outcome;
  if (status !== null && status >= 200 && status < 300) return { kind: 'success' };
  if (status === 429 || status === 503)
    return { kind: 'overload', overload: status === 429 ? '429' : '503', retryAfterAt: outcome.retryAfterAt };
  if (errorClass === 'timeout' || errorClass === 'connection_reset')
    return { kind: 'overload', overload: errorClass };
  return { kind: 'error' };
}

const OVERLOAD_TEXT: Record<Overload, string> = {
  '429': 'the endpoint answered 429 Too Many Requests',
  '503': 'the endpoint answered 503 Service Unavailable',
  timeout: 'a request timed out',
  connection_reset: 'the endpoint reset a connection',
};

/** The reason in words, for the health report: for example "p95 latency 1.8 s, up from 120 ms". */
export function describe(reason: Reason, limit: number, ceiling: number): string {
  switch (reason.kind) {
    case 'start':
      return `starting at ${limit} in flight; raised while answers stay fast`;
    case 'off':
      return 'adaptive throttling is off for this endpoint';
    case 'fast':
      return limit >= ceiling
        ? `at the ceiling (${ceiling}): answers fast, p95 latency ${duration(reason.p95Ms)}`
        : `raised: answers fast, p95 latency ${duration(reason.p95Ms)}`;
    case 'slow':
      return `p95 latency ${duration(reason.p95Ms)}, up from ${duration(reason.baselineMs)}`;
    case 'overload':
      return reason.until === null
        ? OVERLOAD_TEXT[reason.cause]
        : `${OVERLOAD_TEXT[reason.cause]}, with Retry-After ${new Date(reason.until).toISOString()}`;
  }
}

/** 120 ms, 1.8 s. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

function clamp(value: number, least: number, most: number): number {
  return Math.min(most, Math.max(least, value));
}
