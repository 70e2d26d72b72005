/**
 * Endpoints' and applications' token buckets for their `throttleRate`. A bucket lives in the database, so the rate holds however
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
  /** The same for an application's bucket: its `throttleRate` holds across all its endpoints together. */
  applicationTakeTokens(appId: string, rate: number, wanted: number, now?: number): Promise<number>;
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

    endpointTakeTokens(endpointId: string, rate: number, wanted: number, now = Date.now()): Promise<number> {
      return takeTokens(connection, 'endpoint_rate', 'endpoint_id', endpointId, rate, wanted, now);
    },

    applicationTakeTokens(appId: string, rate: number, wanted: number, now = Date.now()): Promise<number> {
      // Both bucket tables have the same shape; only the key column's name differs.
      return takeTokens(
        connection,
        'application_rate' as 'endpoint_rate',
        'app_id' as 'endpoint_id',
        appId,
        rate,
        wanted,
        now,
      );
    },
  };
}

/** Takes up to `wanted` tokens from the bucket keyed `id` in `table`, creating it full if it is new. */
async function takeTokens(
  connection: Connection,
  table: 'endpoint_rate',
  column: 'endpoint_id',
  id: string,
  rate: number,
  wanted: number,
  now: number,
): Promise<number> {
  // The bucket is read and written under its row lock (SQLite's single writer serialises by itself).
  return connection.db.transaction().execute(async (trx) => {
    await trx
      .insertInto(table)
      .values({ [column]: id, tokens: rate, updated_at: now } as {
        endpoint_id: string;
        tokens: number;
        updated_at: number;
      })
      .onConflict((oc) => oc.column(column).doNothing())
      .execute();
    let select = trx.selectFrom(table).selectAll().where(column, '=', id);
    if (connection.profile.supportsSkipLocked) select = select.forUpdate();
    const bucket = await select.executeTakeFirstOrThrow();
    const elapsed = Math.max(0, now - Number(bucket.updated_at));
    const available = Math.min(rate, Number(bucket.tokens) + (elapsed * rate) / 1000);
    const granted = Math.max(0, Math.min(wanted, Math.floor(available)));
    await trx
      .updateTable(table)
      .set({ tokens: available - granted, updated_at: Math.max(now, Number(bucket.updated_at)) })
      .where(column, '=', id)
      .execute();
    return granted;
  });
}
