/**
 * When to try a delivery again. The default schedule is Svix's: immediately, then after 5 s, 5 min, 30 min,
 * 2 h, 5 h, 10 h, 14 h, 20 h and 24 h, each with ±20 % jitter so that failures against one receiver do not
 * return in lockstep. A `Retry-After` from a 429 or 503 is honoured when it asks for more time than the
 * schedule would give, up to a bound, so a receiver cannot park a delivery for ever.
 */
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Delays before each attempt after the first; the first attempt is immediate. */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [
  5 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  14 * HOUR,
  20 * HOUR,
  24 * HOUR,
];

export const JITTER = 0.2;
export const MAX_RETRY_AFTER_MS = 24 * HOUR;

/**
 * The delay before the next attempt after `attemptsMade` attempts, or `null` when the schedule is exhausted.
 * `random` is injectable so that tests can pin the jitter.
 */
export function nextRetryDelay(
  attemptsMade: number,
  schedule: readonly number[] = DEFAULT_RETRY_SCHEDULE_MS,
  random: () => number = Math.random,
): number | null {
  const base = schedule[attemptsMade - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}

/** Parses a `Retry-After` header (seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * SECOND;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
