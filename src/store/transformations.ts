/**
 * Endpoints' transformations (docs/transformations.md). Changing one also moves its endpoint's `updated_at`, so
 * that workers, which reload an endpoint only when that changes, pick up the new code with the rest of it.
 */
import type { Selectable } from 'kysely';
import type { Connection } from './dialect.js';
import type { EndpointTransformationTable } from './schema.js';

export interface Transformation {
  endpointId: string;
  code: string | null;
  enabled: boolean;
  variables: Record<string, string> | null;
  updatedAt: number;
}

/** What a change sets; a missing field keeps its value. */
export type TransformationChanges = Partial<Pick<Transformation, 'code' | 'enabled' | 'variables'>>;

export interface TransformationQueries {
  /** The endpoint's transformation, or undefined when it never had one. */
  transformationGet(endpointId: string): Promise<Transformation | undefined>;
  /** The transformations of those of `endpointIds` that have one, in one query. */
  transformationGetMany(endpointIds: string[]): Promise<Map<string, Transformation>>;
  /** Changes (or creates) the endpoint's transformation and touches the endpoint, in one transaction. */
  transformationSet(
    endpointId: string,
    changes: TransformationChanges,
    now?: number,
  ): Promise<Transformation>;
}

function toTransformation(row: Selectable<EndpointTransformationTable>): Transformation {
  return {
    endpointId: row.endpoint_id,
    code: row.code,
    enabled: row.enabled === 1,
    variables: row.variables === null ? null : (JSON.parse(row.variables) as Record<string, string>),
    updatedAt: row.updated_at,
  };
}

export function transformationQueries({ db }: Connection): TransformationQueries {
  return {
    async transformationGet(endpointId) {
      const row = await db
        .selectFrom('endpoint_transformation')
        .selectAll()
        .where('endpoint_id', '=', endpointId)
        .executeTakeFirst();
      return row && toTransformation(row);
    },

    async transformationGetMany(endpointIds) {
      if (endpointIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('endpoint_transformation')
        .selectAll()
        .where('endpoint_id', 'in', endpointIds)
        .execute();
      return new Map(rows.map((row) => [row.endpoint_id, toTransformation(row)]));
    },

    async transformationSet(endpointId, changes, now = Date.now()) {
      return db.transaction().execute(async (trx) => {
        const old = await trx
          .selectFrom('endpoint_transformation')
          .selectAll()
          .where('endpoint_id', '=', endpointId)
          .executeTakeFirst();
        const row: Selectable<EndpointTransformationTable> = {
          endpoint_id: endpointId,
          code: changes.code !== undefined ? changes.code : (old?.code ?? null),
          enabled: changes.enabled !== undefined ? Number(changes.enabled) : (old?.enabled ?? 0),
          variables:
            changes.variables !== undefined
              ? changes.variables === null
                ? null
                : JSON.stringify(changes.variables)
              : (old?.variables ?? null),
          updated_at: now,
        };
        const { endpoint_id: _, ...values } = row;
        await trx
          .insertInto('endpoint_transformation')
          .values(row)
          .onConflict((oc) => oc.column('endpoint_id').doUpdateSet(values))
          .execute();
        // Never backwards: a clock step must not make a worker keep an older copy of the endpoint.
        const endpoint = await trx
          .selectFrom('endpoint')
          .select('updated_at')
          .where('id', '=', endpointId)
          .executeTakeFirst();
        await trx
          .updateTable('endpoint')
          .set({ updated_at: Math.max(now, (endpoint?.updated_at ?? 0) + 1) })
          .where('id', '=', endpointId)
          .execute();
        return toTransformation(row);
      });
    },
  };
}
