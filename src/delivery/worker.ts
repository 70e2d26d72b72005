/**
 * The claim loop of one delivery worker: the first part of the delivery pipeline (read `job.ts` for the
 * others). It claims due deliveries in batches with a lease, fairly across endpoints, applies each endpoint's
 * throttle (`throttle.ts`), and hands the jobs to its slots, which send at most `endpointConcurrency` requests
 * per endpoint (fewer while the endpoint's adaptive limit, `adaptive-limits.ts`, holds it lower) and
 * `concurrency` in all. An idle worker sleeps until it is woken (new work was announced) or its poll interval
 * passes.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Vault } from '../security/vault.js';
import type { Store } from '../store/index.js';
import { AdaptiveLimits } from './adaptive-limits.js';
import { ApplicationThrottle } from './app-throttle.js';
import { attempt, cutOffAtShutdown } from './attempt.js';
import { attemptBatch } from './batch-attempt.js';
import { BatchCollector } from './batches.js';
import { dispatchBatch, fillBatch, type BatchFeed } from './batch-feed.js';
import { nextCursor, walkAfterClaim, type LeftBehind } from './claim-walk.js';
import { Consequences } from './consequences.js';
import { EndpointHealth } from './health.js';
import { Heartbeat } from './heartbeat.js';
import { membersOf, type Job } from './job.js';
import { LeaseRenewer, renewEveryMs } from './leases.js';
import type { Metrics } from './metrics.js';
import type { OperationalEvents } from './operational-events.js';
import { Outbound } from './outbound.js';
import { RelaySender } from './relay.js';
import { ResultsWriter } from './results-writer.js';
import type { Sender } from './sender.js';
import { Slots } from './slots.js';
import { Targets, type LoadedJobs } from './targets.js';
import { throttle } from './throttle.js';
import { tracedAttempt } from './tracing.js';

export interface WorkerOptions {
  concurrency: number;
  endpointConcurrency: number;
  pollIntervalMs: number;
  timeoutMs: number;
  /**
   * How long a claim is held before another worker may take the delivery over. The worker renews the leases
   * of what it holds three times per lease, so only a worker that stopped (or lost its database) loses one.
   */
  leaseMs: number;
  /**
   * How long the worker's heartbeat may lapse before its deliveries are taken over by the others; it starts no
   * request while its last confirmed heartbeat is nearly that old (`heartbeat.ts`).
   */
  takeoverMs: number;
  /** How long shutdown waits for requests in flight before leaving them to the lease rescuer. */
  shutdownGraceMs: number;
  /** Consecutive failures that open an endpoint's circuit. */
  circuitThreshold: number;
  /** The redaction rules of applications that set none. */
  redactionRules?: readonly string[];
}

export interface WorkerDeps {
  store: Store;
  vault: Vault;
  sender: Sender;
  logger: Logger;
  events: OperationalEvents;
  metrics: Metrics;
}

/**
 * Endpoints a claim walks beyond those it has room for and those it skips: for endpoints that turn out to have
 * nothing due (waiting to retry, disabled, circuit open). A claim costs one index seek per endpoint walked.
 */
const WALK_SLACK = 64;

export class DeliveryWorker {
  readonly id = `worker_${randomBytes(6).toString('hex')}`;
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #writer: ResultsWriter;
  readonly #targets: Targets;
  readonly #appThrottle: ApplicationThrottle;
  readonly #slots: Slots;
  readonly #outbound: Outbound;
  readonly #consequences: Consequences;
  readonly #leases: LeaseRenewer;
  readonly #heartbeat: Heartbeat;
  readonly #batches: BatchCollector;
  /** What filling and sending batches needs (`batch-feed.ts`). */
  readonly #feed: BatchFeed;
  readonly #adaptive: AdaptiveLimits;
  #running = false;
  #cursor = '';
  /**
   * Whether the last claim may have left due deliveries in the queue: it took as many as it had room for or
   * stopped at the end of its walk (`more`), or skipped or filled up some endpoints at their cap. Only then is a
   * freed place worth a claim of its own; otherwise new work is announced by a wake-up, or found at the next poll.
   */
  #leftBehind: LeftBehind = { more: true, endpoints: new Set() };
  /**
   * How many times the usual number of endpoints the next claim walks: doubled after a walk that found
   * nothing and stopped short, so that a long run of endpoints with nothing due (all waiting to retry, say) is
   * crossed in a few claims, and halved after a claim that filled its room (endpoints walked have work).
   */
  #walkScale = 1;
  /**
   * Deliveries may be leased to this worker that it does not hold: a claim failed (it may have committed with
   * its answer lost to a cut connection), or giving some back failed. The next turn of the loop gives them back
   * before it claims, rather than leave them until their leases run out.
   */
  #strayLeases = false;
  /** A wake-up (new work announced) has come since the last claim began. */
  #claimWanted = true;
  #loop: Promise<void> = Promise.resolve();
  #wake: (() => void) | null = null;
  #woken = false;

