/**
 * One worker's adaptive limits: a controller state (`adaptive-limit.ts`) per endpoint it sends to, fed with
 * each finished request, read by the slots (`slots.ts`) for how many requests may be in flight to the endpoint.
 *
 * Each worker (each delivery thread of each process) adapts its own limit, within its own share of
 * `HERALD_ENDPOINT_CONCURRENCY`, from the answers it gets. Workers sending to one endpoint see the same
 * receiver slow down, so they cut together; like TCP connections sharing a link, their limits then converge on
 * even shares. Nothing is coordinated through the database: a worker's limit needs no round trip, and a worker
 * that stops takes its share with it.
 *
 * What the limits are is reported to the store (`endpoint_limit`): every `REPORT_MS` for the endpoints whose
 * limit changed, and at least once a minute while an endpoint is sent to, so that the health report can sum
 * the live workers' limits and chart their history. An endpoint not sent to for `IDLE_MS` is forgotten: it
 * starts again from the initial limit.
 */
import type { Logger } from 'pino';
import type { EndpointLimitReport, Store } from '../store/index.js';
import {
  INITIAL_LIMIT,
  allowed,
  classify,
  describe,
  initialState,
  observe,
  type LimitState,
} from './adaptive-limit.js';
import type { AttemptReport } from './attempt.js';
import type { Target } from './job.js';
import type { Metrics } from './metrics.js';
import { parseRetryAfter } from './retry-policy.js';

/** How often changed limits are reported to the store. */
export const REPORT_MS = 2_000;
/** How long the reported limits are kept (the retention pruner deletes older ones). */
export const HISTORY_DAYS = 7;
/** An endpoint not sent to for this long is forgotten. */
export const IDLE_MS = 5 * 60_000;
const MINUTE_MS = 60_000;

interface Tracked {
  /** The endpoint's application, for the per-endpoint gauge. */
  appId: string;
  state: LimitState;
  lastSeen: number;
  /** The minute being reported, and the limit's range in it so far. */
  minute: number;
  low: number;
  high: number;
  /** Whether the row of this minute is out of date in the store. */
  dirty: boolean;
}

export class AdaptiveLimits {
  readonly #tracked = new Map<string, Tracked>();
  #timer: NodeJS.Timeout | null = null;
  #reporting: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: { worker: string; ceiling: number },
    private readonly deps: { store: Store; logger: Logger; metrics: Metrics },
    /** Requests in flight to an endpoint from this worker now. */
    private readonly inFlight: (endpointId: string) => number,
  ) {}

  /** Requests this worker may keep in flight to the endpoint now. */
  limitOf(target: Pick<Target, 'id' | 'adaptiveThrottling'> | undefined): number {
    const { ceiling } = this.options;
    if (target === undefined || !target.adaptiveThrottling) return ceiling;
    const tracked = this.#tracked.get(target.id);
    return tracked === undefined ? Math.min(INITIAL_LIMIT, ceiling) : allowed(tracked.state);
  }

  /** Feeds a finished request's outcome to its endpoint's controller. */
  record(target: Target, report: AttemptReport, startedAt: number): void {
    if (!target.adaptiveThrottling) {
      if (this.#tracked.delete(target.id))
        this.deps.metrics.endpoints.setAdaptiveLimit(target.appId, target.id, null);
      return;
    }
    // Nothing was sent (the body could not be rendered): nothing learned.
    if (report.healthy === null) return;
    const { outcome, finishedAt } = report;
    const status = outcome.kind === 'response' ? outcome.status : null;
    const sample = {
      startedAt,
      finishedAt,
      durationMs: outcome.durationMs,
      inFlight: this.inFlight(target.id),
      ...classify({
        status,
        errorClass: outcome.kind === 'error' ? outcome.errorClass : null,
        retryAfterAt:
          outcome.kind === 'response' ? parseRetryAfter(outcome.headers['retry-after'], finishedAt) : null,
      }),
    };
    const tracked = this.#track(target, finishedAt);
    const before = allowed(tracked.state);
    tracked.state = observe(tracked.state, sample);
    tracked.lastSeen = finishedAt;
    const after = allowed(tracked.state);
    if (after !== before) {
      tracked.dirty = true;
      tracked.low = Math.min(tracked.low, after);
      tracked.high = Math.max(tracked.high, after);
      if (after < before) this.deps.metrics.adaptiveCuts.inc({ cause: causeOf(tracked.state) });
    }
  }

  /** Starts reporting limits to the store. */
  start(): void {
    this.#timer ??= setInterval(() => void this.report(Date.now()), REPORT_MS);
    this.#timer.unref();
  }

  /** Stops reporting, after a last report. */
  async stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.report(Date.now());
  }

  /**
   * Reports the limits that changed, and those of endpoints sent to since the minute turned; forgets the
   * endpoints idle for `IDLE_MS`; updates the gauges.
   */
  report(now: number): Promise<void> {
    const minute = now - (now % MINUTE_MS);
    const rows: EndpointLimitReport[] = [];
    let limited = 0;
    let sum = 0;
    for (const [endpointId, tracked] of this.#tracked) {
      if (now - tracked.lastSeen > IDLE_MS) {
        this.#tracked.delete(endpointId);
        this.deps.metrics.endpoints.setAdaptiveLimit(tracked.appId, endpointId, null);
        continue;
      }
      const limit = allowed(tracked.state);
      this.deps.metrics.endpoints.setAdaptiveLimit(tracked.appId, endpointId, limit);
      sum += limit;
      if (limit < tracked.state.ceiling) limited++;
      if (tracked.minute !== minute && tracked.lastSeen >= minute) {
        tracked.minute = minute;
        tracked.low = tracked.high = limit;
        tracked.dirty = true;
      }
      if (!tracked.dirty) continue;
      tracked.dirty = false;
      rows.push({
        endpointId,
        worker: this.options.worker,
        minute: tracked.minute,
        limit,
        low: tracked.low,
        high: tracked.high,
        ceiling: tracked.state.ceiling,
        reason: describe(tracked.state.reason, limit, tracked.state.ceiling),
        updatedAt: now,
      });
    }
    this.deps.metrics.adaptiveLimits.set({ state: 'limited' }, limited);
    this.deps.metrics.adaptiveLimits.set({ state: 'at_ceiling' }, this.#tracked.size - limited);
    this.deps.metrics.adaptiveLimitSum.set(sum);
    // One report at a time; a failed one is logged, and the next minute's rows carry on.
    this.#reporting = this.#reporting.then(() =>
      this.deps.store.endpointLimitReport(rows).catch((error: unknown) => {
        this.deps.logger.warn({ err: error }, 'reporting adaptive limits failed');
      }),
    );
    return this.#reporting;
  }

  #track({ id: endpointId, appId }: Target, now: number): Tracked {
    let tracked = this.#tracked.get(endpointId);
    if (tracked === undefined) {
      const state = initialState(this.options.ceiling, 0);
      const limit = allowed(state);
      tracked = {
        appId,
        state,
        lastSeen: now,
        minute: now - (now % MINUTE_MS),
        low: limit,
        high: limit,
        dirty: true,
      };
      this.#tracked.set(endpointId, tracked);
    }
    return tracked;
  }
}

/** The cause of the latest cut, as a metric label. */
function causeOf(state: LimitState): string {
  const reason = state.reason;
  if (reason.kind === 'overload') return reason.cause;
  return reason.kind === 'slow' ? 'latency' : 'other';
}
