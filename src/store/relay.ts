/**
 * Relay requests (`herald listen`): a delivery worker hands a signed request to whichever listener polls the
 * relay endpoint, and waits for the answer here. The store keeps the request and its answer as JSON text and
 * never looks inside: what they hold is `delivery/relay.ts`'s business.
 */
import type { Connection } from './dialect.js';

/** A relay request as the store keeps it. */
export interface RelayRequest {
  id: string;
  endpointId: string;
  /** JSON text, written by the worker. */
  request: string;
  createdAt: number;
  /** After this the worker no longer waits: the request cannot be taken or answered. */
  expiresAt: number;
}

/** Where a relay request stands, as the waiting worker reads it. */
export interface RelayState {
  takenAt: number | null;
  /** JSON text, written by the listener; null until it answered. */
  answer: string | null;
}

export interface RelayQueries {
  relayRequestCreate(request: RelayRequest): Promise<void>;
  /**
   * Takes up to `limit` of an endpoint's requests that no listener took yet and that have not expired, oldest
   * first. A request is taken once: of two listeners polling at the same time, each gets different ones.
   */
  relayRequestTake(endpointId: string, limit: number, now: number): Promise<RelayRequest[]>;
  /** Stores a listener's answer to a taken request of the endpoint; false if there is no such request waiting. */
  relayRequestAnswer(endpointId: string, id: string, answer: string, now: number): Promise<boolean>;
  /** The state of the requests that still exist, by id. */
  relayRequestStates(ids: readonly string[]): Promise<Map<string, RelayState>>;
  /** Deletes the given requests, and every request that expired before `now` (a worker that stopped left them). */
  relayRequestDelete(ids: readonly string[], now: number): Promise<void>;
}

export function relayQueries(connection: Connection): RelayQueries {
  const { db } = connection;
  return {
    async relayRequestCreate(request: RelayRequest): Promise<void> {
      await db
        .insertInto('relay_request')
        .values({
          id: request.id,
          endpoint_id: request.endpointId,
          request: request.request,
          taken_at: null,
          answer: null,
          created_at: request.createdAt,
          expires_at: request.expiresAt,
        })
        .execute();
    },

    async relayRequestTake(endpointId: string, limit: number, now: number): Promise<RelayRequest[]> {
      const rows = await db
        .selectFrom('relay_request')
        .select(['id', 'endpoint_id', 'request', 'created_at', 'expires_at'])
        .where('endpoint_id', '=', endpointId)
        .where('taken_at', 'is', null)
        .where('expires_at', '>', now)
        .orderBy('id')
        .limit(limit)
        .execute();
      const taken: RelayRequest[] = [];
      // One conditional update per row: only the poll whose update changed the row has taken it.
      for (const row of rows) {
        const result = await db
          .updateTable('relay_request')
          .set({ taken_at: now })
          .where('id', '=', row.id)
          .where('taken_at', 'is', null)
          .executeTakeFirst();
        if (result.numUpdatedRows > 0n)
          taken.push({
            id: row.id,
            endpointId: row.endpoint_id,
            request: row.request,
            createdAt: Number(row.created_at),
            expiresAt: Number(row.expires_at),
          });
      }
      return taken;
    },

    async relayRequestAnswer(endpointId: string, id: string, answer: string, now: number): Promise<boolean> {
      const result = await db
        .updateTable('relay_request')
        .set({ answer })
        .where('id', '=', id)
        .where('endpoint_id', '=', endpointId)
        .where('taken_at', 'is not', null)
        .where('answer', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async relayRequestStates(ids: readonly string[]): Promise<Map<string, RelayState>> {
      if (ids.length === 0) return new Map();
      const rows = await db
        .selectFrom('relay_request')
        .select(['id', 'taken_at', 'answer'])
        .where('id', 'in', [...ids])
        .execute();
      return new Map(
        rows.map((row) => [
          row.id,
          { takenAt: row.taken_at === null ? null : Number(row.taken_at), answer: row.answer },
        ]),
      );
    },

    async relayRequestDelete(ids: readonly string[], now: number): Promise<void> {
      await db
        .deleteFrom('relay_request')
        .where((eb) =>
          ids.length === 0
            ? eb('expires_at', '<', now)
            : eb.or([eb('id', 'in', [...ids]), eb('expires_at', '<', now)]),
        )
        .execute();
    },
  };
}
