/** An endpoint's rate-limit bucket as the API shows it, refilled to now as the delivery worker refills it. */
import type { EndpointBucket } from '../store/index.js';

/**
 * The tokens in the bucket now: one second's worth at most, `rate` tokens a second; null without a rate. A
 * bucket never used is full.
 */
export function bucketTokens(
  rate: number | null,
  bucket: EndpointBucket | undefined,
  now: number,
): number | null {
  if (rate === null) return null;
  if (bucket === undefined) return rate;
  return Math.min(rate, bucket.tokens + (Math.max(0, now - bucket.updatedAt) * rate) / 1000);
}
