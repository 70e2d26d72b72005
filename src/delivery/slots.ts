/**
 * What one worker holds, and the slots it sends through. Every delivery claimed is held until its result is
 * handed on or it is given back. A held job is either in flight or waiting for a slot: at most `concurrency`
 * requests are in flight in all, and at most `endpointConcurrency` to one endpoint (one probe at a time while its
 * circuit is half open). Waiting jobs are served fairly: when a request finishes, its endpoint's next job goes
 * first, then every other endpoint in turn, so a busy endpoint cannot starve the others.
 *
 * A batch (several deliveries in one request, `batches.ts`) takes one slot: slots count requests. Everything
 * else counts deliveries: a batch's members are each held, renewed, given back and cut off.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/index.js';
import { membersOf, type Job } from './job.js';
import type { Metrics } from './metrics.js';

export interface SlotOptions {
  concurrency: number;
  endpointConcurrency: number;
  /**
   * How long a waiting job's lease must still run for it to be sent: the time to the next renewal. A job whose
   * lease would run out first (renewals failed) goes back to the queue, since sending it could race the lease
   * rescuer into sending it twice.
   */
  leaseMarginMs: number;
}

export interface SlotHooks {
  /** Makes one attempt; the slot is free again when it settles. */
  send(job: Job): Promise<void>;
  /** A request to `endpointId` finished and its slot was given to the next job, if any. */
  freed(endpointId: string): void;
  /** Whether the endpoint's circuit is half open, so that only one probe at a time may go. */
  probing(endpointId: string, now: number): boolean;
  /** Requests allowed in flight to the endpoint by its adaptive limit (`adaptive-limits.ts`). */
  limit(endpointId: string): number;
  /**
   * Whether a request may start now: false while the worker's heartbeat is not confirmed recently enough (it may
   * have been taken over). Jobs wait until `resume()`.
   */
  mayStart(): boolean;
  /** Giving deliveries back failed: they stay leased here, held by no one, until the worker gives them back. */
  releaseFailed(): void;
}

export class Slots {
  /** Jobs waiting for an endpoint slot, by endpoint. */
  readonly #queued = new Map<string, Job[]>();
  /** Requests in flight, by endpoint. */
  readonly #active = new Map<string, number>();
  /** Jobs being sent, by delivery id: at most `concurrency`. */
  readonly #inFlight = new Map<string, Job>();
  readonly #sends = new Set<Promise<void>>();
  /** When each request in flight started, by delivery id. */
  readonly #startedAt = new Map<string, number>();
  /** Requests given up at shutdown, by delivery id: their late results are not theirs to record. */
  readonly #cut = new Set<string>();
  #held = 0;
  #open = true;

  constructor(
    private readonly options: SlotOptions,
    private readonly hooks: SlotHooks,
    private readonly deps: { store: Store; worker: string; logger: Logger; metrics: Metrics },
  ) {}

  /** Deliveries held: claimed and not yet handed on, in flight or waiting for a slot. */
  get held(): number {
    return this.#held;
  }

  /** Counts deliveries just claimed: held from now on, until started, let go or handed back. */
  claimed(count: number): void {
    this.#hold(count);
  }

  /** Stops counting deliveries that were handed back to the queue another way (postponed by the throttle). */
  handedBack(count: number): void {
    this.#hold(-count);
  }

  /** Stops holding deliveries and puts them back in the queue (in the background; the rescuer is the backstop). */
  letGo(ids: string[]): void {
    this.#hold(-ids.length);
    void this.deps.store.deliveryRelease(this.deps.worker, ids).catch((error: unknown) => {
      this.deps.logger.error({ err: error }, 'releasing deliveries failed');
      this.hooks.releaseFailed();
    });
  }

  /**
   * Requests allowed in flight to an endpoint: one probe at a time while its circuit is half open, otherwise its
   * adaptive limit, never more than `endpointConcurrency` nor less than one.
   */
  capOf(endpointId: string, now: number): number {
    if (this.hooks.probing(endpointId, now)) return 1;
    return Math.max(1, Math.min(this.options.endpointConcurrency, this.hooks.limit(endpointId)));
  }

  /** Requests in flight to an endpoint now. */
  inFlightTo(endpointId: string): number {
    return this.#activeAt(endpointId);
  }

