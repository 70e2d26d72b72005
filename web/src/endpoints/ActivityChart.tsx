/**
 * A chart of an endpoint's attempts over time: successes and failures per period, as stacked bars, with its
 * adaptive limit (requests Herald keeps in flight at most) as a line on its own scale, and the range it moved
 * in during each period shaded behind it.
 */
import { useState } from 'react';
import type { AdaptiveLimitPeriod, Attempt } from '../lib/types';
import { enc } from '../lib/api';
import { useReloadOn, useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { ResourceState } from '../components/states';
import { bucketAttempts, RANGES, type Bucket } from './buckets';

const POLL_MS = 10_000;
/** At most this many attempts are counted; the chart says so when it reaches it. */
const MAX_ATTEMPTS = 2000;

interface Props {
  appId: string;
  endpointId: string;
  version: number;
}

export function ActivityChart({ appId, endpointId, version }: Props) {
  const { api } = useSession();
  const [rangeIndex, setRangeIndex] = useState(1);
  const range = RANGES[rangeIndex]!;
  const attempts = useResource(
    `activity:${appId}:${endpointId}:${rangeIndex}`,
    async () => {
      const now = Date.now();
      const after = new Date(now - range.ms).toISOString();
      const [list, limits] = await Promise.all([
        api.all<Attempt>(
          `/app/${enc(appId)}/attempt/endpoint/${enc(endpointId)}`,
          { with_content: false, after },
          MAX_ATTEMPTS,
        ),
        api.get<{ data: AdaptiveLimitPeriod[] }>(
          `/app/${enc(appId)}/endpoint/${enc(endpointId)}/health/adaptive-limit`,
          { after, periods: range.buckets },
        ),
      ]);
      return { now, list, limits: limits.data };
    },
    POLL_MS,
  );
  useReloadOn(attempts, version);

  return (
    <section className="card" aria-labelledby="activity-title">
      <div className="section-head">
        <h2 id="activity-title">Deliveries over time</h2>
        <label className="inline">
          <span className="sr-only">Period</span>
          <select value={rangeIndex} onChange={(e) => setRangeIndex(Number(e.target.value))}>
            {RANGES.map((r, i) => (
              <option key={r.label} value={i}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ResourceState resource={attempts} />
      {attempts.data && (
        <>
          <Bars
            buckets={bucketAttempts(attempts.data.list, range, attempts.data.now)}
            limits={attempts.data.limits}
            label={range.label}
          />
          {attempts.data.list.length >= MAX_ATTEMPTS && (
            <p className="muted small">Counts the latest {MAX_ATTEMPTS} attempts only.</p>
          )}
        </>
      )}
    </section>
  );
}

const WIDTH = 600;
const HEIGHT = 160;
const AXIS = 24;

function Bars({
  buckets,
  limits,
  label,
}: {
  buckets: Bucket[];
  limits: AdaptiveLimitPeriod[];
  label: string;
}) {
  const succeeded = buckets.reduce((sum, b) => sum + b.succeeded, 0);
  const failed = buckets.reduce((sum, b) => sum + b.failed, 0);
  const max = Math.max(1, ...buckets.map((b) => b.succeeded + b.failed));
  const slot = WIDTH / buckets.length;
  const scale = (n: number) => (n / max) * (HEIGHT - AXIS - 8);
  const days = buckets.length > 1 && buckets[1]!.start - buckets[0]!.start >= 3_600_000 * 6;
  const time = (ms: number) =>
    days
      ? new Date(ms).toLocaleString([], {
          month: 'short',
          day: 'numeric',
          hour: '2-digit',
          minute: '2-digit',
        })
      : new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const limited = limits.some((period) => period.limit !== null);
  const lowest = Math.min(...limits.map((period) => period.low ?? Infinity));
  const summary =
    `${label}: ${succeeded} attempts succeeded and ${failed} failed.` +
    (limited ? ` Requests in flight were limited to as few as ${lowest}.` : '');
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary}>
        <line x1={0} x2={WIDTH} y1={HEIGHT - AXIS} y2={HEIGHT - AXIS} className="axis" />
        {buckets.map((b, i) => {
          const ok = scale(b.succeeded);
          const bad = scale(b.failed);
          const x = i * slot + slot * 0.15;
          const w = slot * 0.7;
          const base = HEIGHT - AXIS;
          return (
            <g key={b.start}>
              <title>{`${time(b.start)}: ${b.succeeded} succeeded, ${b.failed} failed`}</title>
              {ok > 0 && <rect x={x} y={base - ok} width={w} height={ok} className="bar-ok" />}
              {bad > 0 && <rect x={x} y={base - ok - bad} width={w} height={bad} className="bar-bad" />}
            </g>
          );
        })}
        {limited && <LimitLine limits={limits} slot={slot} />}
        <text x={2} y={12} className="tick">
          {max}
        </text>
        <text x={2} y={HEIGHT - 6} className="tick">
          {time(buckets[0]?.start ?? Date.now())}
        </text>
        <text x={WIDTH - 2} y={HEIGHT - 6} className="tick" textAnchor="end">
          now
        </text>
      </svg>
      <figcaption>
        <span className="legend legend-ok">Succeeded {succeeded}</span>{' '}
        <span className="legend legend-bad">Failed {failed}</span>
        {limited && (
          <>
            {' '}
            <span className="legend legend-limit">
              Requests in flight allowed (adaptive limit), lowest {lowest}
            </span>
          </>
        )}
      </figcaption>
    </figure>
  );
}

/** The adaptive limit per period, as a line on its own scale (up to the highest ceiling), over its range. */
function LimitLine({ limits, slot }: { limits: AdaptiveLimitPeriod[]; slot: number }) {
  const top = Math.max(1, ...limits.map((period) => period.ceiling ?? period.high ?? 0));
  const y = (n: number) => HEIGHT - AXIS - (n / top) * (HEIGHT - AXIS - 8);
  const points = limits.flatMap((period, i) =>
    period.limit === null ? [] : [`${i * slot + slot / 2},${y(period.limit)}`],
  );
  return (
    <g className="limit" data-testid="adaptive-limit-line">
      {limits.map((period, i) =>
        period.low === null || period.high === null ? null : (
          <rect
            key={period.start}
            x={i * slot + slot * 0.15}
            y={y(period.high)}
            width={slot * 0.7}
            height={Math.max(1, y(period.low) - y(period.high))}
            className="limit-range"
          >
            <title>{`limit ${period.limit ?? '–'} (from ${period.low} to ${period.high} of ${period.ceiling ?? '–'})`}</title>
          </rect>
        ),
      )}
      {points.length > 0 && <polyline points={points.join(' ')} className="limit-line" />}
    </g>
  );
}
