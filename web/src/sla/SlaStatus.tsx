/** An SLA's status as a badge, and its error budget left as a meter: shared by the cards and the at-risk list. */
import type { SlaFigures } from '../lib/types';
import { Badge } from '../components/StatusBadge';

const LABELS = { ok: 'Met', at_risk: 'At risk', breached: 'Breached' } as const;
const TONES = { ok: 'ok', at_risk: 'warn', breached: 'bad' } as const;

export function SlaBadge({ status }: { status: SlaFigures['status'] }) {
  return <Badge tone={TONES[status]}>{LABELS[status]}</Badge>;
}

/** The error budget left, 0 to 100 % on the meter; the text says when it is overspent. */
export function BudgetMeter({ figures }: { figures: SlaFigures }) {
  const left = figures.budgetRemaining;
  return (
    <div className="budget">
      <meter
        min={0}
        max={100}
        low={25}
        optimum={100}
        value={Math.max(0, left)}
        aria-label="Error budget left"
      />
      <span className="small">
        {left < 0
          ? `budget overspent by ${formatPercent(-left)}`
          : `${formatPercent(left)} of the error budget left`}
      </span>
    </div>
  );
}

/** A percentage with at most `digits` decimals (targets such as 99.995 need three). */
export const formatPercent = (value: number | null | undefined, digits = 2): string =>
  value === null || value === undefined ? '—' : `${Number(value.toFixed(digits))} %`;

/** "99.8 % delivered (target 99.9 %)" and the like, for each objective the SLA has. */
export function objectives(figures: SlaFigures): string[] {
  const lines: string[] = [];
  if (figures.successRate)
    lines.push(
      `${formatPercent(figures.successRate.current)} delivered (target ${formatPercent(figures.successRate.target, 3)})`,
    );
  if (figures.delay)
    lines.push(
      `${formatPercent(figures.delay.current)} within ${figures.delay.thresholdSeconds} s (target ${formatPercent(figures.delay.target, 3)})`,
    );
  return lines;
}
