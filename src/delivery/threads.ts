/**
 * Delivery threads. A Node.js process sends on one thread; with HERALD_WORKER_THREADS=n it runs n delivery
 * workers, one on the main thread (beside the API) and n − 1 on worker threads, so that delivery can use more
 * than one core. Each thread opens its own store and claims for itself, exactly as separate worker processes
 * do in cluster mode: leases keep any two from sending the same delivery, and the process's limits
 * (HERALD_WORKER_CONCURRENCY, HERALD_ENDPOINT_CONCURRENCY) are split between them.
 *
 * The main thread tells the threads when new deliveries were queued, asks them for their metrics at each
 * scrape, and restarts one that fails.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { ConfigError, type Config } from '../config/config.js';
import { formatCidr, parseCidrs } from '../util/cidr.js';
import type { Metrics, Snapshot } from './metrics.js';
import { SHUTDOWN_GRACE_MS, type WorkerShare } from './engine.js';

/** What a thread needs to start: the configuration (its address ranges as text) and the master key. */
export interface ThreadData {
  config: Omit<Config, 'ssrfAllow' | 'masterKey'> & { ssrfAllow: string[] };
  masterKey: Uint8Array;
  share: WorkerShare;
}

export type ToThread = { type: 'wake' } | { type: 'stop' } | { type: 'metrics'; id: number };
export type FromThread = { type: 'ready' } | { type: 'metrics'; id: number; metrics: Snapshot };

/** How long a scrape waits for a thread's metrics before leaving them out. */
const METRICS_TIMEOUT_MS = 2_000;
/** How long a failed thread waits before it is started again. */
const RESTART_DELAY_MS = 1_000;
/** How long stopping waits for a thread beyond the delivery grace period before ending it. */
const STOP_MARGIN_MS = 5_000;

/** The thread's entry point, at the root of src/ beside the process's (`herald.ts`). */
const ENTRY = new URL('../delivery-thread.js', import.meta.url);

function threadData(config: Config, masterKey: Buffer, share: WorkerShare): ThreadData {
  const { ssrfAllow, masterKey: _configured, ...rest } = config;
  return {
    config: { ...rest, ssrfAllow: ssrfAllow.map(formatCidr) },
    masterKey: new Uint8Array(masterKey),
    share,
  };
}

/** The configuration a thread was given, as the main thread has it. */
export function configFromThreadData(data: ThreadData): Config {
  return {
    ...data.config,
    ssrfAllow: parseCidrs(data.config.ssrfAllow),
    masterKey: Buffer.from(data.masterKey),
  };
}

class DeliveryThread {
  #worker: Worker | null = null;
  /** The thread's latest metrics, answered when it is too busy to answer or is being restarted. */
  #last: Snapshot = [];
  /**
   * The counts of the thread's earlier runs (before it failed and was restarted), so that the process's counters
   * never go down. Gauges are left out: a thread that ended holds nothing.
   */
  #retired: Snapshot[] = [];
  #stopping = false;
  #restart: NodeJS.Timeout | null = null;
  #requests = 0;
  readonly #pending = new Map<number, (metrics: Snapshot | null) => void>();
  readonly #removeSource: () => void;

  constructor(
    private readonly data: ThreadData,
    private readonly logger: Logger,
    metrics: Metrics,
  ) {
    this.#removeSource = metrics.addSource(() => this.#metrics());
  }

