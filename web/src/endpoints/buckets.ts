/** Counts attempts into equal time buckets, for the activity chart. */
import type { Attempt } from '../lib/types';

export interface Bucket {
  start: number;
  succeeded: number;
  failed: number;
}

export interface Range {
  label: string;
  ms: number;
  buckets: number;
}

export const RANGES: Range[] = [
  { label: 'Last hour', ms: 3_600_000, buckets: 12 },
  { label: 'Last 24 hours', ms: 86_400_000, buckets: 24 },
  { label: 'Last 7 days', ms: 7 * 86_400_000, buckets: 28 },
];

export function bucketAttempts(attempts: Attempt[], range: Range, now: number): Bucket[] {
  const size = range.ms / range.buckets;
  const start = now - range.ms;
  const buckets: Bucket[] = Array.from({ length: range.buckets }, (_, i) => ({
    start: start + i * size,
    succeeded: 0,
    failed: 0,
  }));
  for (const attempt of attempts) {
    const at = Date.parse(attempt.timestamp);
    const index = Math.floor((at - start) / size);
    const bucket = buckets[Math.min(index, range.buckets - 1)];
    if (!bucket || index < 0) continue;
    if (attempt.status === 0) bucket.succeeded++;
    else bucket.failed++;
  }
  return buckets;
}
