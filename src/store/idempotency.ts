import type { Connection } from './dialect.js';
import type { IdempotencyState } from './types.js';

/**
 * Idempotency keys are claimed by inserting their row first, so two concurrent requests with the same key
 * cannot both run: the second sees the first in progress. A finished request stores its response, which is
 * replayed for the key's lifetime.
 */
export interface IdempotencyQueries {
  /**
   * Claims `key` in `scope` for a request hashing to `requestHash`, for `ttlMs` (`started`), unless a live claim
   * holds it: then the request still runs (`in_progress`), was a different one (`mismatch`) or finished
   * (`completed`, with the response to replay). An expired claim is taken over.
   */
  idempotencyBegin(
    scope: string,
    key: string,
    requestHash: string,
    ttlMs: number,
    now?: number,
  ): Promise<IdempotencyState>;
  /** Stores the response of a claimed request, to be replayed for the rest of the key's lifetime. */
  idempotencyComplete(scope: string, key: string, statusCode: number, body: string): Promise<void>;
  /** Forgets a claim whose request failed, so that the client may retry with the same key. */
  idempotencyAbandon(scope: string, key: string): Promise<void>;
  /** Deletes expired keys; returns how many. */
  idempotencyPrune(now?: number): Promise<number>;
}

export function idempotencyQueries(connection: Connection): IdempotencyQueries {
  const { db } = connection;
  return {
    async idempotencyBegin(
      scope: string,
      key: string,
      requestHash: string,
      ttlMs: number,
      now = Date.now(),
    ): Promise<IdempotencyState> {
      const inserted = await db
        .insertInto('idempotency_key')
        .values({
          scope,
          key,
          request_hash: requestHash,
          status_code: null,
          response: null,
          created_at: now,
          expires_at: now + ttlMs,
        })
        .onConflict((oc) =>
          oc
            .columns(['scope', 'key'])
            .doUpdateSet({
              request_hash: requestHash,
              status_code: null,
              response: null,
              created_at: now,
              expires_at: now + ttlMs,
            })
            .where('idempotency_key.expires_at', '<=', now),
        )
        .returning('scope')
        .executeTakeFirst();
      if (inserted) return { kind: 'started' };
      const row = await db
        .selectFrom('idempotency_key')
        .selectAll()
        .where('scope', '=', scope)
        .where('key', '=', key)
        .executeTakeFirst();
      if (!row) return { kind: 'in_progress' };
      if (row.request_hash !== requestHash) return { kind: 'mismatch' };
      if (row.status_code === null || row.response === null) return { kind: 'in_progress' };
      return { kind: 'completed', statusCode: row.status_code, body: row.response };
    },

    async idempotencyComplete(scope: string, key: string, statusCode: number, body: string): Promise<void> {
      await db
        .updateTable('idempotency_key')
        .set({ status_code: statusCode, response: body })
        .where('scope', '=', scope)
        .where('key', '=', key)
        .execute();
    },

    async idempotencyAbandon(scope: string, key: string): Promise<void> {
      await db
        .deleteFrom('idempotency_key')
        .where('scope', '=', scope)
        .where('key', '=', key)
        .where('status_code', 'is', null)
        .execute();
    },

    async idempotencyPrune(now = Date.now()): Promise<number> {
      const result = await db.deleteFrom('idempotency_key').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
