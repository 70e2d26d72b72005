/**
 * Canceling an endpoint's pending deliveries (Svix's cancel-msgs): those of messages created before a cut-off
 * that have not been delivered and are not in flight become canceled (status 4) and are never sent. At an
 * ordered endpoint, the sequences they were in move on to their next delivery.
 */
import type { Connection } from './dialect.js';
import { lockSequences, settleSequences, type SequenceRef } from './sequences.js';
import { DeliveryStatus } from './types.js';

export interface DeliveryCancelQueries {
  /** Cancels the endpoint's pending deliveries created before `createdBefore`; returns how many. */
  deliveryCancelPending(endpointId: string, createdBefore: number, now?: number): Promise<number>;
}

export function deliveryCancelQueries(connection: Connection): DeliveryCancelQueries {
  const { db } = connection;
  return {
    async deliveryCancelPending(endpointId, createdBefore, now = Date.now()) {
      return db.transaction().execute(async (trx) => {
        // The sequences touched, locked before any of their deliveries changes (see sequences.ts).
        const keys = await trx
          .selectFrom('delivery')
          .select('seq_key')
          .distinct()
          .where('endpoint_id', '=', endpointId)
          .where('seq_key', 'is not', null)
          .where('status', '=', DeliveryStatus.Pending)
          .where('created_at', '<', createdBefore)
          .execute();
        const refs: SequenceRef[] = keys.map((row) => ({ endpointId, key: row.seq_key! }));
        await lockSequences(trx, connection.profile, refs);
        const result = await trx
          .updateTable('delivery')
          .set({ status: DeliveryStatus.Canceled, next_attempt_at: null, blocking: 0, updated_at: now })
          .where('endpoint_id', '=', endpointId)
          .where('status', '=', DeliveryStatus.Pending)
          .where('created_at', '<', createdBefore)
          .executeTakeFirst();
        if (refs.length > 0) await settleSequences(trx, refs, now);
        return Number(result.numUpdatedRows);
      });
    },
  };
}
