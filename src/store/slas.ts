/**
 * Delivery SLAs and their per-minute rollups. An SLA is a promise for an application or one of its endpoints
 * (its `scope`: the endpoint's id, or the application's): a success-rate target and a delay target over a
 * rolling window. Compliance is read from `sla_rollup`, which the results writer adds to in the transaction that
 * records the attempts (`slaRollupAdd`), never by scanning attempts. Rollups are kept only for scopes with an
 * SLA, so a deployment without SLAs pays one cheap statement per group commit and stores nothing.
 */
import { sql, type Selectable, type Transaction } from 'kysely';
import type { Connection } from './dialect.js';
import { fromJsonOrNull, toJsonOrNull } from './rows.js';
import type { Database, SlaTable } from './schema.js';
import type { JsonObject } from './types.js';

/**
 * The delay bounds the rollups count deliveries within, in milliseconds: an SLA's delay threshold is one of them.
 * Each has its column (`within_1s`, …), in this order.
 */
export const SLA_DELAY_BOUNDS_MS = [1, 5, 10, 30, 60, 300, 900, 3600].map((seconds) => seconds * 1000);
const WITHIN_COLUMNS = [
  'within_1s',
  'within_5s',
  'within_10s',
  'within_30s',
  'within_1m',
  'within_5m',
  'within_15m',
  'within_1h',
] as const;

export type SlaStatus = 'ok' | 'at_risk' | 'breached';

export interface Sla {
  id: string;
  appId: string;
  /** The endpoint the promise is about; null: every endpoint of the application. */
  endpointId: string | null;
  name: string;
  windowMs: number;
  /** Share of messages delivered (0.999); null: no success-rate target. */
  successTarget: number | null;
  /** The delay target's threshold, one of SLA_DELAY_BOUNDS_MS; null with `delayTarget`. */
  delayMs: number | null;
  /** Share of messages delivered within `delayMs` of their creation (0.95); null: no delay target. */
  delayTarget: number | null;
  /** The last evaluation's status ('ok' before the first). */
  status: SlaStatus;
  /** The last evaluation's smallest error budget left, as a fraction (negative when overspent). */
  budgetRemaining: number | null;
  /** The last evaluation's figures, as the evaluator recorded them. */
  evaluation: JsonObject | null;
  evaluatedAt: number | null;
  /** When the breach in progress began; null when the SLA is not breached. */
  breachedAt: number | null;
  createdAt: number;
  updatedAt: number;
}
export type SlaSettings = Pick<
  Sla,
  'endpointId' | 'name' | 'windowMs' | 'successTarget' | 'delayMs' | 'delayTarget'
>;
export type SlaInsert = SlaSettings & Pick<Sla, 'id' | 'appId' | 'createdAt'>;
export type SlaEvaluation = Pick<Sla, 'status' | 'budgetRemaining' | 'evaluation' | 'evaluatedAt'>;

/** Messages of one scope created in one minute: tried and delivered, tried and not (yet), delivered in time. */
export interface SlaCounts {
  delivered: number;
  undelivered: number;
  /** Delivered within each of SLA_DELAY_BOUNDS_MS, in its order. */
  within: number[];
}
/** Counts to add to a scope's minute (`minute`: its start, ms). `undelivered` may be negative. */
export interface SlaRollupDelta extends SlaCounts {
  scope: string;
  minute: number;
}
/** A scope's counts over one stretch of time starting at `start`. */
export interface SlaRollupBucket extends SlaCounts {
  start: number;
}

