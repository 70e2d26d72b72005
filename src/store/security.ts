/** Queries behind Herald's security routes: endpoints' rate-limit buckets and queue depth, signing keys. */
import type { Connection } from './dialect.js';
import { DeliveryStatus } from './types.js';

export interface EndpointBucket {
  /** Tokens when the bucket was last touched; refill since then at the endpoint's rate to know them now. */
  tokens: number;
  updatedAt: number;
}

export function securityQueries(connection: Connection) {
  const { db } = connection;
  return {
    /** The token buckets of the given endpoints; an endpoint that never sent under a limit has none (full). */
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

    /** How many deliveries wait in the queue (pending) for each of the given endpoints. */
    async deliveryCountPending(endpointIds: string[]): Promise<Map<string, number>> {
      if (endpointIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('delivery')
        .select((eb) => ['endpoint_id', eb.fn.countAll<number>().as('n')])
        .where('endpoint_id', 'in', endpointIds)
        .where('status', '=', DeliveryStatus.Pending)
        .groupBy('endpoint_id')
        .execute();
      return new Map(rows.map((row) => [row.endpoint_id, Number(row.n)]));
    },

    /**
     * Gives an endpoint its first Ed25519 key list unless it has one; returns whether it did. Conditional, so two
     * requests at once cannot hand out two different keys.
     */
    async endpointSetSigningKeysIfMissing(id: string, sealed: string): Promise<boolean> {
      const result = await db
        .updateTable('endpoint')
        .set({ signing_keys_sealed: sealed })
        .where('id', '=', id)
        .where('signing_keys_sealed', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}
