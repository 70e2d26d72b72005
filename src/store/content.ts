/**
 * Retention of content: after the retention period, messages keep their record but lose their payload, and
 * attempts lose the bodies they sent and received.
 */
import { idFloor } from '../util/ids.js';
import type { Connection } from './dialect.js';

export interface ContentQueries {
  /**
   * Removes the payloads of messages, and the request and response bodies of attempts, created before
   * `before`, in chunks of `chunk` rows so that no single statement holds the database for long. Returns how
   * many rows lost their content.
   */
  contentPrune(before: number, chunk?: number): Promise<{ messages: number; attempts: number }>;
}

export function contentQueries({ db }: Connection): ContentQueries {
  return {
    async contentPrune(before: number, chunk = 5000): Promise<{ messages: number; attempts: number }> {
      const prune = async (
        table: 'message' | 'attempt',
        columns: ['payload'] | ['response_body', 'request_body'],
      ) => {
        let total = 0;
        for (;;) {
          const result = await db
            .updateTable(table)
            .set(Object.fromEntries(columns.map((column) => [column, null])))
            .where('id', 'in', (eb) =>
              eb
                .selectFrom(table)
                .select('id')
                // Ids sort by creation time, so the primary key finds old rows without a scan.
                .where('id', '<', idFloor(table === 'message' ? 'message' : 'attempt', before))
                .where((row) => row.or(columns.map((column) => row(column, 'is not', null))))
                .limit(chunk),
            )
            .executeTakeFirst();
          const pruned = Number(result.numUpdatedRows);
          total += pruned;
          if (pruned < chunk) return total;
        }
      };
      return {
        messages: await prune('message', ['payload']),
        attempts: await prune('attempt', ['response_body', 'request_body']),
      };
    },
  };
}