export interface SlaQueries {
  /** Creates an SLA unless its application has `cap` already; null then. */
  slaCreate(sla: SlaInsert, cap: number): Promise<Sla | null>;
  slaGet(appId: string, id: string): Promise<Sla | undefined>;
  /** An application's SLAs (all of them: their number is capped), optionally one endpoint's, oldest first. */
  slaList(appId: string, endpointId?: string): Promise<Sla[]>;
  /** Replaces an SLA's settings; its evaluation and breach stay until the next evaluation. */
  slaUpdate(appId: string, id: string, settings: SlaSettings, now: number): Promise<Sla | undefined>;
  slaDelete(appId: string, id: string): Promise<boolean>;
  /** Every SLA of the deployment in id order, `limit` after `after`: the evaluator walks them in pages. */
  slaListAll(after: string | null, limit: number): Promise<Sla[]>;
  /** SLAs whose last evaluation was at risk or breached, the least budget left first. */
  slaListAtRisk(limit: number): Promise<Sla[]>;
  /** How many SLAs there are, by their last status. */
  slaCountByStatus(): Promise<Record<SlaStatus, number>>;
  slaRecordEvaluation(id: string, evaluation: SlaEvaluation): Promise<void>;
  /** Marks the SLA breached since `at` unless it already is; true when this call began the breach. */
  slaBreachBegin(id: string, at: number): Promise<boolean>;
  /** Ends the SLA's breach; the time it began when this call ended it, null when it was not breached. */
  slaBreachEnd(id: string): Promise<number | null>;
  /** Adds rollup counts, outside the results writer's transaction (for tests and imports). */
  slaRollupAdd(deltas: SlaRollupDelta[]): Promise<void>;
  /** A scope's counts over [from, to) in buckets of `bucketMs`, by the minute the messages were created. */
  slaRollupBuckets(scope: string, from: number, to: number, bucketMs: number): Promise<SlaRollupBucket[]>;
  /** Deletes rollup minutes before `before`; returns how many. */
  slaRollupPrune(before: number): Promise<number>;
}

