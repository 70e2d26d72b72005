/**
 * The SLA evaluator works out every SLA's compliance from the rollups, records it on the SLA (for the list of
 * SLAs at risk and the metrics), and reports a breach and the recovery from it: `sla.breached` when an SLA falls
 * below a target, `sla.recovered` when it meets them all again, each as an operational event and an audit
 * record. A breach is reported once per episode: the SLA is marked breached by a conditional write, so however
 * many runs see it breached, only the run that began the breach reports it.
 */
import type { Logger } from 'pino';
import type { OperationalEvents } from '../delivery/operational-events.js';
import { figuresOut, slaCompliance, windowName, type SlaFigures } from '../delivery/sla.js';
import type { JsonObject, Sla, Store } from '../store/index.js';
import { newId } from '../util/ids.js';
import type { MaintenanceService } from './maintenance.js';

/** SLAs read per page while walking them all. */
const PAGE = 200;

export interface SlaRun {
  evaluated: number;
  breached: number;
  recovered: number;
}

/** The data of `sla.breached` and `sla.recovered`: the SLA, its figures and the window. */
function eventData(sla: Sla, figures: SlaFigures, breachedSince: number): JsonObject {
  return {
    appId: sla.appId,
    endpointId: sla.endpointId,
    slaId: sla.id,
    slaName: sla.name,
    window: windowName(sla.windowMs),
    breachedSince: new Date(breachedSince).toISOString(),
    ...figuresOut(figures),
  };
}

async function report(
  store: Store,
  events: OperationalEvents,
  type: 'sla.breached' | 'sla.recovered',
  sla: Sla,
  data: JsonObject,
  now: number,
): Promise<void> {
  await store.auditAppend({
    id: newId('audit', now),
    createdAt: now,
    actor: 'system',
    ip: null,
    action: type,
    targetType: 'sla',
    targetId: sla.id,
    appId: sla.appId,
    before: null,
    after: data,
  });
  await events.emit(type, data);
}

/** Evaluates every SLA at `now`, and reports the breaches that began and ended. */
export async function evaluateSlas(
  store: Store,
  events: OperationalEvents,
  logger: Logger,
  now = Date.now(),
): Promise<SlaRun> {
  const run: SlaRun = { evaluated: 0, breached: 0, recovered: 0 };
  await events.lookup();
  for (let after: string | null = null; ;) {
    const page = await store.slaListAll(after, PAGE);
    for (const sla of page) {
      try {
        await evaluateOne(store, events, logger, sla, now, run);
      } catch (error) {
        // One SLA that cannot be evaluated (its application deleted meanwhile, say) does not hold up the rest.
        logger.error({ err: error, sla: sla.id }, 'evaluating an SLA failed');
      }
    }
    if (page.length < PAGE) return run;
    after = page.at(-1)!.id;
  }
}

/** Evaluates one SLA, recording its figures and reporting a breach that began or ended, counted in `run`. */
async function evaluateOne(
  store: Store,
  events: OperationalEvents,
  logger: Logger,
  sla: Sla,
  now: number,
  run: SlaRun,
): Promise<void> {
  const { figures } = await slaCompliance(store, sla, now);
  await store.slaRecordEvaluation(sla.id, {
    status: figures.status,
    budgetRemaining: figures.budgetRemaining,
    evaluation: figuresOut(figures),
    evaluatedAt: now,
  });
  run.evaluated++;
  // The operational application's own SLAs are evaluated but not reported, so that they cannot feed it.
  const quiet = await events.isOperational(sla.appId);
  if (figures.status === 'breached') {
    if (!(await store.slaBreachBegin(sla.id, now)) || quiet) return;
    run.breached++;
    logger.warn({ sla: sla.id, app: sla.appId, budgetRemaining: figures.budgetRemaining }, 'SLA breached');
    await report(store, events, 'sla.breached', sla, eventData(sla, figures, now), now);
  } else if (sla.breachedAt !== null) {
    const since = await store.slaBreachEnd(sla.id);
    if (since === null || quiet) return;
    run.recovered++;
    logger.info({ sla: sla.id, app: sla.appId }, 'SLA recovered');
    await report(store, events, 'sla.recovered', sla, eventData(sla, figures, since), now);
  }
}

export function slaEvaluator(
  store: Store,
  events: OperationalEvents,
  logger: Logger,
  intervalMs: number,
): MaintenanceService {
  return {
    name: 'sla-evaluator',
    intervalMs,
    run: (now) => evaluateSlas(store, events, logger, now).then(() => undefined),
  };
}
