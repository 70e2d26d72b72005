/**
 * Claims that fill a batch: a worker that claimed deliveries of a batching endpoint takes more of that
 * endpoint's due deliveries at once, and, at an ordered endpoint, the deliveries waiting right behind a
 * sequence's head, so that one request carries a run of the sequence in order.
 *
 * Only the worker that holds a sequence's head (leased to it, in flight) takes the deliveries behind it. Those
 * wait (pending, with no time), so no other claim takes them, and a sequence is never sent by two workers at once.
 */
import { sql } from 'kysely';
import { claimSql } from './delivery-queue.js';
import { toDelivery } from './deliveries.js';
import type { Connection } from './dialect.js';
import { firstHolder, lockSequences } from './sequences.js';
import { DeliveryStatus, type Delivery } from './types.js';

export interface MoreClaim {
  now: number;
  leaseMs: number;
  worker: string;
  endpointId: string;
  limit: number;
}

export interface DeliveryBatchQueries {
  /** Claims up to `limit` more due deliveries of one endpoint, as `deliveryClaim` would (enabled, circuit shut). */
  deliveryClaimMore(request: MoreClaim): Promise<Delivery[]>;
  /**
   * Claims up to `limit` deliveries waiting behind `head` in its sequence, in order, stopping at a delivery that
   * holds the sequence (given up at an endpoint that blocks). Nothing while `head` is not leased to the worker.
   */
  deliveryClaimFollowers(request: MoreClaim & { head: Delivery }): Promise<Delivery[]>;
}

export function deliveryBatchQueries(connection: Connection): DeliveryBatchQueries {
  const { db } = connection;
  return {
    async deliveryClaimMore(request: MoreClaim): Promise<Delivery[]> {
      if (request.limit <= 0) return [];
      const claim = { ...request, perEndpoint: request.limit, exclude: [], after: '', walk: 1 };
      const result = await claimSql(connection, claim, [request.endpointId]).execute(db);
      return result.rows.map(toDelivery);
    },

    async deliveryClaimFollowers(request: MoreClaim & { head: Delivery }): Promise<Delivery[]> {
      const { head, limit, now, worker } = request;
      if (limit <= 0 || head.seqKey === null || head.seq === null) return [];
      const ref = { endpointId: head.endpointId, key: head.seqKey };
      return db.transaction().execute(async (trx) => {
        await lockSequences(trx, connection.profile, [ref]);
        const held = await trx
          .selectFrom('delivery')
          .select('id')
          .where('id', '=', head.id)
          .where('status', '=', DeliveryStatus.Sending)
          .where('leased_by', '=', worker)
          .executeTakeFirst();
        if (held === undefined) return [];
        const holder = await firstHolder(trx, ref, Number(head.seq));
        // Written as the partial index's own condition, so that both databases use it.
        let waiting = trx
          .selectFrom('delivery')
          .select('id')
          .where('endpoint_id', '=', ref.endpointId)
          .where('seq_key', '=', ref.key)
          .where(
            sql<boolean>`seq_key is not null and status in (${sql.lit(DeliveryStatus.Pending)}, ${sql.lit(DeliveryStatus.Sending)})`,
          )
          .where('status', '=', DeliveryStatus.Pending)
          .where('next_attempt_at', 'is', null)
          .where('seq', '>', head.seq);
        if (holder?.seq != null) waiting = waiting.where('seq', '<', holder.seq);
        const ids = (await waiting.orderBy('seq').limit(limit).execute()).map((row) => row.id);
        if (ids.length === 0) return [];
        const rows = await trx
          .updateTable('delivery')
          .set({
            status: DeliveryStatus.Sending,
            lease_expires_at: now + request.leaseMs,
            leased_by: worker,
            updated_at: now,
          })
          .where('id', 'in', ids)
          .returningAll()
          .execute();
        return rows.map(toDelivery).sort((a, b) => Number(a.seq) - Number(b.seq));
      });
    },
  };
}
