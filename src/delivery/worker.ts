/**
 * The dispatcher of one worker process. It claims due deliveries in batches with a lease, fairly across
 * endpoints, keeps at most `endpointConcurrency` requests in flight per endpoint and `concurrency` in all, and
 * hands each result to the group-commit writer. An idle worker sleeps until it is woken (a message was
 * accepted in this process) or its poll interval passes.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Vault } from '../security/vault.js';
import { runPeriodically, type Periodic } from '../services/periodic.js';
import type { EndpointSecret } from '../signing/secrets.js';
import { signatureHeader } from '../signing/signature.js';
import { DeliveryStatus, type Delivery, type HeaderStyle, type Message, type Store } from '../store/index.js';
import { newId } from '../util/ids.js';
import { decide } from './outcome.js';
import { ResultsWriter } from './results-writer.js';
import type { Sender, SendOutcome } from './sender.js';
import { Outbound, type OutboundTarget } from './outbound.js';
import type { OutboundAuthConfig } from './outbound-auth.js';
import { parseCidrList } from '../security/ssrf.js';
import { isSensitiveHeader } from '../security/redact.js';
import { describeProblems } from '../templates/problems.js';
import { BodyShaper, shapesBody, type ShapeTarget, type ShapingBatch } from '../templates/shaper.js';
import { EndpointHealth, type HealthState } from './health.js';
import type { Metrics } from './metrics.js';
import { FAILING_AFTER_ATTEMPTS, type OperationalEvents } from './operational-events.js';

export const USER_AGENT = 'Herald-Webhooks/0.1 (+https://github.com/herald-webhooks/herald)';

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
  /** How long shutdown waits for requests in flight before leaving them to the lease rescuer. */
  shutdownGraceMs: number;
  /** Consecutive failures that open an endpoint's circuit. */
  circuitThreshold: number;
}

export interface WorkerDeps {
  store: Store;
  vault: Vault;
  sender: Sender;
  logger: Logger;
  events: OperationalEvents;
  metrics: Metrics;
}

/** An endpoint as the sender needs it, with its secrets and headers decrypted and its health kept current. */
interface Target extends HealthState, OutboundTarget, ShapeTarget {
  appId: string;
  uid: string | null;
  url: string;
  updatedAt: number;
  /** The keys that sign: `whsec_` secrets for `v1`, `whsk_` Ed25519 keys for `v1a`. */
  secrets: string[];
  headers: Record<string, string>;
  timeoutMs: number;
  retrySchedule: readonly number[] | undefined;
  /** Messages per second at most, or null. */
  throttleRate: number | null;
  headerStyle: HeaderStyle;
}

interface Job {
  delivery: Delivery;
  message: Message;
  target: Target;
  /** Templates and what they read, loaded once for the claimed batch the job came in. */
  shaping: ShapingBatch;
}

const RESCUE_INTERVAL_MS = 5_000;
/**
 * Endpoints a claim walks beyond those it has room for and those it skips: for endpoints that turn out to have
 * nothing due (waiting to retry, disabled, circuit open). A claim costs one index seek per endpoint walked.
 */
const WALK_SLACK = 64;
/** The longest walk, in multiples of the usual one. */
const MAX_WALK_SCALE = 1024;

export class DeliveryWorker {
  readonly id = `worker_${randomBytes(6).toString('hex')}`;
  readonly #writer: ResultsWriter;
  readonly #health: EndpointHealth;
  readonly #outbound: Outbound;
  readonly #shaper: BodyShaper;
  readonly #targets = new Map<string, Target>();
  /** Jobs waiting for an endpoint slot, by endpoint. */
  readonly #queued = new Map<string, Job[]>();
  /** Requests in flight, by endpoint. */
  readonly #active = new Map<string, number>();
  /** Jobs being sent, by delivery id: at most `concurrency`. */
  readonly #inFlight = new Map<string, Job>();
  readonly #sends = new Set<Promise<void>>();
  #held = 0;
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
  /** A wake-up (new work announced) has come since the last claim began. */
  #claimWanted = true;
  #loop: Promise<void> = Promise.resolve();
  #wake: (() => void) | null = null;
  #woken = false;
  #rescuer: Periodic | null = null;
  #renewer: Periodic | null = null;

