/**
 * An endpoint's `throttleRate`: messages per second at most, across every worker. Each endpoint has a token
 * bucket in the database; a claimed batch takes tokens for as many of its jobs as may go now, and the rest go
 * back to the queue, due when the next token is. Postponing is not an attempt: it uses up no retry.
 */
import type { Store } from '../store/index.js';
import type { Job } from './job.js';

/**
 * Takes tokens for one endpoint's claimed jobs (oldest delivery first); postpones those without one. Returns the
 * jobs that may be sent now and how many were handed back to the queue.
 */
export async function throttle(
  store: Store,
  worker: string,
  jobs: Job[],
  now: number,
): Promise<{ now: Job[]; postponed: number }> {
  const rate = jobs[0]!.target.throttleRate;
  if (rate === null) return { now: jobs, postponed: 0 };
  jobs.sort((a, b) => (a.delivery.id < b.delivery.id ? -1 : 1));
  const granted = await store.endpointTakeTokens(jobs[0]!.target.id, rate, jobs.length, now);
  const later = jobs.slice(granted);
  if (later.length > 0)
    await store.deliveryPostpone(
      worker,
      later.map((job) => job.delivery.id),
      now + Math.ceil(1000 / rate),
    );
  return { now: jobs.slice(0, granted), postponed: later.length };
}
