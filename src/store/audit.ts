import { sql, type Selectable } from 'kysely';
import type { Connection } from './dialect.js';
import { fromJsonOrNull, paged, pageOf, toJsonOrNull } from './rows.js';
import type { AuditLogTable } from './schema.js';
import type { AuditFilter, AuditRecord, Page, PageQuery } from './types.js';

/** The audit log is append-only: there is no update or delete. */
export interface AuditQueries {
  /** Adds one record. */
  auditAppend(record: AuditRecord): Promise<void>;
  /** Records matching the filter, by id (creation order). */
  auditList(filter: AuditFilter, page: PageQuery): Promise<Page<AuditRecord>>;
}

function toAuditRecord(row: Selectable<AuditLogTable>): AuditRecord {
  return {
    id: row.id,
    createdAt: row.created_at,
    actor: row.actor,
    ip: row.ip,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    appId: row.app_id,
    before: fromJsonOrNull(row.before),
    after: fromJsonOrNull(row.after),
  };
}

/** A LIKE pattern matching what starts with `prefix`, in which `_` and `%` mean themselves. */
const likePrefix = (prefix: string) => `${prefix.replace(/[!%_]/g, (c) => `!${c}`)}%`;

export function auditQueries(connection: Connection): AuditQueries {
  const { db } = connection;
  return {
    async auditAppend(record: AuditRecord): Promise<void> {
      await db
        .insertInto('audit_log')
        .values({
          id: record.id,
          created_at: record.createdAt,
          actor: record.actor,
          ip: record.ip,
          action: record.action,
          target_type: record.targetType,
          target_id: record.targetId,
          app_id: record.appId,
          before: toJsonOrNull(record.before),
          after: toJsonOrNull(record.after),
        })
        .execute();
    },

    async auditList(filter: AuditFilter, page: PageQuery): Promise<Page<AuditRecord>> {
      let query = db.selectFrom('audit_log').selectAll();
      if (filter.appId !== undefined) query = query.where('app_id', '=', filter.appId);
      if (filter.action !== undefined) {
        const prefix = /[.*]$/.test(filter.action) ? filter.action.replace(/\*$/, '') : null;
        query =
          prefix === null
            ? query.where('action', '=', filter.action)
            : query.where(sql<boolean>`action like ${likePrefix(prefix)} escape '!'`);
      }
      if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
      if (filter.targetId !== undefined) query = query.where('target_id', '=', filter.targetId);
      if (filter.before !== undefined) query = query.where('created_at', '<', filter.before);
      if (filter.after !== undefined) query = query.where('created_at', '>=', filter.after);
      const rows = await paged(query, 'id', page).execute();
      return pageOf(rows.map(toAuditRecord), page, (record) => record.id);
    },
  };
}