  /** Starts the thread; resolves once its worker runs, rejects if it fails before that. */
  start(): Promise<void> {
    const worker = new Worker(ENTRY, {
      workerData: this.data,
      name: `herald-delivery-${this.data.share.index}`,
    });
    this.#worker = worker;
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (message: FromThread) => {
        if (message.type === 'ready') {
          ready = true;
          resolve();
        } else if (message.type === 'metrics') {
          this.#last = message.metrics;
          this.#pending.get(message.id)?.(message.metrics);
          this.#pending.delete(message.id);
        }
      });
      worker.on('error', (error) => {
        if (!ready) reject(error);
        else this.logger.error({ err: error, thread: this.data.share.index }, 'delivery thread failed');
      });
      worker.on('exit', (code) => {
        if (this.#worker === worker) this.#worker = null;
        for (const answer of this.#pending.values()) answer(null);
        this.#pending.clear();
        // A run that never reported (it died before a scrape asked) has nothing to keep.
        if (this.#last.length > 0)
          this.#retired.push(this.#last.filter((metric) => String(metric.type) !== 'gauge'));
        this.#last = [];
        if (!ready) reject(new Error(`delivery thread ${this.data.share.index} exited with code ${code}`));
        else if (!this.#stopping) this.#scheduleRestart(code);
      });
    });
  }

  #scheduleRestart(code: number): void {
    this.logger.error(
      { thread: this.data.share.index, code },
      'delivery thread stopped unexpectedly; starting it again',
    );
    this.#restart = setTimeout(() => {
      this.#restart = null;
      if (this.#stopping) return;
      this.start().catch((error: unknown) => {
        this.logger.error(
          { err: error, thread: this.data.share.index },
          'restarting a delivery thread failed',
        );
        if (!this.#stopping) this.#scheduleRestart(1);
      });
    }, RESTART_DELAY_MS);
  }

  post(message: ToThread): void {
    this.#worker?.postMessage(message);
  }

  /** The thread's metrics now (or, if it cannot answer in time, as last seen), with its earlier runs' counts. */
  async #metrics(): Promise<Snapshot[]> {
    const current = await this.#ask();
    return [...this.#retired, current ?? this.#last];
  }

  #ask(): Promise<Snapshot | null> {
    if (this.#worker === null) return Promise.resolve(null);
    const id = ++this.#requests;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve(null);
      }, METRICS_TIMEOUT_MS);
      this.#pending.set(id, (metrics) => {
        clearTimeout(timer);
        resolve(metrics);
      });
      this.post({ type: 'metrics', id });
    });
  }

  /** Asks the thread to stop as the main thread's worker does (finishing what is in flight), then ends it. */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#restart) clearTimeout(this.#restart);
    this.#removeSource();
    const worker = this.#worker;
    if (worker === null) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>(
      (resolve) => (timer = setTimeout(resolve, SHUTDOWN_GRACE_MS + STOP_MARGIN_MS)),
    );
    worker.postMessage({ type: 'stop' } satisfies ToThread);
    await Promise.race([exited, late]);
    clearTimeout(timer);
    await worker.terminate();
  }
}

export class DeliveryThreads {
  #wakePending = false;

  private constructor(private readonly threads: DeliveryThread[]) {}

  /**
   * Starts the delivery threads numbered 1 to `config.workerThreads − 1` (the main thread's worker is 0). Runs
   * only from the compiled build: a thread loads `delivery-thread.js`.
   */
  static async start(deps: {
    config: Config;
    masterKey: Buffer;
    logger: Logger;
    metrics: Metrics;
  }): Promise<DeliveryThreads> {
    const { config, masterKey, logger, metrics } = deps;
    if (fileURLToPath(import.meta.url).endsWith('.ts'))
      throw new ConfigError(
        'HERALD_WORKER_THREADS',
        'delivery threads run from the compiled build (npm run build, then dist/cli/main.js); set it to 1 here',
      );
    const threads: DeliveryThread[] = [];
    for (let index = 1; index < config.workerThreads; index++)
      threads.push(
        new DeliveryThread(
          threadData(config, masterKey, { index, of: config.workerThreads }),
          logger,
          metrics,
        ),
      );
    const started = new DeliveryThreads(threads);
    try {
      await Promise.all(threads.map((thread) => thread.start()));
    } catch (error) {
      await started.stop();
      throw error;
    }
    return started;
  }

  /** New deliveries may be due: every thread claims now. Calls within one turn of the event loop send one wake. */
  wake(): void {
    if (this.#wakePending) return;
    this.#wakePending = true;
    setImmediate(() => {
      this.#wakePending = false;
      for (const thread of this.threads) thread.post({ type: 'wake' });
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread.stop()));
  }
}