function toSla(row: Selectable<SlaTable>): Sla {
  return {
    id: row.id,
    appId: row.app_id,
    endpointId: row.endpoint_id,
    name: row.name,
    windowMs: Number(row.window_ms),
    successTarget: row.success_target,
    delayMs: row.delay_ms === null ? null : Number(row.delay_ms),
    delayTarget: row.delay_target,
    status: row.status as SlaStatus,
    budgetRemaining: row.budget_remaining,
    evaluation: fromJsonOrNull(row.evaluation),
    evaluatedAt: row.evaluated_at === null ? null : Number(row.evaluated_at),
    breachedAt: row.breached_at === null ? null : Number(row.breached_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function settingColumns(sla: SlaSettings & { appId: string }) {
  return {
    endpoint_id: sla.endpointId,
    scope: sla.endpointId ?? sla.appId,
    name: sla.name,
    window_ms: sla.windowMs,
    success_target: sla.successTarget,
    delay_ms: sla.delayMs,
    delay_target: sla.delayTarget,
  };
}

/**
 * Adds the deltas to their minutes, for scopes that have an SLA: one statement however many there are. Rows are
 * written in (scope, minute) order, so that concurrent writers on PostgreSQL lock them in the same order.
 */
export async function slaRollupAddIn(
  db: Transaction<Database> | Connection['db'],
  deltas: SlaRollupDelta[],
): Promise<void> {
  if (deltas.length === 0) return;
  const sorted = [...deltas].sort((a, b) =>
    a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : a.minute - b.minute,
  );
  const rows = sql.join(
    sorted.map(
      (d) =>
        sql`select cast(${d.scope} as text) as scope, cast(${d.minute} as bigint) as minute,
          cast(${d.delivered} as bigint) as delivered, cast(${d.undelivered} as bigint) as undelivered,
          ${sql.join(WITHIN_COLUMNS.map((column, i) => sql`cast(${d.within[i] ?? 0} as bigint) as ${sql.ref(column)}`))}`,
    ),
    sql` union all `,
  );
  const columns = sql.join(
    ['scope', 'minute', 'delivered', 'undelivered', ...WITHIN_COLUMNS].map((c) => sql.ref(c)),
  );
  const add = sql.join(
    ['delivered', 'undelivered', ...WITHIN_COLUMNS].map(
      (c) => sql`${sql.ref(c)} = sla_rollup.${sql.ref(c)} + excluded.${sql.ref(c)}`,
    ),
  );
  // The WHERE also keeps SQLite from reading ON CONFLICT as a join's ON.
  await sql`
    insert into sla_rollup (${columns})
    select ${columns} from (${rows}) as v
    where v.scope in (select scope from sla)
    order by v.scope, v.minute
    on conflict (scope, minute) do update set ${add}`.execute(db);
}

export function slaQueries({ db }: Connection): SlaQueries {
  return {
    async slaCreate(sla, cap) {
      const count = await db
        .selectFrom('sla')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('app_id', '=', sla.appId)
        .executeTakeFirstOrThrow();
      if (Number(count.n) >= cap) return null;
      const row = await db
        .insertInto('sla')
        .values({
          id: sla.id,
          app_id: sla.appId,
          ...settingColumns(sla),
          created_at: sla.createdAt,
          updated_at: sla.createdAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toSla(row);
    },

    async slaGet(appId, id) {
      const row = await db
        .selectFrom('sla')
        .selectAll()
        .where('app_id', '=', appId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toSla(row);
    },

    async slaList(appId, endpointId) {
      let query = db.selectFrom('sla').selectAll().where('app_id', '=', appId);
      if (endpointId !== undefined) query = query.where('endpoint_id', '=', endpointId);
      return (await query.orderBy('id').execute()).map(toSla);
    },

    async slaUpdate(appId, id, settings, now) {
      const row = await db
        .updateTable('sla')
        .set({ ...settingColumns({ ...settings, appId }), updated_at: now })
        .where('app_id', '=', appId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toSla(row);
    },

    async slaDelete(appId, id) {
      const result = await db
        .deleteFrom('sla')
        .where('app_id', '=', appId)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async slaListAll(after, limit) {
      let query = db.selectFrom('sla').selectAll();
      if (after !== null) query = query.where('id', '>', after);
      return (await query.orderBy('id').limit(limit).execute()).map(toSla);
    },

    async slaListAtRisk(limit) {
      const rows = await db
        .selectFrom('sla')
        .selectAll()
        .where('status', 'in', ['at_risk', 'breached'])
        .orderBy('budget_remaining')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(toSla);
    },

    async slaCountByStatus() {
      const rows = await db
        .selectFrom('sla')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('status')
        .execute();
      const counts: Record<SlaStatus, number> = { ok: 0, at_risk: 0, breached: 0 };
      for (const row of rows) if (row.status in counts) counts[row.status as SlaStatus] = Number(row.n);
      return counts;
    },

    async slaRecordEvaluation(id, evaluation) {
      await db
        .updateTable('sla')
        .set({
          status: evaluation.status,
          budget_remaining: evaluation.budgetRemaining,
          evaluation: toJsonOrNull(evaluation.evaluation),
          evaluated_at: evaluation.evaluatedAt,
        })
        .where('id', '=', id)
        .execute();
    },

    async slaBreachBegin(id, at) {
      const result = await db
        .updateTable('sla')
        .set({ breached_at: at })
        .where('id', '=', id)
        .where('breached_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async slaBreachEnd(id) {
      return db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('sla').select('breached_at').where('id', '=', id).executeTakeFirst();
        if (row?.breached_at == null) return null;
        const result = await trx
          .updateTable('sla')
          .set({ breached_at: null })
          .where('id', '=', id)
          .where('breached_at', '=', row.breached_at)
          .executeTakeFirst();
        return result.numUpdatedRows > 0n ? Number(row.breached_at) : null;
      });
    },

    slaRollupAdd: (deltas) => slaRollupAddIn(db, deltas),

    async slaRollupBuckets(scope, from, to, bucketMs) {
      const sum = (column: string) => sql<string | number>`sum(${sql.ref(column)})`;
      const rows = await db
        .selectFrom('sla_rollup')
        .select([
          sql<string | number>`cast((minute - ${from}) / ${bucketMs} as integer)`.as('bucket'),
          sum('delivered').as('delivered'),
          sum('undelivered').as('undelivered'),
          ...WITHIN_COLUMNS.map((column) => sum(column).as(column)),
        ])
        .where('scope', '=', scope)
        .where('minute', '>=', from)
        .where('minute', '<', to)
        .groupBy('bucket')
        .orderBy('bucket')
        .execute();
      return rows.map((row) => ({
        start: from + Number(row.bucket) * bucketMs,
        delivered: Number(row.delivered),
        // A manual resend can make a minute's count dip below zero; what was never tried counts as nothing.
        undelivered: Math.max(0, Number(row.undelivered)),
        within: WITHIN_COLUMNS.map((column) => Number(row[column])),
      }));
    },

    async slaRollupPrune(before) {
      const result = await db.deleteFrom('sla_rollup').where('minute', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