  private readonly store: Store;
  private readonly vault: Vault;
  private readonly sender: Sender;
  private readonly logger: Logger;
  private readonly events: OperationalEvents;
  private readonly metrics: Metrics;

  constructor(
    deps: WorkerDeps,
    private readonly options: WorkerOptions,
  ) {
    ({
      store: this.store,
      vault: this.vault,
      sender: this.sender,
      logger: this.logger,
      events: this.events,
      metrics: this.metrics,
    } = deps);
    this.#writer = new ResultsWriter(this.store, this.id, this.logger, () => {
      if (this.#claimWanted || this.#leftBehind.more) this.#claimWhenRoom();
    });
    this.#health = new EndpointHealth(this.store, this.logger, options.circuitThreshold);
    this.#outbound = new Outbound(this.store, this.sender, this.logger);
    this.#shaper = new BodyShaper(this.store);
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
    if (this.#held === 0) return 1;
    return Math.max(1, Math.floor(this.options.concurrency / 2));
  }

  /** How many more deliveries this worker may claim now: its capacity less what it holds or has yet to record. */
  #room(): number {
    return this.#capacity() - this.#held - this.#writer.backlog;
  }

  /** Counts deliveries this worker holds (claimed, in flight or waiting for a slot). */
  #hold(delta: number): void {
    this.#held += delta;
    this.metrics.inFlight.set(this.#held);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
    this.#rescuer = runPeriodically(
      'lease-rescuer',
      RESCUE_INTERVAL_MS,
      async () => {
        const rescued = await this.store.deliveryRescueExpired();
        if (rescued > 0) this.logger.warn({ rescued }, 'rescued deliveries whose lease expired');
      },
      this.logger,
    );
    this.#renewer = runPeriodically(
      'lease-renewer',
      this.#renewEveryMs(),
      () => this.#renewLeases(),
      this.logger,
    );
  }

  /**
   * How often the leases of held deliveries are renewed: three times per lease, so that one failed renewal
   * (a slow database) still leaves time for the next before the lease runs out.
   */
  #renewEveryMs(): number {
    return Math.max(50, Math.floor(this.options.leaseMs / 3));
  }

  /**
   * Keeps the lease of every delivery held here fresh, whether it is being sent or waits for its endpoint's
   * slot, so that a long wait or a slow endpoint never lets another worker take it over. A waiting delivery
   * whose lease was taken back anyway (renewals failed for a whole lease) is dropped: the queue has it again.
   */
  async #renewLeases(): Promise<void> {
    const jobs = [...this.#inFlight.values(), ...[...this.#queued.values()].flat()];
    if (jobs.length === 0) return;
    const until = Date.now() + this.options.leaseMs;
    const asked = new Set(jobs.map((job) => job.delivery.id));
    const held = await this.store.deliveryRenewLeases(this.id, [...asked], until);
    for (const job of jobs) if (held.has(job.delivery.id)) job.delivery.leaseExpiresAt = until;
    // Jobs claimed while the renewal ran were not asked about: their fresh leases are theirs.
    const lostLease = (job: Job) => asked.has(job.delivery.id) && !held.has(job.delivery.id);
    let lost = 0;
    for (const [endpointId, queue] of this.#queued) {
      const kept = queue.filter((job) => !lostLease(job));
      if (kept.length === queue.length) continue;
      lost += queue.length - kept.length;
      if (kept.length > 0) this.#queued.set(endpointId, kept);
      else this.#queued.delete(endpointId);
    }
    if (lost === 0) return;
    this.#hold(-lost);
    this.logger.warn({ lost }, 'dropped waiting deliveries whose lease another worker took over');
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

  /** Stops claiming, lets requests in flight finish (within the grace period), and gives back the rest. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.wake();
    await this.#loop;
    await this.#rescuer?.stop();
    const waiting = [...this.#queued.values()].flat();
    this.#queued.clear();
    this.#hold(-waiting.length);
    await this.store.deliveryRelease(
      this.id,
      waiting.map((job) => job.delivery.id),
    );
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise((resolve) => (timer = setTimeout(resolve, this.options.shutdownGraceMs)));
    await Promise.race([Promise.all(this.#sends), grace]);
    clearTimeout(timer);
    // Requests in flight keep their leases fresh until they finish or the grace period ends.
    await this.#renewer?.stop();
    await this.#writer.flush();
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
        const free = this.#room();
        if (free > 0 && (anySlot || free >= this.#minimumClaim())) {
          await this.#claim(free);
          again = this.#leftBehind.more;
        }
      } catch (error) {
        // Unknown: a freed place may find work. The next claim waits for a wake-up or the poll interval.
        this.#leftBehind = { more: true, endpoints: new Set() };
        this.logger.error({ err: error }, 'claiming deliveries failed');
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

  async #claim(free: number): Promise<void> {
    this.#claimWanted = false;
    const cap = this.options.endpointConcurrency;
    const now = Date.now();
    // An endpoint with as many deliveries held here as it may have in flight gets no more, whether they are
    // being sent or waiting for a slot.
    const exclude: string[] = [];
    for (const endpointId of new Set([...this.#active.keys(), ...this.#queued.keys()]))
      if (
        (this.#active.get(endpointId) ?? 0) + (this.#queued.get(endpointId)?.length ?? 0) >=
        this.#capOf(endpointId, now)
      )
        exclude.push(endpointId);
    const { deliveries, resumeAfter } = await this.store.deliveryClaim({
      now,
      leaseMs: this.options.leaseMs,
      worker: this.id,
      limit: free,
      perEndpoint: cap,
      exclude,
      after: this.#cursor,
      // Every endpoint skipped here may be walked, and each other one walked may have nothing due yet.
      walk: (free + exclude.length + WALK_SLACK) * this.#walkScale,
    });
    // A walk that found nothing and stopped short is followed at once by one twice as long (up to a bound, then
    // the next poll carries on from where it stopped).
    const crossing = deliveries.length === 0 && resumeAfter !== null && this.#walkScale < MAX_WALK_SCALE;
    if (crossing) this.#walkScale *= 2;
    else if (deliveries.length >= free) this.#walkScale = Math.max(1, this.#walkScale / 2);
    this.#leftBehind = leftBehind(
      deliveries,
      free,
      cap,
      exclude,
      resumeAfter !== null && (deliveries.length > 0 || crossing),
    );
    // A walk that stopped short and was not cut by the room resumes after the last endpoint it looked at, so
    // that endpoints further on are reached even when those before them have nothing due.
    if (resumeAfter !== null && deliveries.length < free) this.#cursor = resumeAfter;
    else if (deliveries.length > 0)
      this.#cursor = nextCursor(
        this.#cursor,
        deliveries.map((delivery) => delivery.endpointId),
      );
    if (deliveries.length === 0) return;
    this.#hold(deliveries.length);
    let jobs: Map<string, Job[]>;
    try {
      jobs = await this.#prepareJobs(deliveries);
    } catch (error) {
      // Nothing was started: give every delivery back rather than hold it (and its place) until its lease ends.
      this.#letGo(deliveries.map((delivery) => delivery.id));
      throw error;
    }
    for (const endpointJobs of jobs.values()) {
      try {
        for (const job of await this.#throttle(endpointJobs, now)) this.#enqueue(job);
      } catch (error) {
        this.#letGo(endpointJobs.map((job) => job.delivery.id));
        this.logger.error(
          { err: error, endpoint: endpointJobs[0]!.target.id },
          'throttling deliveries failed',
        );
      }
    }
  }

  /**
   * Loads what the claimed deliveries need (their messages, endpoints and templates) and groups them by
   * endpoint. Deliveries whose message or endpoint is gone are given back.
   */
  async #prepareJobs(deliveries: Delivery[]): Promise<Map<string, Job[]>> {
    const [messages, targets] = await Promise.all([
      this.store.messageGetMany([...new Set(deliveries.map((delivery) => delivery.msgId))]),
      this.#loadTargets([...new Set(deliveries.map((delivery) => delivery.endpointId))]),
    ]);
    const shaping = await this.#shaper.prepare(targets.values(), messages.values());
    const orphans: string[] = [];
    const jobs = new Map<string, Job[]>();
    for (const delivery of deliveries) {
      const message = messages.get(delivery.msgId);
      const target = targets.get(delivery.endpointId);
      if (!message || !target) {
        orphans.push(delivery.id);
        continue;
      }
      const forEndpoint = jobs.get(target.id);
      if (forEndpoint) forEndpoint.push({ delivery, message, target, shaping });
      else jobs.set(target.id, [{ delivery, message, target, shaping }]);
    }
    if (orphans.length > 0) this.#letGo(orphans);
    return jobs;
  }

  /** Stops holding deliveries and puts them back in the queue (in the background; the rescuer is the backstop). */
  #letGo(ids: string[]): void {
    this.#hold(-ids.length);
    void this.store
      .deliveryRelease(this.id, ids)
      .catch((error: unknown) => this.logger.error({ err: error }, 'releasing deliveries failed'));
  }

  /**
   * Applies an endpoint's throttleRate: takes tokens from its shared bucket for as many jobs as it may send
   * now, and puts the rest back in the queue for when the next token is due. Postponing is not an attempt.
   */
  async #throttle(jobs: Job[], now: number): Promise<Job[]> {
    const rate = jobs[0]!.target.throttleRate;
    if (rate === null) return jobs;
    jobs.sort((a, b) => (a.delivery.id < b.delivery.id ? -1 : 1));
    const granted = await this.store.endpointTakeTokens(jobs[0]!.target.id, rate, jobs.length, now);
    const later = jobs.slice(granted);
    if (later.length > 0) {
      await this.store.deliveryPostpone(
        this.id,
        later.map((job) => job.delivery.id),
        now + Math.ceil(1000 / rate),
      );
      this.#hold(-later.length);
    }
    return jobs.slice(0, granted);
  }

  /**
   * Endpoints as of now. Secrets and headers are decrypted only when the endpoint changed since it was last
   * seen; health is copied from the row every time, since other workers change it.
   */
  async #loadTargets(ids: string[]): Promise<Map<string, Target>> {
    const endpoints = await this.store.endpointGetMany(ids);
    const targets = new Map<string, Target>();
    for (const endpoint of endpoints.values()) {
      let target = this.#targets.get(endpoint.id);
      if (!target || target.updatedAt !== endpoint.updatedAt) {
        const now = Date.now();
        const live = (sealed: string | null) =>
          sealed === null
            ? []
            : this.vault
                .openJson<EndpointSecret[]>(sealed)
                .filter((secret) => secret.expiresAt === null || secret.expiresAt > now)
                .map((secret) => secret.key);
        const versions = endpoint.signatureVersions;
        const secrets = [
          ...(versions.includes('v1') ? live(endpoint.secretsSealed) : []),
          ...(versions.includes('v1a') ? live(endpoint.signingKeysSealed) : []),
        ];
        target = {
          id: endpoint.id,
          appId: endpoint.appId,
          uid: endpoint.uid,
          url: endpoint.url,
          updatedAt: endpoint.updatedAt,
          secrets,
          headers: this.vault.openJson(endpoint.headersSealed),
          auth:
            endpoint.authSealed === null
              ? null
              : this.vault.openJson<OutboundAuthConfig>(endpoint.authSealed),
          allowedDestinations:
            endpoint.allowedDestinationCidrs === null
              ? null
              : parseCidrList(endpoint.allowedDestinationCidrs.join(',')),
          timeoutMs: endpoint.timeoutMs ?? this.options.timeoutMs,
          retrySchedule: endpoint.retrySchedule ?? undefined,
          throttleRate: endpoint.throttleRate,
          headerStyle: endpoint.headerStyle,
          metadata: endpoint.metadata,
          templateId: endpoint.templateId,
          templateVersion: endpoint.templateVersion,
          payloadVersion: endpoint.payloadVersion,
          conversion: endpoint.conversion,
          failingSince: endpoint.failingSince,
          circuitOpenUntil: endpoint.circuitOpenUntil,
        };
        this.#targets.set(endpoint.id, target);
      }
      target.failingSince = endpoint.failingSince;
      target.circuitOpenUntil = endpoint.circuitOpenUntil;
      targets.set(endpoint.id, target);
    }
    return targets;
  }

  /**
   * Whether a place freed by a request to `endpointId` may let a claim find work: only if the last claim left
   * some behind, for want of room or at that endpoint's cap. Claiming after every finished request regardless
   * would, under a steady load, run one claim (nearly always empty) per delivery.
   */
  #mayClaimFor(endpointId: string): boolean {
    return this.#leftBehind.more || this.#leftBehind.endpoints.has(endpointId);
  }

  /** Requests allowed in flight to an endpoint: one probe at a time while its circuit is half open. */
  #capOf(endpointId: string, now: number): number {
    const target = this.#targets.get(endpointId);
    return target && EndpointHealth.probing(target, now) ? 1 : this.options.endpointConcurrency;
  }

  /** Sends the job now if a slot and its endpoint allow it; otherwise it waits behind that endpoint's others. */
  #enqueue(job: Job): void {
    const endpointId = job.target.id;
    const queue = this.#queued.get(endpointId);
    if (
      queue === undefined &&
      this.#inFlight.size < this.options.concurrency &&
      (this.#active.get(endpointId) ?? 0) < this.#capOf(endpointId, Date.now())
    )
      this.#start(job);
    else if (queue) queue.push(job);
    else this.#queued.set(endpointId, [job]);
  }

  /**
   * Fills free slots from the waiting jobs: first the endpoint whose request just finished, then the other
   * endpoints in turn (each one served moves to the back, so none is starved by a busier one).
   */
  #startWaiting(finished: string): void {
    if (!this.#running) return;
    const now = Date.now();
    const stale: string[] = [];
    const startNext = (endpointId: string) => {
      const queue = this.#queued.get(endpointId);
      if (queue === undefined || (this.#active.get(endpointId) ?? 0) >= this.#capOf(endpointId, now)) return;
      let job = queue.shift();
      // Leases are renewed while jobs wait, but if renewals failed (the database is unreachable, say), a job
      // whose lease would run out before the next renewal goes back to the queue instead: sending it could race
      // the lease rescuer into sending it twice.
      while (job !== undefined && leaseRunsOut(job, now + this.#renewEveryMs())) {
        stale.push(job.delivery.id);
        job = queue.shift();
      }
      this.#queued.delete(endpointId);
      if (queue.length > 0) this.#queued.set(endpointId, queue);
      if (job !== undefined) this.#start(job);
    };
    if (this.#inFlight.size < this.options.concurrency) startNext(finished);
    for (const endpointId of [...this.#queued.keys()]) {
      if (this.#inFlight.size >= this.options.concurrency) break;
      startNext(endpointId);
    }
    if (stale.length > 0) this.#letGo(stale);
  }

  #start(job: Job): void {
    const endpointId = job.target.id;
    this.#active.set(endpointId, (this.#active.get(endpointId) ?? 0) + 1);
    this.#inFlight.set(job.delivery.id, job);
    const send = this.#deliver(job)
      .catch((error: unknown) =>
        this.logger.error({ err: error, delivery: job.delivery.id }, 'delivery failed'),
      )
      .finally(() => {
        this.#sends.delete(send);
        this.#inFlight.delete(job.delivery.id);
        this.#hold(-1);
        const active = (this.#active.get(endpointId) ?? 1) - 1;
        if (active === 0) this.#active.delete(endpointId);
        else this.#active.set(endpointId, active);
        this.#startWaiting(endpointId);
        if (this.#claimWanted || this.#mayClaimFor(endpointId)) this.#claimWhenRoom();
      });
    this.#sends.add(send);
  }

  async #deliver({ delivery, message, target, shaping }: Job): Promise<void> {
    const started = Date.now();
    const timestamp = Math.floor(started / 1000);
    let outcome: SendOutcome;
    let requestHeaders: Record<string, string> = {};
    // The body as this endpoint receives it: templated, converted or the standard JSON. It is what gets signed.
    const shaped = message.payload === null ? null : shaping.shape(target, message, message.payload);
    if (shaped === null) {
      outcome = {
        kind: 'error',
        errorClass: 'network',
        detail: 'the message content was deleted',
        durationMs: 0,
      };
    } else if (!shaped.ok) {
      // A template that cannot render never sends a broken body; no retry would render it differently.
      outcome = {
        kind: 'error',
        errorClass: 'template_error',
        detail: describeProblems(shaped.problems),
        durationMs: Date.now() - started,
      };
    } else {
      const body = shaped.body;
      const prefix = target.headerStyle === 'svix' ? 'svix' : 'webhook';
      requestHeaders = {
        ...target.headers,
        'content-type': shaped.contentType,
        'user-agent': USER_AGENT,
        [`${prefix}-id`]: message.id,
        [`${prefix}-timestamp`]: String(timestamp),
        [`${prefix}-signature`]: signatureHeader(target.secrets, message.id, timestamp, body),
      };
      ({ outcome, headers: requestHeaders } = await this.#outbound.send(target, {
        msgId: message.id,
        headers: requestHeaders,
        body,
      }));
    }
    const finished = Date.now();
    const attemptsMade = delivery.attemptCount + 1;
    const decision =
      message.payload === null
        ? { status: DeliveryStatus.Fail, nextAttemptAt: null, disableEndpoint: null }
        : decide(outcome, attemptsMade, finished, target.retrySchedule);
    const succeeded = decision.status === DeliveryStatus.Success;
    const attemptId = newId('attempt', started);
    this.#writer.add({
      update: {
        id: delivery.id,
        status: decision.status,
        attemptCount: attemptsMade,
        nextAttemptAt: decision.nextAttemptAt,
        lastAttemptAt: finished,
      },
      attempt: {
        id: attemptId,
        appId: delivery.appId,
        msgId: delivery.msgId,
        endpointId: delivery.endpointId,
        deliveryId: delivery.id,
        url: target.url,
        status: succeeded ? DeliveryStatus.Success : DeliveryStatus.Fail,
        responseStatusCode: outcome.kind === 'response' ? outcome.status : 0,
        responseBody: outcome.kind === 'response' ? outcome.body : null,
        responseHeaders: outcome.kind === 'response' ? outcome.headers : null,
        requestHeaders: redactHeaders(requestHeaders),
        // Stored only when a template or conversion changed the body; otherwise it is the message payload.
        requestBody: shaped?.ok === true && shapesBody(target) ? shaped.body : null,
        durationMs: outcome.durationMs,
        triggerType: delivery.triggerType,
        errorClass: succeeded ? null : outcome.kind === 'response' ? 'http_status' : outcome.errorClass,
        errorDetail: outcome.kind === 'error' ? outcome.detail : null,
        createdAt: started,
      },
    });

    const outcomeLabel = succeeded ? 'success' : decision.status === DeliveryStatus.Fail ? 'failed' : 'retry';
    this.metrics.deliveries.inc({ outcome: outcomeLabel });
    this.metrics.attemptDuration.observe({ outcome: outcomeLabel }, outcome.durationMs / 1000);
    if (attemptsMade > 1) this.metrics.retries.inc();

    // A template error says nothing about the endpoint's health: nothing was sent to it.
    const circuit = shaped?.ok === false ? null : await this.#health.record(target, succeeded, finished);
    if (circuit !== null) this.metrics.circuitChanges.inc({ state: circuit });
    if (circuit === 'opened') this.#releaseQueued(target.id);
    if (this.events.isOperational(delivery.appId)) return;
    const lastAttempt = {
      id: attemptId,
      timestamp: new Date(started).toISOString(),
      responseStatusCode: outcome.kind === 'response' ? outcome.status : 0,
    };
    const about = {
      appId: delivery.appId,
      msgId: message.id,
      msgEventId: message.eventId,
      endpointId: target.id,
    };
    if (decision.disableEndpoint !== null) await this.#disable(target, decision.disableEndpoint, finished);
    if (decision.status === DeliveryStatus.Fail)
      await this.events.emit('message.attempt.exhausted', { ...about, lastAttempt });
    else if (!succeeded && attemptsMade === FAILING_AFTER_ATTEMPTS)
      await this.events.emit('message.attempt.failing', { ...about, lastAttempt });
    else if (succeeded && attemptsMade > FAILING_AFTER_ATTEMPTS)
      await this.events.emit('message.attempt.recovered', { ...about, lastAttempt });
  }

  async #disable(target: Target, reason: string, now: number): Promise<void> {
    if (!(await this.store.endpointDisableAutomatically(target.id, reason, now))) return;
    this.#health.forget(target.id);
    this.#releaseQueued(target.id);
    this.logger.warn({ endpoint: target.id, reason }, 'endpoint disabled');
    await this.events.emit('endpoint.disabled', {
      appId: target.appId,
      endpointId: target.id,
      endpointUid: target.uid,
      failSince: target.failingSince === null ? null : new Date(target.failingSince).toISOString(),
      trigger: 'automatic',
      reason,
    });
  }

  /** Gives back the deliveries waiting here for an endpoint that must not get them now. */
  #releaseQueued(endpointId: string): void {
    const waiting = this.#queued.get(endpointId);
    if (!waiting) return;
    this.#queued.delete(endpointId);
    this.#letGo(waiting.map((job) => job.delivery.id));
  }
}

