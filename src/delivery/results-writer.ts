/**
 * Group commit for attempt results. Senders hand their results here; they are written in one transaction
 * every few milliseconds (or sooner when many are waiting), so the hot path never makes one database round
 * trip per delivery. The same transaction adds the batch's counts to the SLA rollups (sla.ts): one row per
 * scope and minute per write, not one per delivery.
 */
import type { Logger } from 'pino';
import { isDatabaseUnavailable, type Attempt, type DeliveryUpdate, type Store } from '../store/index.js';
import { rollupDeltas } from './sla.js';

export const FLUSH_INTERVAL_MS = 5;
export const FLUSH_SIZE = 500;
/** Tries at a write that fails for any reason but an outage; the pause between them grows by 100 ms. */
const WRITE_ATTEMPTS = 5;
/**
 * How long a write is tried again while the database cannot be reached (a restart or a failover takes seconds).
 * Giving up sooner would send every delivery in flight again once its lease runs out; trying for longer would
 * hold up shutdown. A delivery rescued meanwhile is not updated by the late write (it is no longer leased here).
 */
export const OUTAGE_PATIENCE_MS = 30_000;
/** The longest pause between two tries during an outage. */
const OUTAGE_RETRY_MAX_MS = 1000;

export interface Result {
  update: DeliveryUpdate;
  attempt: Attempt;
  /** When the delivery's message was created, for the SLA rollups; a result without it adds nothing to them. */
  messageCreatedAt?: number;
}

export class ResultsWriter {
  #pending: Result[] = [];
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> = Promise.resolve();
  /** The deliveries whose results were added and not written yet. */
  readonly #unwritten = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly worker: string,
    private readonly logger: Logger,
    /**
     * Called after each write: room for more results may have opened, and `madeDue` deliveries of ordered
     * endpoints became due because the one before them in their sequence ended.
     */
    private readonly onWritten: (madeDue: number) => void = () => undefined,
  ) {}

  /**
   * Results added but not written yet. The worker counts them against its capacity, so that when the database
   * writes more slowly than endpoints answer, claiming slows down instead of results piling up in memory (and
   * outliving their leases).
   */
  get backlog(): number {
    return this.#unwritten.size;
  }

  /** Whether the delivery's result waits here to be written: its lease is still this worker's. */
  holds(deliveryId: string): boolean {
    return this.#unwritten.has(deliveryId);
  }

  add(result: Result): void {
    this.#unwritten.add(result.update.id);
    this.#pending.push(result);
    if (this.#pending.length >= FLUSH_SIZE) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS);
  }

  /** Writes everything added so far. Flushes run one after another, never at once. */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return this.#flushing;
    this.#flushing = this.#flushing.then(() => this.#write(batch));
    return this.#flushing;
  }

  async #write(batch: Result[]): Promise<void> {
    let madeDue = 0;
    try {
      madeDue = await this.#writeWithRetries(batch);
    } finally {
      for (const result of batch) this.#unwritten.delete(result.update.id);
      this.onWritten(madeDue);
    }
  }

  /** Writes the batch, trying again as described above; resolves how many deliveries it made due. */
  async #writeWithRetries(batch: Result[]): Promise<number> {
    const started = Date.now();
    const rollups = rollupDeltas(
      batch.flatMap((result) =>
        result.messageCreatedAt === undefined
          ? []
          : [{ ...result, messageCreatedAt: result.messageCreatedAt }],
      ),
    );
    for (let attempt = 1; ; attempt++) {
      try {
        const madeDue = await this.store.deliveryRecordResults(
          this.worker,
          batch.map((result) => result.update),
          batch.map((result) => result.attempt),
          Date.now(),
          rollups,
        );
        if (attempt > 1) this.logger.info({ attempt, size: batch.length }, 'attempt results written');
        return madeDue;
      } catch (error) {
        // The leases keep the deliveries safe: if this never succeeds they are rescued and sent again.
        this.logger.error({ err: error, attempt, size: batch.length }, 'writing attempt results failed');
        const outage = isDatabaseUnavailable(error) && Date.now() - started < OUTAGE_PATIENCE_MS;
        if (!outage && attempt >= WRITE_ATTEMPTS) return 0;
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * attempt, OUTAGE_RETRY_MAX_MS)));
      }
    }
  }
}
