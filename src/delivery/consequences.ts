/**
 * What an attempt's outcome leads to, beyond the attempt itself: the result goes to the group-commit writer, the
 * metrics count it, the endpoint's health and circuit follow it, an endpoint that answered 410 Gone is disabled,
 * and the operator hears of exhausted, failing and recovered deliveries through operational events. Disabling an
 * endpoint is shared with the auto-disabler, so an endpoint is disabled the same way whichever finds it dead.
 *
 * The operational application's own deliveries stop after the circuit: a 410 from an operator endpoint does
 * not disable it and no event reports it, so a failing operator endpoint cannot feed itself (the auto-disabler
 * still disables one that fails for days, without an event).
 */
import type { Logger } from 'pino';
import { DeliveryStatus, type Store } from '../store/index.js';
import type { AttemptReport } from './attempt.js';
import type { EndpointHealth } from './health.js';
import type { Job, Target } from './job.js';
import type { Metrics } from './metrics.js';
import { FAILING_AFTER_ATTEMPTS, type OperationalEvents } from './operational-events.js';
import type { ResultsWriter } from './results-writer.js';

/** The endpoint fields that disabling one and reporting it need. */
export type DisabledEndpoint = Pick<Target, 'id' | 'appId' | 'uid' | 'failingSince'>;

export interface DisableDeps {
  store: Store;
  events: OperationalEvents;
  logger: Logger;
}

/**
 * Disables an endpoint automatically (unless it is disabled already, or another worker just did it) and emits
 * `endpoint.disabled`. `onDisabled` runs as soon as it is disabled, before the event is recorded. Returns whether
 * this call disabled it.
 */
export async function disableEndpoint(
  { store, events, logger }: DisableDeps,
  endpoint: DisabledEndpoint,
  reason: string,
  now: number,
  onDisabled?: () => void,
): Promise<boolean> {
  if (!(await store.endpointDisableAutomatically(endpoint.id, reason, now))) return false;
  onDisabled?.();
  logger.warn(
    { endpoint: endpoint.id, failingSince: endpoint.failingSince, reason },
    'endpoint disabled automatically',
  );
  if (await events.isOperational(endpoint.appId)) return true;
  await events.emit('endpoint.disabled', {
    appId: endpoint.appId,
    endpointId: endpoint.id,
    endpointUid: endpoint.uid,
    failSince: endpoint.failingSince === null ? null : new Date(endpoint.failingSince).toISOString(),
    trigger: 'automatic',
    reason,
  });
  return true;
}

export class Consequences {
  constructor(
    private readonly deps: DisableDeps & { writer: ResultsWriter; metrics: Metrics; health: EndpointHealth },
    /** Gives back the deliveries waiting for an endpoint that must not get them now. */
    private readonly releaseQueued: (endpointId: string) => void,
  ) {}

  /**
   * The endpoint answered 415 to a compressed body: it gets plain bodies from now on, here at once and in every
   * worker once the store has it, until its compression setting is saved again. The health report shows when.
   */
  async #compressionRefused(target: Job['target'], now: number): Promise<void> {
    target.compressionRefusedAt = now;
    try {
      await this.deps.store.endpointSetHealth(target.id, { compressionRefusedAt: now });
    } catch (error) {
      this.deps.logger.error({ err: error, endpoint: target.id }, 'recording a refused compression failed');
    }
    this.deps.logger.warn({ endpoint: target.id }, 'endpoint refused a compressed body (415); sending plain');
  }

  async apply(job: Job, report: AttemptReport): Promise<void> {
    const { message, target } = job;
    const { writer, metrics, health, events } = this.deps;
    const { update, attempt, decision, outcome } = report;
    writer.add({ update, attempt, messageCreatedAt: message.createdAt });
    metrics.endpoints.note(job, report);

    const succeeded = decision.status === DeliveryStatus.Success;
    const outcomeLabel = succeeded ? 'success' : decision.status === DeliveryStatus.Fail ? 'failed' : 'retry';
    metrics.deliveries.inc({ outcome: outcomeLabel });
    metrics.attemptDuration.observe({ outcome: outcomeLabel }, outcome.durationMs / 1000);
    if (update.attemptCount > 1) metrics.retries.inc();
    if (report.compressed !== null) {
      const { encoding, uncompressedBytes, compressedBytes } = report.compressed;
      metrics.compressionBytes.inc({ encoding, stage: 'before' }, uncompressedBytes);
      metrics.compressionBytes.inc({ encoding, stage: 'after' }, compressedBytes);
    }
    if (report.compressionRefused) await this.#compressionRefused(target, report.finishedAt);

    const finished = report.finishedAt;
    const circuit = report.healthy === null ? null : await health.record(target, report.healthy, finished);
    if (circuit !== null) metrics.circuitChanges.inc({ state: circuit });
    if (circuit === 'opened') this.releaseQueued(target.id);
    const failing = !succeeded && update.attemptCount === FAILING_AFTER_ATTEMPTS;
    const recovered = succeeded && update.attemptCount > FAILING_AFTER_ATTEMPTS;
    const exhausted = decision.status === DeliveryStatus.Fail;
    if (decision.disableEndpoint === null && !failing && !recovered && !exhausted) return;
    // The operational application's own deliveries are neither disabled on a 410 nor reported (see above).
    if (await events.isOperational(attempt.appId)) return;
    const lastAttempt = {
      id: attempt.id,
      timestamp: new Date(attempt.createdAt).toISOString(),
      responseStatusCode: attempt.responseStatusCode,
    };
    const about = {
      appId: attempt.appId,
      msgId: message.id,
      msgEventId: message.eventId,
      endpointId: target.id,
    };
    if (decision.disableEndpoint !== null)
      await disableEndpoint(this.deps, target, decision.disableEndpoint, finished, () => {
        health.forget(target.id);
        this.releaseQueued(target.id);
      });
    if (exhausted) await events.emit('message.attempt.exhausted', { ...about, lastAttempt });
    else if (failing) await events.emit('message.attempt.failing', { ...about, lastAttempt });
    else if (recovered) await events.emit('message.attempt.recovered', { ...about, lastAttempt });
  }
}
