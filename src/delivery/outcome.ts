/**
 * What an attempt's result means for its delivery. Outcomes are data: `decide` returns the delivery's next
 * state and whether the endpoint must be disabled, and the results writer applies it.
 */
import { DeliveryStatus } from '../store/index.js';
import { MAX_RETRY_AFTER_MS, nextRetryDelay, parseRetryAfter } from './retry-policy.js';
import type { SendOutcome } from './sender.js';

export interface Decision {
  status: DeliveryStatus;
  nextAttemptAt: number | null;
  /** Set when the endpoint must be disabled, with the reason. */
  disableEndpoint: string | null;
}

/** Error classes that no retry can fix: the delivery fails at once. */
const PERMANENT: ReadonlySet<string> = new Set(['template_error', 'transformation_error']);

export function isSuccess(outcome: SendOutcome): boolean {
  return outcome.kind === 'response' && outcome.status >= 200 && outcome.status < 300;
}

export function decide(
  outcome: SendOutcome,
  attemptsMade: number,
  now: number,
  schedule?: readonly number[],
  random?: () => number,
): Decision {
  // A delivery its endpoint's transformation cancelled is done: Svix shows it as a success unless asked for
  // expanded statuses, and so does Herald (its attempt says `cancelled`).
  if (isSuccess(outcome) || (outcome.kind === 'error' && outcome.errorClass === 'cancelled'))
    return { status: DeliveryStatus.Success, nextAttemptAt: null, disableEndpoint: null };
  if (outcome.kind === 'error' && PERMANENT.has(outcome.errorClass))
    return { status: DeliveryStatus.Fail, nextAttemptAt: null, disableEndpoint: null };
  if (outcome.kind === 'response' && outcome.status === 410)
    return {
      status: DeliveryStatus.Fail,
      nextAttemptAt: null,
      disableEndpoint: 'the endpoint answered 410 Gone',
    };
  const delay = nextRetryDelay(attemptsMade, schedule, random);
  if (delay === null) return { status: DeliveryStatus.Fail, nextAttemptAt: null, disableEndpoint: null };
  let wait = delay;
  if (outcome.kind === 'response' && (outcome.status === 429 || outcome.status === 503)) {
    const asked = parseRetryAfter(outcome.headers['retry-after'], now);
    if (asked !== null) wait = Math.max(delay, Math.min(asked, MAX_RETRY_AFTER_MS));
  }
  return { status: DeliveryStatus.Pending, nextAttemptAt: now + wait, disableEndpoint: null };
}