interface LeftBehind {
  /** More may be due anywhere: the claim filled its room, or its walk stopped short. */
  more: boolean;
  /** Endpoints that may have more due: skipped as full, or given their whole per-endpoint share. */
  endpoints: ReadonlySet<string>;
}

/** What a claim may have left in the queue. */
function leftBehind(
  deliveries: readonly Delivery[],
  room: number,
  perEndpoint: number,
  excluded: readonly string[],
  walkStoppedShort: boolean,
): LeftBehind {
  const endpoints = new Set(excluded);
  const counts = new Map<string, number>();
  for (const { endpointId } of deliveries) {
    const count = (counts.get(endpointId) ?? 0) + 1;
    counts.set(endpointId, count);
    if (count >= perEndpoint) endpoints.add(endpointId);
  }
  return { more: deliveries.length >= room || walkStoppedShort, endpoints };
}

/** Does the job's lease expire before `at`? */
function leaseRunsOut(job: Job, at: number): boolean {
  const expires = job.delivery.leaseExpiresAt;
  return expires !== null && expires < at;
}

function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    out[name] = isSensitiveHeader(name) ? '[redacted]' : value;
  return out;
}

/** The round-robin cursor after a claim: the last endpoint served, walking up from the previous cursor. */
export function nextCursor(previous: string, endpointIds: string[]): string {
  let afterMax = '';
  let wrappedMax = '';
  for (const id of endpointIds) {
    if (id > previous) afterMax = id > afterMax ? id : afterMax;
    else wrappedMax = id > wrappedMax ? id : wrappedMax;
  }
  return wrappedMax !== '' ? wrappedMax : afterMax;
}
