/**
 * An SLA's compliance over its window: one bar per history bucket, its height the bucket's value of the SLA's
 * main objective (the success rate, or the delay compliance when the SLA has no success target), red below the
 * target, with the target drawn across. Buckets without messages are left empty.
 */
import type { Sla, SlaFigures } from '../lib/types';
import { formatPercent } from './SlaStatus';

const WIDTH = 1000;
const HEIGHT = 150;
const AXIS = 20;

const valueOf = (figures: SlaFigures) => (figures.successRate ?? figures.delay)?.current ?? null;

export function ComplianceChart({ sla }: { sla: Sla }) {
  const history = sla.history ?? [];
  const target = (sla.compliance.successRate ?? sla.compliance.delay)?.target ?? 100;
  const measure = sla.compliance.successRate ? 'delivered' : `delivered within ${sla.delaySeconds} s`;
  const values = history.map(valueOf).filter((value): value is number => value !== null);
  // The scale starts a little below the lowest value or the target, so that 99.8 against 99.9 shows.
  const lowest = Math.min(target, ...values);
  const floor = Math.max(0, lowest - Math.max(0.1, (100 - lowest) * 0.5));
  const y = (value: number) => AXIS / 2 + ((100 - value) / (100 - floor || 1)) * (HEIGHT - AXIS - AXIS / 2);
  const slot = WIDTH / Math.max(1, history.length);
  const time = (iso: string) =>
    new Date(iso).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  const below = history.filter((point) => point.status === 'breached').length;
  const summary =
    `${sla.name}: share ${measure} per period over the last ${sla.window}, target ${formatPercent(target)}; ` +
    `${values.length} of ${history.length} periods had messages, ${below} fell below the target.`;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary}>
        <line x1={0} x2={WIDTH} y1={HEIGHT - AXIS} y2={HEIGHT - AXIS} className="axis" />
        {history.map((point, i) => {
          const value = valueOf(point);
          if (value === null) return null;
          const top = y(value);
          return (
            <g key={point.windowStart}>
              <title>{`${time(point.windowStart)}: ${formatPercent(value)} ${measure} of ${point.messages}`}</title>
              <rect
                x={i * slot + slot * 0.15}
                y={top}
                width={slot * 0.7}
                height={Math.max(1, HEIGHT - AXIS - top)}
                className={value < target ? 'bar-bad' : 'bar-ok'}
              />
            </g>
          );
        })}
        <line x1={0} x2={WIDTH} y1={y(target)} y2={y(target)} className="target-line" />
        <text x={2} y={Math.max(10, y(target) - 3)} className="tick">
          target {formatPercent(target, 3)}
        </text>
        <text x={2} y={HEIGHT - 5} className="tick">
          {history[0] ? time(history[0].windowStart) : ''}
        </text>
        <text x={WIDTH - 2} y={HEIGHT - 5} className="tick" textAnchor="end">
          now
        </text>
      </svg>
    </figure>
  );
}
