/**
 * SLA gauges for /metrics, read from each SLA's last evaluation (no rollups are read at a scrape). The label set
 * stays bounded: SLAs are counted by status whatever their number, and per-SLA series are kept for at most
 * SLA_SERIES_LIMIT of them, those breached or at risk first (the least budget left first), then the rest in
 * creation order. Past the limit, `herald_sla_series_omitted` says how many SLAs have no series.
 */
import { Gauge, type Registry } from 'prom-client';
import type { Sla, SlaStatus, Store } from '../store/index.js';
import type { SlaFiguresOut } from './sla.js';

export const SLA_SERIES_LIMIT = 200;
/** A scrape reuses what the last one read for this long. */
const CACHE_MS = 5_000;

interface SlaSnapshot {
  counts: Record<SlaStatus, number>;
  shown: Sla[];
}

export function registerSlaGauges(registry: Registry, store: Store): void {
  let cached: { at: number; snapshot: Promise<SlaSnapshot> } | null = null;
  const snapshot = () => {
    if (!cached || Date.now() - cached.at > CACHE_MS) {
      const read = async (): Promise<SlaSnapshot> => {
        const [counts, atRisk, first] = await Promise.all([
          store.slaCountByStatus(),
          store.slaListAtRisk(SLA_SERIES_LIMIT),
          store.slaListAll(null, SLA_SERIES_LIMIT),
        ]);
        const seen = new Set(atRisk.map((sla) => sla.id));
        const shown = [...atRisk, ...first.filter((sla) => !seen.has(sla.id))].slice(0, SLA_SERIES_LIMIT);
        return { counts, shown: shown.filter((sla) => sla.evaluation !== null) };
      };
      cached = { at: Date.now(), snapshot: read() };
    }
    return cached.snapshot;
  };
  const evaluation = (sla: Sla) => sla.evaluation as unknown as SlaFiguresOut;

  new Gauge({
    name: 'herald_slas',
    help: 'SLAs by the status of their last evaluation: ok, at_risk or breached',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const { counts } = await snapshot();
      for (const [status, n] of Object.entries(counts)) this.set({ status }, n);
    },
  });
  new Gauge({
    name: 'herald_sla_series_omitted',
    help: `SLAs without per-SLA series: past the first ${SLA_SERIES_LIMIT}`,
    registers: [registry],
    async collect() {
      const { counts, shown } = await snapshot();
      this.set(Math.max(0, counts.ok + counts.at_risk + counts.breached - shown.length));
    },
  });
  new Gauge({
    name: 'herald_sla_compliance_ratio',
    help: "An SLA's value over its window at its last evaluation (0 to 1), by objective: success_rate or delay",
    labelNames: ['sla', 'app', 'objective'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const sla of (await snapshot()).shown) {
        const { successRate, delay } = evaluation(sla);
        const labels = { sla: sla.id, app: sla.appId };
        if (successRate?.current != null)
          this.set({ ...labels, objective: 'success_rate' }, successRate.current / 100);
        if (delay?.current != null) this.set({ ...labels, objective: 'delay' }, delay.current / 100);
      }
    },
  });
  new Gauge({
    name: 'herald_sla_target_ratio',
    help: "An SLA's target (0 to 1), by objective: success_rate or delay",
    labelNames: ['sla', 'app', 'objective'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const sla of (await snapshot()).shown) {
        const labels = { sla: sla.id, app: sla.appId };
        if (sla.successTarget !== null) this.set({ ...labels, objective: 'success_rate' }, sla.successTarget);
        if (sla.delayTarget !== null) this.set({ ...labels, objective: 'delay' }, sla.delayTarget);
      }
    },
  });
  new Gauge({
    name: 'herald_sla_error_budget_remaining_ratio',
    help: "The smaller share of an SLA's error budgets left at its last evaluation (1: none spent; negative: overspent)",
    labelNames: ['sla', 'app'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const sla of (await snapshot()).shown)
        this.set({ sla: sla.id, app: sla.appId }, evaluation(sla).budgetRemaining / 100);
    },
  });
}
