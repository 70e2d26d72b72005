/**
 * Group commit for attempt results. Senders hand their results here; they are written in one transaction
 * every few milliseconds (or sooner when many are waiting), so the hot path never makes one database round
 * trip per delivery.
 */
import type { Logger } from 'pino';
import type { Attempt, DeliveryUpdate, Store } from '../store/index.js';

export const FLUSH_INTERVAL_MS = 5;
export const FLUSH_SIZE = 500;

export interface Result {
  update: DeliveryUpdate;
  attempt: Attempt;
}

export class ResultsWriter {
  #pending: Result[] = [];
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> = Promise.resolve();
  #unwritten = 0;

  constructor(
    private readonly store: Store,
    private readonly worker: string,
    private readonly logger: Logger,
    /** Called after each write: room for more results may have opened. */
    private readonly onWritten: () => void = () => undefined,
  ) {}

  /**
   * Results added but not written yet. The worker counts them against its capacity, so that when the database
   * writes more slowly than endpoints answer, claiming slows down instead of results piling up in memory (and
   * outliving their leases).
   */
  get backlog(): number {
    return this.#unwritten;
  }

  add(result: Result): void {
    this.#unwritten++;
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
    try {
      await this.#writeWithRetries(batch);
    } finally {
      this.#unwritten -= batch.length;
      this.onWritten();
    }
  }

  async #writeWithRetries(batch: Result[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.store.deliveryRecordResults(
          this.worker,
          batch.map((result) => result.update),
          batch.map((result) => result.attempt),
        );
        return;
      } catch (error) {
        // The leases keep the deliveries safe: if this never succeeds they are rescued and sent again.
        this.logger.error({ err: error, attempt, size: batch.length }, 'writing attempt results failed');
        if (attempt >= 5) return;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }
}
