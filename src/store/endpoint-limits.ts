/**
 * What the delivery workers report of their adaptive limits (`delivery/adaptive-limits.ts`): one row per
 * endpoint, worker and minute, rewritten while the minute lasts. The health report reads the latest rows for
 * the limit now and the minutes of a period for its history.
 */
import type { Connection } from './dialect.js';
import type { EndpointLimitTable } from './schema.js';
import type { EndpointLimitReport } from './types.js';

export interface EndpointLimitQueries {
  /** Writes (or rewrites) the given endpoint-worker-minute rows. */
  endpointLimitReport(reports: EndpointLimitReport[]): Promise<void>;
  /** The endpoint's rows updated since `since`, newest first: at most one per worker is the current one. */
  endpointLimitRecent(endpointId: string, since: number): Promise<EndpointLimitReport[]>;
  /** The endpoint's rows of the minutes from `after` on, oldest first, at most `limit`. */
  endpointLimitHistory(endpointId: string, after: number, limit: number): Promise<EndpointLimitReport[]>;
  /** Deletes the rows of minutes before `before`; returns how many. */
  endpointLimitPrune(before: number): Promise<number>;
}

function toReport(row: EndpointLimitTable): EndpointLimitReport {
  return {
    endpointId: row.endpoint_id,
    worker: row.worker_id,
    minute: Number(row.minute),
    limit: row.limit_last,
    low: row.limit_low,
    high: row.limit_high,
    ceiling: row.ceiling,
    reason: row.reason,
    updatedAt: Number(row.updated_at),
  };
}

export function endpointLimitQueries({ db }: Connection): EndpointLimitQueries {
  async function write(reports: EndpointLimitReport[]): Promise<void> {
    if (reports.length === 0) return;
    await db
      .insertInto('endpoint_limit')
      .values(
        reports.map((report) => ({
          endpoint_id: report.endpointId,
          worker_id: report.worker,
          minute: report.minute,
          limit_last: report.limit,
          limit_low: report.low,
          limit_high: report.high,
          ceiling: report.ceiling,
          reason: report.reason,
          updated_at: report.updatedAt,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['endpoint_id', 'minute', 'worker_id']).doUpdateSet((eb) => ({
          limit_last: eb.ref('excluded.limit_last'),
          limit_low: eb.ref('excluded.limit_low'),
          limit_high: eb.ref('excluded.limit_high'),
          ceiling: eb.ref('excluded.ceiling'),
          reason: eb.ref('excluded.reason'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      // A report for an endpoint deleted meanwhile has no row to refer to: it is dropped below.
      .execute()
      .catch(async (error: unknown) => {
        const existing = await db
          .selectFrom('endpoint')
          .select('id')
          .where(
            'id',
            'in',
            reports.map((report) => report.endpointId),
          )
          .execute();
        const kept = new Set(existing.map((row) => row.id));
        if (kept.size === new Set(reports.map((report) => report.endpointId)).size) throw error;
        await write(reports.filter((report) => kept.has(report.endpointId)));
      });
  }

  return {
    endpointLimitReport: write,

    async endpointLimitRecent(endpointId, since) {
      const rows = await db
        .selectFrom('endpoint_limit')
        .selectAll()
        .where('endpoint_id', '=', endpointId)
        .where('updated_at', '>=', since)
        .orderBy('updated_at', 'desc')
        .limit(1000)
        .execute();
      return rows.map(toReport);
    },

    async endpointLimitHistory(endpointId, after, limit) {
      const rows = await db
        .selectFrom('endpoint_limit')
        .selectAll()
        .where('endpoint_id', '=', endpointId)
        .where('minute', '>=', after)
        .orderBy('minute', 'asc')
        .limit(limit)
        .execute();
      return rows.map(toReport);
    },

    async endpointLimitPrune(before) {
      const result = await db.deleteFrom('endpoint_limit').where('minute', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
