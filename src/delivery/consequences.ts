/**
 * What an attempt's outcome leads to, beyond the attempt itself: the result goes to the group-commit writer, the
 * metrics count it, the endpoint's adaptive limit and its health and circuit follow it, an endpoint that answered 410 Gone is disabled,
 * and the operator hears of exhausted, failing and recovered deliveries through operational events. Disabling an
 * endpoint is shared with the auto-disabler, so an endpoint is disabled the same way whichever finds it dead.
 *
 * The operational application's own deliveries stop after the circuit: a 410 from an operator endpoint does
 * not disable it and no event reports it, so a failing operator endpoint cannot feed itself (the auto-disabler
 * still disables one that fails for days, without an event).
 */
import type { Logger } from 'pino';
import { DeliveryStatus, type Store } from '../store/index.js';
import type { JobReport } from './batch-attempt.js';
import type { AdaptiveLimits } from './adaptive-limits.js';
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
    private readonly deps: DisableDeps & {
      writer: ResultsWriter;
      metrics: Metrics;
      health: EndpointHealth;
      adaptive: AdaptiveLimits;
    },
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

  /**
   * Applies what one request came to: `reports` holds one report per delivery it carried (several for a batch,
   * each recorded and counted as a message, and reported on its own). The endpoint's health, circuit, refused
   * compression and disabling follow the request, once: they count requests, not messages.
   */
  async apply(reports: readonly JobReport[]): Promise<void> {
    const { writer, metrics, health, events } = this.deps;
    writer.add(
      ...reports.map(({ job, report }) => ({
        update: report.update,
        attempt: report.attempt,
        messageCreatedAt: job.message.createdAt,
      })),
    );
    for (const { job, report } of reports) {
      metrics.endpoints.note(job, report);
      const { update, decision, outcome } = report;
      const succeeded = decision.status === DeliveryStatus.Success;
      const outcomeLabel = succeeded
        ? 'success'
        : decision.status === DeliveryStatus.Fail
          ? 'failed'
          : 'retry';
      metrics.deliveries.inc({ outcome: outcomeLabel });
      metrics.attemptDuration.observe({ outcome: outcomeLabel }, outcome.durationMs / 1000);
      if (update.attemptCount > 1) metrics.retries.inc();
    }
    const { job, report } = reports[0]!;
    const { target } = job;
    if (report.compressed !== null) {
      const { encoding, uncompressedBytes, compressedBytes } = report.compressed;
      metrics.compressionBytes.inc({ encoding, stage: 'before' }, uncompressedBytes);
      metrics.compressionBytes.inc({ encoding, stage: 'after' }, compressedBytes);
    }
    if (report.compressionRefused) await this.#compressionRefused(target, report.finishedAt);
    // Before the slot is freed, so that the slots start as many waiting jobs as the new limit allows.
    this.deps.adaptive.record(target, report, report.attempt.createdAt);

    const finished = report.finishedAt;
    const circuit = report.healthy === null ? null : await health.record(target, report.healthy, finished);
    if (circuit !== null) metrics.circuitChanges.inc({ state: circuit });
    if (circuit === 'opened') this.releaseQueued(target.id);
    const disable = report.decision.disableEndpoint;
    const told = reports.flatMap((each) => {
      const event = operatorEvent(each.report);
      return event === null ? [] : [{ ...each, event }];
    });
    if (disable === null && told.length === 0) return;
    // The operational application's own deliveries are neither disabled on a 410 nor reported (see above).
    if (await events.isOperational(target.appId)) return;
    if (disable !== null)
      await disableEndpoint(this.deps, target, disable, finished, () => {
        health.forget(target.id);
        this.releaseQueued(target.id);
      });
    for (const { job, report: each, event } of told) {
      const { attempt } = each;
      const lastAttempt = {
        id: attempt.id,
        timestamp: new Date(attempt.createdAt).toISOString(),
        responseStatusCode: attempt.responseStatusCode,
      };
      const about = {
        appId: attempt.appId,
        msgId: job.message.id,
        msgEventId: job.message.eventId,
        endpointId: job.target.id,
      };
      await events.emit(event, { ...about, lastAttempt });
    }
  }
}

/** What an attempt tells the operator of: a delivery given up, failing again and again, or recovered after that. */
function operatorEvent({ update, decision }: AttemptReport): OperatorAttemptEvent | null {
  const succeeded = decision.status === DeliveryStatus.Success;
  if (decision.status === DeliveryStatus.Fail) return 'message.attempt.exhausted';
  if (!succeeded && update.attemptCount === FAILING_AFTER_ATTEMPTS) return 'message.attempt.failing';
  if (succeeded && update.attemptCount > FAILING_AFTER_ATTEMPTS) return 'message.attempt.recovered';
  return null;
}

type OperatorAttemptEvent =
  'message.attempt.exhausted' | 'message.attempt.failing' | 'message.attempt.recovered';
