/**
 * Metrics per application and endpoint (docs/observability.md#metrics), with a bounded number of label values:
 * the first `limit` endpoints that a process delivers to get labels of their own for its lifetime; past that an
 * endpoint is counted under `endpoint="other"` of its application, and once `limit` applications are labelled
 * too, under `app="other", endpoint="other"`. A series, once made, is never taken back, so that counters and
 * histograms stay continuous for `rate()`.
 *
 * Attempts are noted in memory as they finish and applied to the counters and histograms in batches, after each
 * results write and before each scrape, never one by one on the delivery path. Queue and circuit gauges are read
 * from the database when scraped, for the `limit` endpoints that have most pending, the rest summed as `other`.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { TriggerType, type QueueStats, type Store } from '../store/index.js';
import type { AttemptReport } from './attempt.js';
import type { Job } from './job.js';
import { attemptOutcome } from './tracing.js';

/** The label value of everything past the bound. */
export const OTHER = 'other';
/** Noted attempts that are applied at once, whether or not a write or a scrape came. */
const MAX_NOTED = 1000;

const LABELS = ['app', 'endpoint'] as const;
type Labels = Record<(typeof LABELS)[number], string>;

/** Which label values an application's endpoint gets: its own while the bound allows, else `other`. */
export class LabelBudget {
  readonly #endpoints = new Map<string, Labels>();
  readonly #apps = new Set<string>();

  constructor(readonly limit: number) {}

  labels(appId: string, endpointId: string): Labels {
    const known = this.#endpoints.get(endpointId);
    if (known !== undefined) return known;
    const app = this.#apps.has(appId) || this.#admitApp(appId) ? appId : OTHER;
    if (app === OTHER || this.#endpoints.size >= this.limit) return { app, endpoint: OTHER };
    const labels = { app, endpoint: endpointId };
    this.#endpoints.set(endpointId, labels);
    return labels;
  }

  #admitApp(appId: string): boolean {
    if (this.#apps.size >= this.limit) return false;
    this.#apps.add(appId);
    return true;
  }
}

interface Noted {
  appId: string;
  endpointId: string;
  outcome: 'success' | 'retry' | 'failed';
  errorClass: string;
  durationMs: number;
  /** From the message's creation to this first success; null for other attempts. */
  delayMs: number | null;
}

/** The queue and circuit gauges' source: the store, and the process's cached queue totals. */
export interface GaugeSource {
  store: Store;
  totals: () => Promise<QueueStats>;
}

export class EndpointMetrics {
  readonly budget: LabelBudget;
  #noted: Noted[] = [];
  readonly attempts: Counter<'app' | 'endpoint' | 'outcome' | 'error_class'>;
  readonly attemptDuration: Histogram<'app' | 'endpoint'>;
  readonly deliveryDelay: Histogram<'app' | 'endpoint'>;
  readonly adaptiveLimit: Gauge<'app' | 'endpoint'>;