  constructor(
    deps: WorkerDeps,
    private readonly options: WorkerOptions,
  ) {
    const { store, vault, sender, logger, events, metrics } = deps;
    this.#store = store;
    this.#logger = logger;
    this.#writer = new ResultsWriter(store, this.id, logger, (madeDue) => {
      // The metrics of the attempts just written, applied as one batch.
      metrics.endpoints.flush();
      // The next deliveries of ordered endpoints' sequences are due now: worth a claim like a wake-up.
      if (madeDue > 0) this.#claimWanted = true;
      if (this.#claimWanted || this.#leftBehind.more) this.#claimWhenRoom();
    });
    this.#targets = new Targets(store, vault, options.timeoutMs, options.redactionRules);
    this.#appThrottle = new ApplicationThrottle(store, this.id);
    const health = new EndpointHealth(store, logger, options.circuitThreshold);
    this.#outbound = new Outbound(store, sender, logger, new RelaySender(store, vault));
    this.#adaptive = new AdaptiveLimits(
      { worker: this.id, ceiling: options.endpointConcurrency },
      { store, logger, metrics },
      (endpointId) => this.#slots.inFlightTo(endpointId),
    );
    this.#consequences = new Consequences(
      { store, events, logger, metrics, health, writer: this.#writer, adaptive: this.#adaptive },
      (endpointId) => this.#slots.releaseQueued(endpointId),
    );
    this.#slots = new Slots(
      {
        concurrency: options.concurrency,
        endpointConcurrency: options.endpointConcurrency,
        leaseMarginMs: renewEveryMs(options.leaseMs),
      },
      {
        send: (job) => this.#send(job),
        freed: (endpointId) => {
          if (this.#claimWanted || this.#mayClaimFor(endpointId)) this.#claimWhenRoom();
        },
        probing: (endpointId, now) => {
          const target = this.#targets.cached(endpointId);
          return target !== undefined && EndpointHealth.probing(target, now);
        },
        limit: (endpointId) => this.#adaptive.limitOf(this.#targets.cached(endpointId)),
        mayStart: () => this.#heartbeat.isFresh(),
        releaseFailed: () => (this.#strayLeases = true),
      },
      { store, worker: this.id, logger, metrics },
    );
    this.#batches = new BatchCollector({
      ready: (batch) => void dispatchBatch(this.#feed, batch),
      alone: (job) => this.#slots.enqueue(job),
      giveBack: (jobs) => this.#slots.letGo(jobs.map((job) => job.delivery.id)),
    });
    this.#feed = {
      store,
      worker: this.id,
      logger,
      leaseMs: options.leaseMs,
      endpointConcurrency: options.endpointConcurrency,
      slots: this.#slots,
      targets: this.#targets,
      batches: this.#batches,
    };
    // Jobs waiting for their batch are held too: their leases are renewed like those waiting for a slot.
    const held = {
      jobs: () => [...this.#slots.jobs(), ...this.#batches.jobs()],
      dropWaiting: (lost: (job: Job) => boolean) => {
        const dropped = this.#batches.dropWaiting(lost);
        this.#slots.handedBack(dropped);
        return dropped + this.#slots.dropWaiting(lost);
      },
    };
    this.#leases = new LeaseRenewer(held, options.leaseMs, { store, worker: this.id, logger });
    this.#heartbeat = new Heartbeat(
      this.id,
      options.takeoverMs,
      { store, logger },
      {
        // Renewing finds which leases the takeover gave away, and drops those jobs before any may start.
        takenOver: () => this.#leases.renew(),
        fresh: () => this.#slots.resume(),
      },
    );
  }

  /** One request's turn in a slot (one delivery's, or a batch's): one attempt, then what its outcome leads to. */
  async #send(job: Job): Promise<void> {
    const reports =
      job.batch === undefined
        ? [{ job, report: await tracedAttempt(job, () => attempt(job, this.#outbound)) }]
        : await attemptBatch(job, this.#outbound);
    // Given up at shutdown: recorded as cut off already, and the delivery is no longer this worker's.
    if (this.#slots.isCutOff(job)) return;
    await this.#consequences.apply(reports);
  }

  /**
   * Deliveries held at most: every slot busy and as many claimed ahead, waiting in memory, so that a slot that
   * frees up is filled at once instead of after a claim query.
   */
  #capacity(): number {
    return this.options.concurrency * 2;
  }

  /**
   * The fewest free places worth a claim: half the concurrency, so that a busy worker claims in large batches
   * (one claim query per finished request would make the claim the bottleneck); any when nothing is held.
   */
  #minimumClaim(): number {
    if (this.#slots.held === 0) return 1;
    return Math.max(1, Math.floor(this.options.concurrency / 2));
  }

  /** How many more deliveries this worker may claim now: its capacity less what it holds or has yet to record. */
  #room(): number {
    return this.#capacity() - this.#slots.held - this.#writer.backlog;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#slots.open();
    this.#loop = this.#run();
    this.#leases.start();
    this.#heartbeat.start();
    this.#adaptive.start();
  }

  /** New work may be due: claim now instead of at the next poll. */
  wake(): void {
    this.#claimWanted = true;
    this.#woken = true;
    this.#wake?.();
  }

  /**
   * Wakes the worker to claim if it has room enough for a claim; otherwise remembers that a claim is wanted,
   * so that the next place freed (a finished request, or results written) starts it.
   */
  #claimWhenRoom(): void {
    if (this.#room() >= this.#minimumClaim()) this.wake();
    else this.#claimWanted = true;
  }

  /**
   * Whether a place freed by a request to `endpointId` may let a claim find work: only if the last claim left
   * some behind, for want of room or at that endpoint's cap. Claiming after every finished request regardless
   * would, under a steady load, run one claim (nearly always empty) per delivery.
   */
  #mayClaimFor(endpointId: string): boolean {
    return this.#leftBehind.more || this.#leftBehind.endpoints.has(endpointId);
  }

  /** Stops claiming, lets requests in flight finish (within the grace period), and gives back the rest. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#slots.close();
    this.wake();
    await this.#loop;
    const collected = this.#batches.takeAll().map((job) => job.delivery.id);
    this.#slots.handedBack(collected.length);
    await this.#store.deliveryRelease(this.id, [...this.#slots.takeWaiting(), ...collected]);
    await this.#slots.settle(this.options.shutdownGraceMs);
    this.#recordCutOff();
    // Requests in flight keep their leases fresh until they finish or the grace period ends.
    await this.#leases.stop();
    await this.#writer.flush();
    await this.#adaptive.stop();
    await this.#heartbeat.stop();
  }

  /** Records the requests still in flight after the grace period as cut off, due again at once. */
  #recordCutOff(): void {
    const now = Date.now();
    const cut = this.#slots.cutOff();
    for (const { job, startedAt } of cut)
      for (const member of membersOf(job)) this.#writer.add(cutOffAtShutdown(member, startedAt, now));
    if (cut.length > 0)
      this.#logger.warn(
        { cut: cut.length },
        'gave up on requests still in flight at shutdown; they will be sent again',
      );
  }

  async #run(): Promise<void> {
    // After a full poll interval without a wake-up, any free slot is worth a claim: slots held by slow or
    // hanging endpoints must not keep the others waiting.
    let anySlot = true;
    while (this.#running) {
      // Claim again at once only if a claim was cut short by its room or its walk: otherwise it took
      // everything due that it could, and what comes next is announced by a wake-up.
      let again = false;
      try {
        if (this.#strayLeases) await this.#releaseStrays();
        const free = this.#room();
        if (free > 0 && (anySlot || free >= this.#minimumClaim())) {
          await this.#claim(free);
          again = this.#leftBehind.more;
        }
      } catch (error) {
        // Unknown: a freed place may find work. The next claim waits for a wake-up or the poll interval.
        this.#leftBehind = { more: true, endpoints: new Set() };
        this.#strayLeases = true;
        this.#logger.error({ err: error }, 'claiming deliveries failed');
      }
      anySlot = false;
      if (!again || this.#room() < this.#minimumClaim())
        anySlot = !(await this.#sleep(this.options.pollIntervalMs));
    }
  }

  /**
   * Waits `ms`, or less if woken; resolves whether it was woken. A wake-up that arrives while the worker is
   * busy makes the next sleep return at once.
   */
  #sleep(ms: number): Promise<boolean> {
    if (this.#woken) {
      this.#woken = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const finish = (woken: boolean) => {
        clearTimeout(timer);
        this.#wake = null;
        resolve(woken);
      };
      const timer = setTimeout(() => finish(false), ms);
      this.#wake = () => {
        this.#woken = false;
        finish(true);
      };
    });
  }

  /**
   * Gives back the deliveries leased to this worker that it neither holds nor has a result waiting for. Between
   * claims nothing else leases to the worker, so those are exactly the strays.
   */
  async #releaseStrays(): Promise<void> {
    const held = new Set([...this.#slots.jobs(), ...this.#batches.jobs()].map((job) => job.delivery.id));
    const leased = await this.#store.deliveryLeasedTo(this.id);
    const strays = leased.filter((id) => !held.has(id) && !this.#writer.holds(id));
    await this.#store.deliveryRelease(this.id, strays);
    this.#strayLeases = false;
    if (strays.length > 0)
      this.#logger.warn(
        { released: strays.length },
        'gave back deliveries leased here that this worker did not hold',
      );
  }

  async #claim(free: number): Promise<void> {
    this.#claimWanted = false;
    const now = Date.now();
    // An endpoint with as many deliveries held here as it may have in flight gets no more.
    const exclude = this.#slots.full(now);
    const { deliveries, resumeAfter } = await this.#store.deliveryClaim({
      now,
      leaseMs: this.options.leaseMs,
      worker: this.id,
      limit: free,
      perEndpoint: this.options.endpointConcurrency,
      exclude,
      after: this.#cursor,
      // Every endpoint skipped here may be walked, and each other one walked may have nothing due yet.
      walk: (free + exclude.length + WALK_SLACK) * this.#walkScale,
    });
    const walked = walkAfterClaim({
      deliveries,
      room: free,
      perEndpoint: this.options.endpointConcurrency,
      excluded: exclude,
      resumeAfter,
      walkScale: this.#walkScale,
    });
    this.#walkScale = walked.walkScale;
    this.#leftBehind = walked.leftBehind;
    if (walked.resumeAfter !== null) this.#cursor = walked.resumeAfter;
    else if (deliveries.length > 0)
      this.#cursor = nextCursor(
        this.#cursor,
        deliveries.map((delivery) => delivery.endpointId),
      );
    if (deliveries.length === 0) return;
    this.#slots.claimed(deliveries.length);
    let loaded: LoadedJobs;
    try {
      loaded = await this.#targets.jobsFor(deliveries);
    } catch (error) {
      // Nothing was started: give every delivery back rather than hold it (and its place) until its lease ends.
      this.#slots.letGo(deliveries.map((delivery) => delivery.id));
      throw error;
    }
    if (loaded.orphans.length > 0) this.#slots.letGo(loaded.orphans);
    try {
      const postponed = await this.#appThrottle.apply(loaded.jobs, now);
      if (postponed > 0) this.#slots.handedBack(postponed);
    } catch (error) {
      const ids = [...loaded.jobs.values()].flat().map((job) => job.delivery.id);
      this.#slots.letGo(ids);
      this.#logger.error({ err: error }, "throttling deliveries by their applications' rates failed");
      return;
    }
    for (const endpointJobs of loaded.jobs.values()) {
      if (endpointJobs[0]!.target.batching !== null) {
        try {
          await fillBatch(this.#feed, endpointJobs);
        } catch (error) {
          this.#slots.letGo(endpointJobs.map((job) => job.delivery.id));
          this.#logger.error(
            { err: error, endpoint: endpointJobs[0]!.target.id },
            'batching deliveries failed',
          );
        }
        continue;
      }
      try {
        const throttled = await throttle(this.#store, this.id, endpointJobs, now);
        if (throttled.postponed > 0) this.#slots.handedBack(throttled.postponed);
        for (const job of throttled.now) this.#slots.enqueue(job);
      } catch (error) {
        this.#slots.letGo(endpointJobs.map((job) => job.delivery.id));
        this.#logger.error(
          { err: error, endpoint: endpointJobs[0]!.target.id },
          'throttling deliveries failed',
        );
      }
    }
  }
}
