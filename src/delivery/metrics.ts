/**
 * Prometheus metrics of one Herald process. Counters and the latency histogram are updated in memory on the
 * hot path; queue depth and the oldest due delivery's age are read from the database when scraped. Delivery
 * threads keep their own counters (`new Metrics(null)`), which the main thread adds in when it is scraped.
 */
import {
  AggregatorRegistry,
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type MetricObjectWithValues,
  type MetricValue,
} from 'prom-client';
import type { QueueStats, Store } from '../store/index.js';
import { DEFAULT_METRICS_ENDPOINT_LABELS } from '../config/config.js';
import { EndpointMetrics } from './endpoint-metrics.js';
import { registerSlaGauges } from './sla-metrics.js';

/** One registry's metrics, as `registry.getMetricsAsJSON()` gives them (a thread's, say). */
export type Snapshot = Array<MetricObjectWithValues<MetricValue<string>>>;

export class Metrics {
  readonly registry = new Registry();
  readonly deliveries = new Counter({
    name: 'herald_deliveries_total',
    help: 'Delivery attempts by outcome: success, retry (failed, will be retried) or failed (dead letter)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly retries = new Counter({
    name: 'herald_retries_total',
    help: 'Attempts that were retries of an earlier failed attempt',
    registers: [this.registry],
  });
  readonly attemptDuration = new Histogram({
    name: 'herald_attempt_duration_seconds',
    help: 'Time from sending a webhook to its response (or failure)',
    labelNames: ['outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly circuitChanges = new Counter({
    name: 'herald_circuit_changes_total',
    help: 'Circuit-breaker state changes, by the state entered',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  readonly messagesAccepted = new Counter({
    name: 'herald_messages_accepted_total',
    help: 'Messages accepted by the API (repeated eventIds not counted)',
    registers: [this.registry],
  });
  readonly compressionBytes = new Counter({
    name: 'herald_compression_bytes_total',
    help: 'Bytes of the bodies sent compressed, before and after compression, by encoding (gzip, br)',
    labelNames: ['encoding', 'stage'] as const,
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({
    name: 'herald_in_flight',
    help: 'Deliveries this process holds: being sent or waiting for an endpoint slot',
    registers: [this.registry],
  });

  /** Per application and endpoint, with a bounded number of label values (`endpoint-metrics.ts`). */
  readonly endpoints: EndpointMetrics;

  /** Other threads' metrics, read at each scrape; a source may answer several snapshots, all added in. */
  readonly #sources: Array<() => Promise<Snapshot[]>> = [];

  /**
   * With a store, this is the process's own: it also reports process and queue figures. `endpointLabels` bounds
   * the endpoints with labels of their own (HERALD_METRICS_ENDPOINT_LABELS).
   */
  constructor(store: Store | null, endpointLabels = DEFAULT_METRICS_ENDPOINT_LABELS) {
    if (store === null) {
      this.endpoints = new EndpointMetrics(this.registry, endpointLabels, null);
      return;
    }
    collectDefaultMetrics({ register: this.registry, prefix: 'herald_process_' });
    // One query serves both queue gauges of a scrape.
    let cached: { at: number; stats: Promise<QueueStats> } | null = null;
    const stats = () => {
      if (!cached || Date.now() - cached.at > 1000)
        cached = { at: Date.now(), stats: store.deliveryQueueStats() };
      return cached.stats;
    };
    new Gauge({
      name: 'herald_queue_depth',
      help: 'Deliveries in the database by state: due now, scheduled for later, or being sent',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        const queue = await stats();
        this.set({ state: 'due' }, queue.due);
        this.set({ state: 'scheduled' }, queue.pending - queue.due);
        this.set({ state: 'sending' }, queue.sending);
      },
    });
    new Gauge({
      name: 'herald_queue_oldest_due_age_seconds',
      help: 'How long the oldest pending delivery has been due (0 when none is)',
      registers: [this.registry],
      async collect() {
        const { oldestDueAt } = await stats();
        this.set(oldestDueAt === null ? 0 : Math.max(0, (Date.now() - oldestDueAt) / 1000));
      },
    });
    this.endpoints = new EndpointMetrics(this.registry, endpointLabels, { store, totals: stats });
    registerSlaGauges(this.registry, store);
  }

  /** Adds another thread's metrics to every scrape. Returns a function that removes them again. */
  addSource(source: () => Promise<Snapshot[]>): () => void {
    this.#sources.push(source);
    return () => {
      const at = this.#sources.indexOf(source);
      if (at >= 0) this.#sources.splice(at, 1);
    };
  }

  /** The text a scrape gets: this registry's metrics, with every source's counters and gauges added in. */
  async text(): Promise<string> {
    if (this.#sources.length === 0) return this.registry.metrics();
    const [own, threads] = await Promise.all([
      this.registry.getMetricsAsJSON(),
      Promise.all(this.#sources.map((source) => source().catch(() => []))),
    ]);
    const others = threads.flat();
    // Counters and gauges the threads also keep are summed; the process's own figures (some of which the
    // aggregator would average or leave out) are taken as they are.
    const shared = new Set(others.flat().map((metric) => metric.name));
    const mine = own.map((metric) =>
      shared.has(metric.name) ? metric : { ...metric, aggregator: 'first' as const },
    );
    return AggregatorRegistry.aggregate([mine, ...others]).metrics();
  }
}
