/**
 * A worker's heartbeat, and the fence that makes a fast takeover safe. The worker beats its row in the store five
 * times per takeover period; the worker-takeover service hands the deliveries of a worker silent for a whole
 * period to the others. A worker that was only paused (a long GC pause, SIGSTOP and SIGCONT, a lost database)
 * may come back after it was taken over, so it starts a request only while its last confirmed beat is recent
 * enough that no takeover can have happened yet: a beat is sent at `t`, lands at `t + d`, and a takeover needs
 * `t + d + takeoverMs` to have passed. Past that, it holds its waiting jobs until a beat is confirmed again; a
 * beat that finds its row gone first drops every job whose lease another worker now has.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Store } from '../store/index.js';
import { runPeriodically, type Periodic } from '../util/periodic.js';

export interface HeartbeatHooks {
  /** The worker was taken over while it was silent: forget what it no longer holds. Runs before it may send again. */
  takenOver(): Promise<void>;
  /** Beats are confirmed again after a lapse: jobs held back may start. */
  fresh(): void;
}

/** Beats per takeover period: a worker stays fresh through three failed beats in a row. */
const BEATS_PER_TAKEOVER = 5;

export function beatEveryMs(takeoverMs: number): number {
  return Math.max(20, Math.floor(takeoverMs / BEATS_PER_TAKEOVER));
}

export class Heartbeat {
  #periodic: Periodic | null = null;
  /** When the last confirmed beat was sent, on this process's monotonic clock; none yet. */
  #confirmedAt = Number.NEGATIVE_INFINITY;
  readonly #everyMs: number;
  #failing = false;

  constructor(
    private readonly worker: string,
    private readonly takeoverMs: number,
    private readonly deps: { store: Store; logger: Logger },
    private readonly hooks: HeartbeatHooks,
  ) {
    this.#everyMs = beatEveryMs(takeoverMs);
  }

  /** Registers the worker and beats from now on; requests may start once the registration is confirmed. */
  start(): void {
    if (this.#periodic) return;
    void this.#register(performance.now()).catch((error: unknown) =>
      this.deps.logger.error(
        { err: error },
        'registering the delivery worker failed; retrying with its heartbeat',
      ),
    );
    this.#periodic = runPeriodically('heartbeat', this.#everyMs, () => this.beat(), this.deps.logger);
  }

  /**
   * Whether the worker may start a request now: its last confirmed beat was sent less than a takeover period ago,
   * less one beat's margin for the request to leave.
   */
  isFresh(now = performance.now()): boolean {
    return now - this.#confirmedAt < this.takeoverMs - this.#everyMs;
  }

  /**
   * One beat: confirms the worker is alive, or learns that it was taken over and registers it again. A run of
   * failed beats (the database is away) is logged once, when it starts, and once when beats land again.
   */
  async beat(): Promise<void> {
    try {
      await this.#beat();
    } catch (error) {
      if (!this.#failing)
        this.deps.logger.warn(
          { err: error },
          'the worker heartbeat failed; requests wait once the last confirmed one is too old',
        );
      this.#failing = true;
      return;
    }
    if (this.#failing) this.deps.logger.info('the worker heartbeat is confirmed again');
    this.#failing = false;
  }

  async #beat(): Promise<void> {
    const sentAt = performance.now();
    if (await this.deps.store.workerHeartbeat(this.worker)) {
      this.#confirm(sentAt);
      return;
    }
    if (this.#confirmedAt !== Number.NEGATIVE_INFINITY)
      this.deps.logger.warn(
        { worker: this.worker },
        'this worker was silent for longer than HERALD_WORKER_TAKEOVER_MS and was taken over; dropping what it held',
      );
    await this.hooks.takenOver();
    await this.#register(performance.now());
  }

  /** Stops beating and removes the worker's row: it gave back what it held. */
  async stop(): Promise<void> {
    await this.#periodic?.stop();
    this.#periodic = null;
    await this.deps.store
      .workerDeregister(this.worker)
      .catch((error: unknown) =>
        this.deps.logger.warn({ err: error }, 'removing the stopped worker failed; it will be taken over'),
      );
  }

  async #register(sentAt: number): Promise<void> {
    await this.deps.store.workerRegister({ id: this.worker, host: os.hostname(), pid: process.pid });
    this.#confirm(sentAt);
  }

  #confirm(sentAt: number): void {
    const wasFresh = this.isFresh();
    this.#confirmedAt = Math.max(this.#confirmedAt, sentAt);
    if (!wasFresh && this.isFresh()) this.hooks.fresh();
  }
}
