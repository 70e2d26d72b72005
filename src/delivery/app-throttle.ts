/**
 * An application's `throttleRate`: messages per second at most across all its endpoints together, across every
 * worker. It works as an endpoint's rate does (`throttle.ts`), with a token bucket per application in the
 * database: a claimed batch takes tokens for as many of the application's jobs as may go now, oldest delivery
 * first, and the rest go back to the queue, due when the next token is. Each endpoint's own rate then applies to
 * what is left, so the stricter of the two holds. Endpoints that batch deliveries take their own rate per request
 * and are left out of the application's.
 */
import type { Store } from '../store/index.js';
import type { Job } from './job.js';

/** How long an application's rate is used before it is read again (as its privacy settings are). */
export const APPLICATION_RATE_TTL_MS = 5_000;
const CACHE_LIMIT = 10_000;

export class ApplicationThrottle {
  readonly #rates = new Map<string, { rate: number | null; readAt: number }>();

  constructor(
    private readonly store: Store,
    private readonly worker: string,
  ) {}

  /**
   * Postpones the jobs of `jobs` (grouped by endpoint) that their application's rate does not allow now, and
   * removes them from the map. Returns how many were handed back to the queue.
   */
  async apply(jobs: Map<string, Job[]>, now: number): Promise<number> {
    const byApp = new Map<string, Job[]>();
    for (const endpointJobs of jobs.values()) {
      if (endpointJobs[0]!.target.batching !== null) continue;
      for (const job of endpointJobs) {
        const appJobs = byApp.get(job.target.appId);
        if (appJobs) appJobs.push(job);
        else byApp.set(job.target.appId, [job]);
      }
    }
    if (byApp.size === 0) return 0;
    const rates = await this.#ratesOf([...byApp.keys()], now);
    const postponed = new Set<string>();
    for (const [appId, appJobs] of byApp) {
      const rate = rates.get(appId) ?? null;
      if (rate === null) continue;
      appJobs.sort((a, b) => (a.delivery.id < b.delivery.id ? -1 : 1));
      const granted = await this.store.applicationTakeTokens(appId, rate, appJobs.length, now);
      const later = appJobs.slice(granted).map((job) => job.delivery.id);
      if (later.length === 0) continue;
      await this.store.deliveryPostpone(this.worker, later, now + Math.ceil(1000 / rate));
      for (const id of later) postponed.add(id);
    }
    if (postponed.size === 0) return 0;
    for (const [endpointId, endpointJobs] of jobs) {
      const left = endpointJobs.filter((job) => !postponed.has(job.delivery.id));
      if (left.length > 0) jobs.set(endpointId, left);
      else jobs.delete(endpointId);
    }
    return postponed.size;
  }

  /** The rate of each application, reading those not read in the last few seconds in one query. */
  async #ratesOf(appIds: string[], now: number): Promise<Map<string, number | null>> {
    const stale = appIds.filter((id) => {
      const known = this.#rates.get(id);
      return known === undefined || now - known.readAt >= APPLICATION_RATE_TTL_MS || known.readAt > now;
    });
    if (stale.length > 0) {
      const applications = await this.store.applicationGetMany(stale);
      if (this.#rates.size + stale.length > CACHE_LIMIT) this.#rates.clear();
      for (const id of stale)
        this.#rates.set(id, { rate: applications.get(id)?.throttleRate ?? null, readAt: now });
    }
    return new Map(appIds.map((id) => [id, this.#rates.get(id)?.rate ?? null]));
  }
}
