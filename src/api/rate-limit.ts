/**
 * Rate limiting per API key on every authenticated route (management and ingest alike). Each key has a token
 * bucket that refills at its limit per second and holds two seconds' worth; a request takes one token, and a
 * request that finds none gets 429 with `Retry-After`. A key's own `rateLimit` overrides the server default
 * (HERALD_API_RATE_LIMIT).
 *
 * The buckets live in this process: with several API processes behind a load balancer a key gets the limit
 * once per process. That bounds a runaway client; it is not a quota.
 */
import type { FastifyInstance } from 'fastify';
import type { Audit } from './audit.js';

const BURST_SECONDS = 2;
/** A key's limit trips are recorded in the audit log at most this often per process. */
export const TRIP_AUDIT_INTERVAL_MS = 60_000;
const BUCKET_LIMIT = 100_000;

interface Bucket {
  tokens: number;
  at: number;
  auditedAt: number;
}

export class ApiRateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  /** Takes a token for `keyId` at `rate` per second. Returns the seconds to wait when there is none, else 0. */
  take(keyId: string, rate: number, now = Date.now()): { wait: number; remaining: number; trip: boolean } {
    const capacity = rate * BURST_SECONDS;
    let bucket = this.#buckets.get(keyId);
    if (!bucket) {
      if (this.#buckets.size >= BUCKET_LIMIT) this.#buckets.clear();
      bucket = { tokens: capacity, at: now, auditedAt: 0 };
      this.#buckets.set(keyId, bucket);
    }
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) * rate) / 1000);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { wait: 0, remaining: Math.floor(bucket.tokens), trip: false };
    }
    const trip = now - bucket.auditedAt >= TRIP_AUDIT_INTERVAL_MS;
    if (trip) bucket.auditedAt = now;
    return { wait: Math.max(1, Math.ceil((1 - bucket.tokens) / rate)), remaining: 0, trip };
  }
}

export function registerRateLimit(
  app: FastifyInstance,
  options: { defaultRate: number; audit: Audit; limiter?: ApiRateLimiter },
) {
  const limiter = options.limiter ?? new ApiRateLimiter();
  app.addHook('onRequest', async (request, reply) => {
    const principal = request.principal;
    if (principal === null) return;
    const rate = principal.rateLimit ?? options.defaultRate;
    if (rate <= 0) return;
    const { wait, remaining, trip } = limiter.take(principal.keyId, rate);
    reply.header('x-ratelimit-limit', String(rate));
    reply.header('x-ratelimit-remaining', String(remaining));
    if (wait === 0) return;
    if (trip)
      await options.audit.record(request, {
        action: 'api_key.rate_limited',
        targetType: 'api_key',
        targetId: principal.keyId,
        appId: principal.appId,
        after: { limit: rate, method: request.method, path: request.url.split('?')[0]! },
      });
    return reply
      .status(429)
      .header('retry-after', String(wait))
      .send({
        code: 'rate_limited',
        detail: `this API key may make ${rate} requests a second; wait ${wait} s (Retry-After) and send again`,
      });
  });
}
