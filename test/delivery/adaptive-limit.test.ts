/** The adaptive limit's controller, as a pure function: rounds of finished requests in, a limit out. */
import { describe, expect, it } from 'vitest';
import {
  INITIAL_LIMIT,
  ROUND_MIN,
  allowed,
  classify,
  describe as describeReason,
  initialState,
  observe,
  type LimitState,
  type Sample,
} from '../../src/delivery/adaptive-limit.js';

/**
 * Plays one full round at the state's limit (at least ROUND_MIN requests), each request started at `now` and answered `answer` after
 * `durationMs`, with as many in flight as allowed; returns the state after it and the time it ended.
 */
function round(
  state: LimitState,
  now: number,
  durationMs: number,
  answer: Pick<Sample, 'kind' | 'overload' | 'retryAfterAt'> = { kind: 'success' },
): { state: LimitState; now: number } {
  const n = allowed(state);
  let next = state;
  for (let i = 0; i < Math.max(ROUND_MIN, n); i++)
    next = observe(next, {
      startedAt: now,
      finishedAt: now + durationMs,
      durationMs,
      inFlight: n,
      ...answer,
    });
  return { state: next, now: now + durationMs + 1 };
}

/** Rounds with a receiver whose latency is `latency(inFlight)`, from `state`; returns the limits seen. */
function drive(state: LimitState, rounds: number, latency: (inFlight: number) => number) {
  const limits: number[] = [];
  let now = 1;
  for (let i = 0; i < rounds; i++) {
    ({ state, now } = round(state, now, latency(allowed(state))));
    limits.push(allowed(state));
  }
  return { state, limits };
}