  constructor(registry: Registry, limit: number, gauges: GaugeSource | null) {
    this.budget = new LabelBudget(limit);
    const registers = [registry];
    const flush = () => this.flush();
    // Registered first: a scrape collects it first, so the histograms after it see every noted attempt.
    this.attempts = new Counter({
      name: 'herald_endpoint_attempts_total',
      help: 'Delivery attempts by application, endpoint, outcome (success, retry, failed) and error class',
      labelNames: [...LABELS, 'outcome', 'error_class'] as const,
      registers,
      collect: flush,
    });
    this.attemptDuration = new Histogram({
      name: 'herald_endpoint_attempt_duration_seconds',
      help: 'Time from sending a webhook to its response (or failure), by application and endpoint',
      labelNames: LABELS,
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.deliveryDelay = new Histogram({
      name: 'herald_endpoint_delivery_delay_seconds',
      help: "Time from a message's creation to its first successful delivery, by application and endpoint",
      labelNames: LABELS,
      buckets: [0.1, 0.5, 1, 2.5, 5, 15, 30, 60, 300, 1800, 3600, 6 * 3600, 24 * 3600],
      registers,
    });
    this.adaptiveLimit = new Gauge({
      name: 'herald_endpoint_adaptive_limit',
      help: 'Requests in flight an endpoint is allowed now by adaptive throttling, by application and endpoint',
      labelNames: LABELS,
      registers,
    });
    if (gauges !== null) this.#queueGauges(registers, gauges);
  }

  /** Notes an attempt's result, to be applied with the next batch. */
  note({ delivery, message }: Job, report: AttemptReport): void {
    const outcome = attemptOutcome(report);
    const first = outcome === 'success' && delivery.triggerType === TriggerType.Scheduled;
    this.#noted.push({
      appId: delivery.appId,
      endpointId: delivery.endpointId,
      outcome,
      errorClass: report.attempt.errorClass ?? 'none',
      durationMs: report.outcome.durationMs,
      delayMs: first ? report.finishedAt - message.createdAt : null,
    });
    if (this.#noted.length >= MAX_NOTED) this.flush();
  }

  /** Applies the attempts noted since the last batch. */
  flush(): void {
    if (this.#noted.length === 0) return;
    const noted = this.#noted;
    this.#noted = [];
    const counts = new Map<
      string,
      { labels: Labels & { outcome: string; error_class: string }; n: number }
    >();
    for (const entry of noted) {
      const labels = this.budget.labels(entry.appId, entry.endpointId);
      this.attemptDuration.observe(labels, entry.durationMs / 1000);
      if (entry.delayMs !== null) this.deliveryDelay.observe(labels, Math.max(0, entry.delayMs) / 1000);
      const key = `${labels.app}\n${labels.endpoint}\n${entry.outcome}\n${entry.errorClass}`;
      const count = counts.get(key);
      if (count !== undefined) count.n++;
      else
        counts.set(key, {
          labels: { ...labels, outcome: entry.outcome, error_class: entry.errorClass },
          n: 1,
        });
    }
    for (const { labels, n } of counts.values()) this.attempts.inc(labels, n);
  }

  /**
   * Hook for adaptive throttling: the limit it allows an endpoint now; null removes the endpoint's value (it
   * is no longer throttled adaptively).
   */
  setAdaptiveLimit(appId: string, endpointId: string, limit: number | null): void {
    const labels = this.budget.labels(appId, endpointId);
    if (limit !== null) this.adaptiveLimit.set(labels, limit);
    else if (labels.endpoint !== OTHER) this.adaptiveLimit.remove(labels);
  }

  /** The gauges read from the database at each scrape, for the endpoints with most pending. */
  #queueGauges(registers: Registry[], { store, totals }: GaugeSource): void {
    const limit = this.budget.limit;
    new Gauge({
      name: 'herald_endpoint_queue_depth',
      help: `Pending deliveries by application, endpoint and state (due, scheduled), for the ${limit} endpoints with most; the rest as endpoint="other"`,
      labelNames: [...LABELS, 'state'] as const,
      registers,
      async collect() {
        const now = Date.now();
        const [top, all] = await Promise.all([store.deliveryQueueByEndpoint(limit, now), totals()]);
        this.reset();
        const age = oldestAge;
        age.reset();
        let pending = 0;
        let due = 0;
        for (const queue of top) {
          const labels = { app: queue.appId, endpoint: queue.endpointId };
          this.set({ ...labels, state: 'due' }, queue.due);
          this.set({ ...labels, state: 'scheduled' }, queue.pending - queue.due);
          age.set(labels, queue.oldestDueAt === null ? 0 : Math.max(0, (now - queue.oldestDueAt) / 1000));
          pending += queue.pending;
          due += queue.due;
        }
        if (all.pending > pending) {
          const other = { app: OTHER, endpoint: OTHER };
          this.set({ ...other, state: 'due' }, Math.max(0, all.due - due));
          this.set({ ...other, state: 'scheduled' }, Math.max(0, all.pending - pending - (all.due - due)));
        }
      },
    });
    // Set by the queue-depth gauge's collect, from the same read.
    const oldestAge = new Gauge({
      name: 'herald_endpoint_oldest_due_age_seconds',
      help: `How long the oldest due delivery of an endpoint has waited, for the ${limit} endpoints with most pending`,
      labelNames: LABELS,
      registers,
    });
    let circuits: ReturnType<Store['endpointCircuits']> | null = null;
    new Gauge({
      name: 'herald_circuits',
      help: 'Enabled endpoints whose circuit breaker is open or half open (probing)',
      labelNames: ['state'] as const,
      registers,
      async collect() {
        circuits = store.endpointCircuits(limit);
        const { counts } = await circuits;
        this.set({ state: 'open' }, counts.open);
        this.set({ state: 'half_open' }, counts.half_open);
      },
    });
    new Gauge({
      name: 'herald_endpoint_circuit_state',
      help: `1 for an endpoint whose circuit is open or half open, by state, for at most ${limit} endpoints; closed circuits are not listed`,
      labelNames: [...LABELS, 'state'] as const,
      registers,
      async collect() {
        const { endpoints } = await (circuits ?? store.endpointCircuits(limit));
        circuits = null;
        this.reset();
        for (const { appId, endpointId, state } of endpoints)
          this.set({ app: appId, endpoint: endpointId, state }, 1);
      },
    });
  }
}
