import { sql, type Selectable } from 'kysely';
import type { Connection } from './dialect.js';
import { fromJson, fromJsonOrNull, guardUnique, paged, pageOf, toJson, toJsonOrNull } from './rows.js';
import type { ApplicationTable } from './schema.js';
import {
  UniqueViolation,
  type Application,
  type ApplicationChanges,
  type ApplicationInsert,
  type Page,
  type PageQuery,
} from './types.js';

export interface ApplicationQueries {
  /** Creates an application; a taken `uid` throws `UniqueViolation`. */
  applicationCreate(app: ApplicationInsert, now?: number): Promise<Application>;
  /**
   * Creates the application, or returns the one that already has its uid: two requests that create the same
   * application at once both get the one that won the race instead of a conflict.
   */
  applicationCreateOrGet(app: ApplicationInsert): Promise<Application>;
  /** Finds an application by its id or its uid; an id wins over a uid that happens to equal it. */
  applicationGet(idOrUid: string): Promise<Application | undefined>;
  /** The applications among `ids` that exist, by id, in one query. */
  applicationGetMany(ids: string[]): Promise<Map<string, Application>>;
  /** A page of applications by id; `onlyId` restricts it to that one (what an application-scoped key sees). */
  applicationList(page: PageQuery, onlyId?: string): Promise<Page<Application>>;
  /** Changes what `changes` sets; a taken `uid` throws `UniqueViolation`. Undefined if there is no such id. */
  applicationUpdate(id: string, changes: ApplicationChanges, now?: number): Promise<Application | undefined>;
  /** Deletes an application with its endpoints, messages, deliveries, attempts and keys. */
  applicationDelete(id: string): Promise<boolean>;
}

function toApplication(row: Selectable<ApplicationTable>): Application {
  return {
    id: row.id,
    uid: row.uid,
    name: row.name,
    metadata: fromJson(row.metadata),
    throttleRate: row.throttle_rate,
    allowedDestinationCidrs: fromJsonOrNull(row.allowed_destination_cidrs),
    payloadRetentionHours: row.payload_retention_hours,
    storeResponseBodies: row.store_response_bodies === 1,
    redactionRules: fromJsonOrNull(row.redaction_rules),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function applicationQueries(connection: Connection): ApplicationQueries {
  const { db } = connection;
  const queries: ApplicationQueries = {
    async applicationCreate(app: ApplicationInsert, now = Date.now()): Promise<Application> {
      const row = {
        id: app.id,
        uid: app.uid,
        name: app.name,
        metadata: toJson(app.metadata),
        throttle_rate: app.throttleRate,
        allowed_destination_cidrs: toJsonOrNull(app.allowedDestinationCidrs),
        payload_retention_hours: app.payloadRetentionHours ?? null,
        store_response_bodies: app.storeResponseBodies === false ? 0 : 1,
        redaction_rules: toJsonOrNull(app.redactionRules),
        created_at: now,
        updated_at: now,
      };
      await guardUnique(connection, 'application.uid', () =>
        db.insertInto('application').values(row).execute(),
      );
      return toApplication(row);
    },

    async applicationCreateOrGet(app: ApplicationInsert): Promise<Application> {
      try {
        return await queries.applicationCreate(app);
      } catch (error) {
        const raced =
          error instanceof UniqueViolation && app.uid !== null
            ? await queries.applicationGet(app.uid)
            : undefined;
        if (raced) return raced;
        throw error;
      }
    },

    /** Finds an application by its id or its uid. */
    async applicationGet(idOrUid: string): Promise<Application | undefined> {
      const row = await db
        .selectFrom('application')
        .selectAll()
        .where((eb) => eb.or([eb('id', '=', idOrUid), eb('uid', '=', idOrUid)]))
        // An id wins over a uid that happens to equal it.
        .orderBy(sql`case when id = ${idOrUid} then 0 else 1 end`)
        .limit(1)
        .executeTakeFirst();
      return row && toApplication(row);
    },

    async applicationGetMany(ids: string[]): Promise<Map<string, Application>> {
      if (ids.length === 0) return new Map();
      const rows = await db.selectFrom('application').selectAll().where('id', 'in', ids).execute();
      return new Map(rows.map((row) => [row.id, toApplication(row)]));
    },

    async applicationList(page: PageQuery, onlyId?: string): Promise<Page<Application>> {
      let query = db.selectFrom('application').selectAll();
      if (onlyId !== undefined) query = query.where('id', '=', onlyId);
      const rows = await paged(query, 'id', page).execute();
      return pageOf(rows.map(toApplication), page, (app) => app.id);
    },

    async applicationUpdate(id: string, changes: ApplicationChanges, now = Date.now()) {
      const values = {
        ...(changes.name !== undefined && { name: changes.name }),
        ...(changes.uid !== undefined && { uid: changes.uid }),
        ...(changes.metadata !== undefined && { metadata: toJson(changes.metadata) }),
        ...(changes.throttleRate !== undefined && { throttle_rate: changes.throttleRate }),
        ...(changes.allowedDestinationCidrs !== undefined && {
          allowed_destination_cidrs: toJsonOrNull(changes.allowedDestinationCidrs),
        }),
        ...(changes.payloadRetentionHours !== undefined && {
          payload_retention_hours: changes.payloadRetentionHours,
        }),
        ...(changes.storeResponseBodies !== undefined && {
          store_response_bodies: changes.storeResponseBodies ? 1 : 0,
        }),
        ...(changes.redactionRules !== undefined && {
          redaction_rules: toJsonOrNull(changes.redactionRules),
        }),
        updated_at: now,
      };
      const row = await guardUnique(connection, 'application.uid', () =>
        db.updateTable('application').set(values).where('id', '=', id).returningAll().executeTakeFirst(),
      );
      return row && toApplication(row);
    },

    async applicationDelete(id: string): Promise<boolean> {
      const result = await db.deleteFrom('application').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
  return queries;
}