  /**
   * Endpoints with as many deliveries held here as they may have in flight at most, whether being sent or
   * waiting for a slot: a claim gives them no more. An endpoint whose adaptive limit is lower keeps the rest
   * waiting here, so that a finished request is followed at once without a claim.
   */
  full(now: number): string[] {
    const full: string[] = [];
    for (const endpointId of new Set([...this.#active.keys(), ...this.#queued.keys()])) {
      const most = this.hooks.probing(endpointId, now) ? 1 : this.options.endpointConcurrency;
      if (this.#activeAt(endpointId) + (this.#queued.get(endpointId)?.length ?? 0) >= most)
        full.push(endpointId);
    }
    return full;
  }

  /** Every delivery's job held, in flight or waiting (each member of a batch). */
  jobs(): Job[] {
    return [...this.#inFlight.values(), ...[...this.#queued.values()].flat()].flatMap(membersOf);
  }

  /** Sends the job now if a slot and its endpoint allow it; otherwise it waits behind that endpoint's others. */
  enqueue(job: Job): void {
    const endpointId = job.target.id;
    const queue = this.#queued.get(endpointId);
    if (
      queue === undefined &&
      this.hooks.mayStart() &&
      this.#inFlight.size < this.options.concurrency &&
      this.#activeAt(endpointId) < this.capOf(endpointId, Date.now())
    )
      this.#start(job);
    else if (queue) queue.push(job);
    else this.#queued.set(endpointId, [job]);
  }

  /**
   * Drops the waiting deliveries `lost` picks (they are no longer this worker's), from batches too; returns
   * how many.
   */
  dropWaiting(lost: (job: Job) => boolean): number {
    let dropped = 0;
    const released: string[] = [];
    for (const [endpointId, queue] of this.#queued) {
      const kept: Job[] = [];
      for (const job of queue) {
        const { kept: rest, dropped: gone, release } = withoutLost(job, lost);
        dropped += gone;
        released.push(...release);
        if (rest !== null) kept.push(rest);
      }
      if (kept.length > 0) this.#queued.set(endpointId, kept);
      else this.#queued.delete(endpointId);
    }
    if (dropped > 0) this.#hold(-dropped);
    if (released.length > 0) this.letGo(released);
    return dropped;
  }

  /** Gives back the deliveries waiting here for an endpoint that must not get them now. */
  releaseQueued(endpointId: string): void {
    const waiting = this.#queued.get(endpointId);
    if (!waiting) return;
    this.#queued.delete(endpointId);
    this.letGo(idsOf(waiting));
  }

  /** Starts waiting jobs as requests finish: the worker runs. */
  open(): void {
    this.#open = true;
  }

  /** Fills the free slots from the waiting jobs: requests may start again after `mayStart()` said no. */
  resume(): void {
    this.#startWaiting(null);
  }

  /** Starts no more waiting jobs when requests finish: the worker is stopping. */
  close(): void {
    this.#open = false;
  }

  /** Takes every waiting job out; returns their delivery ids, no longer held, for the caller to give back. */
  takeWaiting(): string[] {
    const waiting = idsOf([...this.#queued.values()].flat());
    this.#queued.clear();
    this.#hold(-waiting.length);
    return waiting;
  }

  /** Waits for the requests in flight to finish, or for `graceMs`, whichever comes first. */
  async settle(graceMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all(this.#sends), grace]);
    clearTimeout(timer);
  }

  /**
   * Gives up on the requests still in flight (the shutdown grace period ended): returns them with the time each
   * started, for the caller to record as cut off. Whatever they come to later is not recorded.
   */
  cutOff(): Array<{ job: Job; startedAt: number }> {
    const cut: Array<{ job: Job; startedAt: number }> = [];
    for (const [id, job] of this.#inFlight) {
      if (this.#cut.has(id)) continue;
      this.#cut.add(id);
      cut.push({ job, startedAt: this.#startedAt.get(id)! });
    }
    return cut;
  }

  /** Whether the job's request was given up at shutdown. */
  isCutOff(job: Job): boolean {
    return this.#cut.has(job.delivery.id);
  }

  #hold(delta: number): void {
    this.#held += delta;
    this.deps.metrics.inFlight.set(this.#held);
  }

  #activeAt(endpointId: string): number {
    return this.#active.get(endpointId) ?? 0;
  }

  #start(job: Job): void {
    const endpointId = job.target.id;
    this.#active.set(endpointId, this.#activeAt(endpointId) + 1);
    this.#inFlight.set(job.delivery.id, job);
    this.#startedAt.set(job.delivery.id, Date.now());
    const send = this.hooks
      .send(job)
      .catch((error: unknown) =>
        this.deps.logger.error({ err: error, delivery: job.delivery.id }, 'delivery failed'),
      )
      .finally(() => {
        this.#sends.delete(send);
        this.#inFlight.delete(job.delivery.id);
        this.#startedAt.delete(job.delivery.id);
        this.#cut.delete(job.delivery.id);
        this.#hold(-membersOf(job).length);
        const active = this.#activeAt(endpointId) - 1;
        if (active <= 0) this.#active.delete(endpointId);
        else this.#active.set(endpointId, active);
        this.#startWaiting(endpointId);
        this.hooks.freed(endpointId);
      });
    this.#sends.add(send);
  }

  /**
   * Fills free slots from the waiting jobs: first the endpoint whose request just finished, then the other
   * endpoints in turn (each one served moves to the back, so none is starved by a busier one).
   */
  #startWaiting(finished: string | null): void {
    if (!this.#open || !this.hooks.mayStart()) return;
    const now = Date.now();
    const stale: string[] = [];
    const startNext = (endpointId: string) => {
      const queue = this.#queued.get(endpointId);
      if (queue === undefined || this.#activeAt(endpointId) >= this.capOf(endpointId, now)) return false;
      let job = queue.shift();
      // Leases are renewed while jobs wait, but if renewals failed (the database is unreachable, say), a job
      // whose lease would run out before the next renewal goes back to the queue instead.
      while (job !== undefined && leaseRunsOut(job, now + this.options.leaseMarginMs)) {
        stale.push(...idsOf([job]));
        job = queue.shift();
      }
      this.#queued.delete(endpointId);
      if (queue.length > 0) this.#queued.set(endpointId, queue);
      if (job === undefined) return false;
      this.#start(job);
      return true;
    };
    // The endpoint whose request just finished may take more than one: its adaptive limit may have risen.
    if (finished !== null) while (this.#inFlight.size < this.options.concurrency && startNext(finished));
    for (const endpointId of [...this.#queued.keys()]) {
      if (this.#inFlight.size >= this.options.concurrency) break;
      startNext(endpointId);
    }
    if (stale.length > 0) this.letGo(stale);
  }
}

/** Does the lease of the job's delivery (or of any in its batch) expire before `at`? */
function leaseRunsOut(job: Job, at: number): boolean {
  return membersOf(job).some(
    ({ delivery }) => delivery.leaseExpiresAt !== null && delivery.leaseExpiresAt < at,
  );
}

/** The ids of the deliveries the jobs send. */
function idsOf(jobs: readonly Job[]): string[] {
  return jobs.flatMap(membersOf).map((job) => job.delivery.id);
}

/**
 * The job without its deliveries that `lost` picks (null when none is left), how many it lost, and the ids of
 * those to give back: an ordered batch is a run, so it keeps only what comes before its first lost delivery.
 */
function withoutLost(
  job: Job,
  lost: (job: Job) => boolean,
): { kept: Job | null; dropped: number; release: string[] } {
  if (job.batch === undefined)
    return lost(job) ? { kept: null, dropped: 1, release: [] } : { kept: job, dropped: 0, release: [] };
  const firstLost = job.batch.findIndex((member) => lost(member.job));
  if (firstLost === -1) return { kept: job, dropped: 0, release: [] };
  const ordered = job.target.ordering !== 'none';
  const batch = ordered ? job.batch.slice(0, firstLost) : job.batch.filter((member) => !lost(member.job));
  const tail = ordered ? job.batch.slice(firstLost) : [];
  const dropped = job.batch.filter((member) => lost(member.job)).length;
  return {
    kept: batch.length === 0 ? null : { ...batch[0]!.job, batch },
    dropped,
    release: tail.filter((member) => !lost(member.job)).map((member) => member.job.delivery.id),
  };
}
