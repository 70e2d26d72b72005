/**
 * Endpoints' token buckets for their `throttleRate`. A bucket lives in the database, so the rate holds however
 * many workers, threads and processes send to the endpoint.
 */
import type { Connection } from './dialect.js';
import type { EndpointBucket } from './types.js';

export interface EndpointRateQueries {
  /** The token buckets of the given endpoints; an endpoint that never sent under a limit has none (full). */
  endpointRateGetMany(endpointIds: string[]): Promise<Map<string, EndpointBucket>>;
  /**
   * Takes up to `wanted` tokens from an endpoint's bucket, which refills at `rate` per second up to `rate` (one
   * second's worth of burst). Returns how many were granted.
   */
  endpointTakeTokens(endpointId: string, rate: number, wanted: number, now?: number): Promise<number>;
}

export function endpointRateQueries(connection: Connection): EndpointRateQueries {
  const { db } = connection;
  return {
    async endpointRateGetMany(endpointIds: string[]): Promise<Map<string, EndpointBucket>> {
      if (endpointIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('endpoint_rate')
        .selectAll()
        .where('endpoint_id', 'in', endpointIds)
        .execute();
      return new Map(
        rows.map((row) => [
          row.endpoint_id,
          { tokens: Number(row.tokens), updatedAt: Number(row.updated_at) },
        ]),
      );
    },

    async endpointTakeTokens(
      endpointId: string,
      rate: number,
      wanted: number,
      now = Date.now(),
    ): Promise<number> {
      // The bucket is read and written under its row lock (SQLite's single writer serialises by itself).
      return db.transaction().execute(async (trx) => {
        await trx
          .insertInto('endpoint_rate')
          .values({ endpoint_id: endpointId, tokens: rate, updated_at: now })
          .onConflict((oc) => oc.column('endpoint_id').doNothing())
          .execute();
        let select = trx.selectFrom('endpoint_rate').selectAll().where('endpoint_id', '=', endpointId);
        if (connection.profile.supportsSkipLocked) select = select.forUpdate();
        const bucket = await select.executeTakeFirstOrThrow();
        const elapsed = Math.max(0, now - Number(bucket.updated_at));
        const available = Math.min(rate, Number(bucket.tokens) + (elapsed * rate) / 1000);
        const granted = Math.max(0, Math.min(wanted, Math.floor(available)));
        await trx
          .updateTable('endpoint_rate')
          .set({ tokens: available - granted, updated_at: Math.max(now, Number(bucket.updated_at)) })
          .where('endpoint_id', '=', endpointId)
          .execute();
        return granted;
      });
    },
  };
}