describe('the adaptive limit', () => {
  it('starts below the ceiling and doubles per fast, busy round until the ceiling', () => {
    const { limits, state } = drive(initialState(32, 0), 5, () => 20);
    expect(limits).toEqual([8, 16, 32, 32, 32]);
    expect(state.reason).toEqual({ kind: 'fast', p95Ms: 20 });
    expect(describeReason(state.reason, 32, 32)).toBe('at the ceiling (32): answers fast, p95 latency 20 ms');
  });

  it('never starts above a ceiling lower than the initial limit', () => {
    expect(allowed(initialState(2, 0))).toBe(2);
    expect(allowed(initialState(100, 0))).toBe(INITIAL_LIMIT);
  });

  it('settles near the knee of a receiver whose latency grows past it, cutting with the slowdown as reason', () => {
    const knee = 12;
    const latency = (n: number) => (n <= knee ? 20 : 20 + 150 * (n - knee));
    const { limits, state } = drive(initialState(64, 0), 200, latency);
    const settled = limits.slice(100);
    expect(Math.max(...settled)).toBeLessThanOrEqual(knee + 1);
    expect(Math.min(...settled)).toBeGreaterThanOrEqual(knee / 2);
    // It goes on probing: it reaches the knee again and again.
    expect(settled.filter((limit) => limit >= knee).length).toBeGreaterThan(5);
    expect(state.baselineMs).toBe(20);
  });

  it('says why it cut, in the words of the health report', () => {
    let state: LimitState = { ...initialState(10, 0), baselineMs: 120 };
    ({ state } = round(state, 1, 1800));
    expect(state.reason).toEqual({ kind: 'slow', p95Ms: 1800, baselineMs: 120 });
    expect(describeReason(state.reason, allowed(state), 10)).toBe('p95 latency 1.8 s, up from 120 ms');
    // The cut is in proportion to the slowdown, at most by half.
    expect(allowed(state)).toBe(2);
  });

  it('halves at once on a 429, a 503, a timeout or a reset connection, once per round', () => {
    for (const overload of ['429', '503', 'timeout', 'connection_reset'] as const) {
      let state: LimitState = { ...initialState(16, 0), limit: 16, slowStart: false };
      const at = { startedAt: 10, finishedAt: 20, durationMs: 10, inFlight: 16 };
      state = observe(state, { ...at, kind: 'overload', overload });
      expect(allowed(state)).toBe(8);
      expect(state.reason).toEqual({ kind: 'overload', cause: overload, until: null });
      // Others started under the old limit, finishing after the cut, do not cut again.
      state = observe(state, { ...at, finishedAt: 25, kind: 'overload', overload });
      expect(allowed(state)).toBe(8);
      // One started after the cut does.
      state = observe(state, { ...at, startedAt: 30, finishedAt: 40, kind: 'overload', overload });
      expect(allowed(state)).toBe(4);
    }
  });

  it('never goes below one, and rises again once the endpoint answers fast', () => {
    let state = initialState(10, 0);
    let now = 1;
    for (let i = 0; i < 10; i++)
      ({ state, now } = round(state, now, 5, { kind: 'overload', overload: '503' }));
    expect(allowed(state)).toBe(1);
    // Slow start ended at the first cut: from now on one more per fast round.
    const limits: number[] = [];
    for (let i = 0; i < 12; i++) {
      ({ state, now } = round(state, now, 5));
      limits.push(allowed(state));
    }
    expect(limits).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 10]);
  });

  it('holds the limit down until a Retry-After time has passed', () => {
    let state: LimitState = { ...initialState(10, 0), limit: 8, slowStart: false };
    state = observe(state, {
      startedAt: 0,
      finishedAt: 10,
      durationMs: 10,
      inFlight: 8,
      kind: 'overload',
      overload: '429',
      retryAfterAt: 5_000,
    });
    expect(allowed(state)).toBe(4);
    expect(describeReason(state.reason, 4, 10)).toBe(
      'the endpoint answered 429 Too Many Requests, with Retry-After 1970-01-01T00:00:05.000Z',
    );
    let now = 11;
    for (let i = 0; i < 5; i++) ({ state, now } = round(state, now, 5));
    expect(allowed(state)).toBe(4);
    ({ state } = round(state, 5_000, 5));
    expect(allowed(state)).toBe(5);
  });

  it('rises only when the limit was in use; other failures in the round neither raise nor cut it', () => {
    let state: LimitState = { ...initialState(10, 0), limit: 4, slowStart: false };
    // Two in flight at most: the limit of four was never reached, so nothing shows it could take five.
    for (let i = 0; i < ROUND_MIN; i++)
      state = observe(state, { startedAt: 1, finishedAt: 2, durationMs: 1, inFlight: 2, kind: 'success' });
    expect(allowed(state)).toBe(4);
    // A 500 among fast successes is the circuit breaker's business, not a sign of load.
    for (let i = 0; i < ROUND_MIN; i++)
      state = observe(state, {
        startedAt: 3,
        finishedAt: 4,
        durationMs: 1,
        inFlight: 4,
        kind: i % 5 === 0 ? 'error' : 'success',
      });
    expect(allowed(state)).toBe(5);
    // A round of failures only: nothing learned.
    for (let i = 0; i < ROUND_MIN; i++)
      state = observe(state, { startedAt: 5, finishedAt: 6, durationMs: 1, inFlight: 5, kind: 'error' });
    expect(allowed(state)).toBe(5);
  });

  it('passes over one late answer in a round, but not a slow round', () => {
    let state: LimitState = { ...initialState(10, 0), limit: 8, slowStart: false, baselineMs: 10 };
    const at = { startedAt: 1, finishedAt: 2, inFlight: 8, kind: 'success' as const };
    for (let i = 0; i < ROUND_MIN; i++) state = observe(state, { ...at, durationMs: i === 0 ? 900 : 10 });
    expect(allowed(state)).toBe(9);
    for (let i = 0; i < ROUND_MIN; i++)
      state = observe(state, { ...at, startedAt: 3, finishedAt: 4, durationMs: i < 3 ? 900 : 10 });
    expect(allowed(state)).toBeLessThan(9);
  });

  it('follows an endpoint that became slower for good, instead of holding it at one', () => {
    let state: LimitState = { ...initialState(10, 0), baselineMs: 20, limit: 1, slowStart: false };
    let now = 1;
    const limits: number[] = [];
    for (let i = 0; i < 100; i++) {
      ({ state, now } = round(state, now, 500));
      limits.push(allowed(state));
    }
    expect(limits.at(-1)).toBe(10);
  });

  it('classifies answers and errors', () => {
    const plain = { retryAfterAt: null };
    expect(classify({ status: 204, errorClass: null, ...plain })).toEqual({ kind: 'success' });
    expect(classify({ status: 429, errorClass: null, retryAfterAt: 9 })).toEqual({
      kind: 'overload',
      overload: '429',
      retryAfterAt: 9,
    });
    expect(classify({ status: 503, errorClass: null, ...plain }).overload).toBe('503');
    expect(classify({ status: null, errorClass: 'timeout', ...plain }).overload).toBe('timeout');
    expect(classify({ status: null, errorClass: 'connection_reset', ...plain }).overload).toBe(
      'connection_reset',
    );
    expect(classify({ status: 500, errorClass: null, ...plain })).toEqual({ kind: 'error' });
    expect(classify({ status: null, errorClass: 'connect', ...plain })).toEqual({ kind: 'error' });
  });
});
