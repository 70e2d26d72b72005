/**
 * `Idempotency-Key` on every POST. The first request with a key claims it in the database (so the claim holds
 * across processes); the response it produces is stored and replayed to any retry with the same key and the
 * same request for the key's lifetime. A retry that arrives while the first is still running gets 409; the
 * same key with a different request gets 422, or with HERALD_IDEMPOTENCY_KEY_REUSE=replay (Svix's behaviour)
 * the first answer. Server errors release the key, so the client can retry.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Store } from '../store/index.js';
import { HttpError, unprocessable, ValidationFailed } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: { scope: string; key: string } | null;
  }
  interface FastifyContextConfig {
    /** `false` for a route whose response must never be stored, such as one that returns a secret token. */
    idempotent?: boolean;
  }
}

export const REPLAY_HEADER = 'idempotent-replayed';

/**
 * What makes two requests under one key the same request. With `replay` (Svix's behaviour) only the method and
 * path count, so a retry whose body changed gets the first answer instead of a 422.
 */
function requestHash(request: FastifyRequest, reuse: 'reject' | 'replay'): string {
  const hash = createHash('sha256').update(request.method).update('\0').update(request.url);
  if (reuse === 'reject') hash.update('\0').update(JSON.stringify(request.body ?? null));
  return hash.digest('hex');
}

export function registerIdempotency(
  app: FastifyInstance,
  store: Store,
  ttlMs: number,
  reuse: 'reject' | 'replay' = 'reject',
) {
  app.decorateRequest('idempotency', null);

  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST' || request.routeOptions.config.idempotent === false) return;
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || key === '' || !request.principal) return;
    if (key.length > 256)
      throw unprocessable(['header', 'idempotency-key'], 'must be at most 256 characters');
    const scope = request.principal.appId ?? 'admin';
    const state = await store.idempotencyBegin(scope, key, requestHash(request, reuse), ttlMs);
    switch (state.kind) {
      case 'started':
        request.idempotency = { scope, key };
        return;
      case 'in_progress':
        throw new HttpError(
          409,
          'idempotency_in_progress',
          'a request with this Idempotency-Key is still being processed; retry after it finishes',
        );
      case 'mismatch':
        throw new ValidationFailed(
          [
            {
              loc: ['header', 'idempotency-key'],
              msg: 'was already used for a different request; use a new key for a new request',
              type: 'value_error.idempotency_key_reused',
            },
          ],
          'idempotency_key_reused',
        );
      case 'completed':
        return reply
          .status(state.statusCode)
          .header(REPLAY_HEADER, 'true')
          .type('application/json; charset=utf-8')
          .send(state.body);
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotency;
    if (!claim) return payload;
    request.idempotency = null;
    if (reply.statusCode >= 500) await store.idempotencyAbandon(claim.scope, claim.key);
    else await store.idempotencyComplete(claim.scope, claim.key, reply.statusCode, String(payload ?? ''));
    return payload;
  });
}
