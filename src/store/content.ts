/**
 * Retention of content: after the retention period, messages keep their record but lose their payload, and
 * attempts lose the bodies they sent and received.
 */
import type { Kysely, Transaction } from 'kysely';
import { idFloor } from '../util/ids.js';
import type { Database } from './schema.js';
import { DeliveryStatus } from './types.js';
import type { Connection } from './dialect.js';

export interface ContentQueries {
  /**
   * Removes the payloads of messages, and the request and response bodies of attempts, created before
   * `before`, in chunks of `chunk` rows so that no single statement holds the database for long. Returns how
   * many rows lost their content.
   */
  contentPrune(before: number, chunk?: number): Promise<{ messages: number; attempts: number }>;
  /**
   * Removes the payloads whose own retention (`payloadExpiresAt`) ended by `now`, of messages none of whose
   * deliveries is still pending or in flight, with the request bodies their attempts sent (as an expunge does).
   * A message that still waits for a delivery keeps its payload until it is settled. Returns how many messages
   * lost their payload.
   */
  contentPruneExpired(now: number, chunk?: number): Promise<number>;
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

    async contentPruneExpired(now: number, chunk = 1000): Promise<number> {
      return expungeInChunks(db, chunk, async (trx) => {
        const rows = await trx
          .selectFrom('message')
          .select('id')
          .where('payload_expires_at', '<=', now)
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('delivery')
                  .select('delivery.id')
                  .whereRef('delivery.msg_id', '=', 'message.id')
                  .where('delivery.status', 'in', [DeliveryStatus.Pending, DeliveryStatus.Sending]),
              ),
            ),
          )
          .limit(chunk)
          .execute();
        return rows.map((row) => row.id);
      });
    },
  };
}

/**
 * Expunges messages in transactions of at most `chunk`: `pick` chooses the next ids, whose payloads are removed
 * with the request bodies their attempts sent, until it finds fewer than `chunk`. Returns how many it expunged.
 */
export async function expungeInChunks(
  db: Kysely<Database>,
  chunk: number,
  pick: (trx: Transaction<Database>) => Promise<string[]>,
): Promise<number> {
  let total = 0;
  for (;;) {
    const ids = await db.transaction().execute(async (trx) => {
      const found = await pick(trx);
      if (found.length === 0) return found;
      await trx
        .updateTable('message')
        .set({ payload: null, payload_expires_at: null })
        .where('id', 'in', found)
        .execute();
      await trx.updateTable('attempt').set({ request_body: null }).where('msg_id', 'in', found).execute();
      return found;
    });
    total += ids.length;
    if (ids.length < chunk) return total;
  }
}
