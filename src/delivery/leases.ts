/**
 * Lease renewal. A claim leases its deliveries to the worker for `leaseMs`; the lease rescuer gives back any
 * delivery whose lease ran out. A worker keeps the lease of every delivery it holds fresh, whether it is being
 * sent or waits for its endpoint's slot, so that a long wait or a slow endpoint never lets another worker take it
 * over: only a worker that stopped (or lost its database) loses its leases.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/index.js';
import { runPeriodically, type Periodic } from '../util/periodic.js';
import type { Job } from './job.js';

/**
 * How often the leases of held deliveries are renewed: three times per lease, so that one failed renewal (a slow
 * database) still leaves time for the next before the lease runs out.
 */
export function renewEveryMs(leaseMs: number): number {
  return Math.max(50, Math.floor(leaseMs / 3));
}

/** What a worker holds: every delivery's job, and a way to drop those that wait if their lease was lost. */
export interface Held {
  jobs(): Job[];
  dropWaiting(lost: (job: Job) => boolean): number;
}

export class LeaseRenewer {
  #periodic: Periodic | null = null;

  constructor(
    private readonly slots: Held,
    private readonly leaseMs: number,
    private readonly deps: { store: Store; worker: string; logger: Logger },
  ) {}

  start(): void {
    this.#periodic ??= runPeriodically(
      'lease-renewer',
      renewEveryMs(this.leaseMs),
      () => this.renew(),
      this.deps.logger,
    );
  }

  /** Stops renewing, after a renewal in progress. */
  async stop(): Promise<void> {
    await this.#periodic?.stop();
    this.#periodic = null;
  }

  /**
   * Renews the lease of every job held. A waiting job whose lease was taken back anyway (renewals failed for a
   * whole lease) is dropped: the queue has it again.
   */
  async renew(): Promise<void> {
    const jobs = this.slots.jobs();
    if (jobs.length === 0) return;
    const until = Date.now() + this.leaseMs;
    const asked = new Set(jobs.map((job) => job.delivery.id));
    const held = await this.deps.store.deliveryRenewLeases(this.deps.worker, [...asked], until);
    for (const job of jobs) if (held.has(job.delivery.id)) job.delivery.leaseExpiresAt = until;
    // Jobs claimed while the renewal ran were not asked about: their fresh leases are theirs.
    const lostLease = (job: Job) => asked.has(job.delivery.id) && !held.has(job.delivery.id);
    const lost = this.slots.dropWaiting(lostLease);
    if (lost > 0)
      this.deps.logger.warn({ lost }, 'dropped waiting deliveries whose lease another worker took over');
  }
}
