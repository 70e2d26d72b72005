import type { Selectable } from 'kysely';
import type { Connection } from './dialect.js';
import { flag, fromJsonOrNull, guardUnique, paged, pageOf, toJson, toJsonOrNull } from './rows.js';
import type { EventTypeTable } from './schema.js';
import type { EventType, EventTypeChanges, EventTypeInsert, Page, PageQuery } from './types.js';

/** The event-type catalogue, shared by the whole deployment and keyed by name. */
export interface EventTypeQueries {
  /** Adds an event type; a taken name throws `UniqueViolation`. */
  eventTypeCreate(eventType: EventTypeInsert, now?: number): Promise<EventType>;
  /** Finds an event type by its name, archived or not. */
  eventTypeGet(name: string): Promise<EventType | undefined>;
  /** The event types among `names` that exist, by name, in one query. */
  eventTypeGetMany(names: string[]): Promise<Map<string, EventType>>;
  /** Which of `names` are in the catalogue and not archived. */
  eventTypeFindActive(names: string[]): Promise<Set<string>>;
  /** A page of the catalogue by name, archived event types only with `includeArchived`. */
  /**
   * The catalogue. With `featureFlags`, only the event types without a `featureFlag` or with one of those
   * (what an application key carrying them may see).
   */
  eventTypeList(page: PageQuery, includeArchived: boolean, featureFlags?: string[]): Promise<Page<EventType>>;
  /** Changes what `changes` sets. Undefined if there is no such event type. */
  eventTypeUpdate(name: string, changes: EventTypeChanges, now?: number): Promise<EventType | undefined>;
  /** Removes an event type from the catalogue; false if there was none. Messages of that type stay. */
  eventTypeDelete(name: string): Promise<boolean>;
}

function toEventType(row: Selectable<EventTypeTable>): EventType {
  return {
    name: row.name,
    description: row.description,
    schemas: fromJsonOrNull(row.schemas),
    archived: row.archived === 1,
    deprecated: row.deprecated === 1,
    featureFlag: row.feature_flag,
    deprecatedVersions: fromJsonOrNull<string[]>(row.deprecated_versions) ?? [],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function eventTypeQueries(connection: Connection): EventTypeQueries {
  const { db } = connection;
  return {
    async eventTypeCreate(eventType: EventTypeInsert, now = Date.now()): Promise<EventType> {
      const row = {
        name: eventType.name,
        description: eventType.description,
        schemas: toJsonOrNull(eventType.schemas),
        archived: flag(eventType.archived),
        deprecated: flag(eventType.deprecated),
        feature_flag: eventType.featureFlag,
        deprecated_versions: toJson(eventType.deprecatedVersions ?? []),
        created_at: now,
        updated_at: now,
      };
      await guardUnique(connection, 'event_type.name', () =>
        db.insertInto('event_type').values(row).execute(),
      );
      return toEventType(row);
    },

    async eventTypeGet(name: string): Promise<EventType | undefined> {
      const row = await db.selectFrom('event_type').selectAll().where('name', '=', name).executeTakeFirst();
      return row && toEventType(row);
    },

    async eventTypeGetMany(names: string[]): Promise<Map<string, EventType>> {
      if (names.length === 0) return new Map();
      const rows = await db.selectFrom('event_type').selectAll().where('name', 'in', names).execute();
      return new Map(rows.map((row) => [row.name, toEventType(row)]));
    },

    async eventTypeFindActive(names: string[]): Promise<Set<string>> {
      if (names.length === 0) return new Set();
      const rows = await db
        .selectFrom('event_type')
        .select('name')
        .where('name', 'in', names)
        .where('archived', '=', 0)
        .execute();
      return new Set(rows.map((row) => row.name));
    },

    async eventTypeList(
      page: PageQuery,
      includeArchived: boolean,
      featureFlags?: string[],
    ): Promise<Page<EventType>> {
      let query = db.selectFrom('event_type').selectAll();
      if (!includeArchived) query = query.where('archived', '=', 0);
      if (featureFlags !== undefined)
        query = query.where((eb) =>
          featureFlags.length === 0
            ? eb('feature_flag', 'is', null)
            : eb.or([eb('feature_flag', 'is', null), eb('feature_flag', 'in', featureFlags)]),
        );
      const rows = await paged(query, 'name', page).execute();
      return pageOf(rows.map(toEventType), page, (eventType) => eventType.name);
    },

    async eventTypeUpdate(name: string, changes: EventTypeChanges, now = Date.now()) {
      const values = {
        ...(changes.description !== undefined && { description: changes.description }),
        ...(changes.schemas !== undefined && { schemas: toJsonOrNull(changes.schemas) }),
        ...(changes.archived !== undefined && { archived: flag(changes.archived) }),
        ...(changes.deprecated !== undefined && { deprecated: flag(changes.deprecated) }),
        ...(changes.featureFlag !== undefined && { feature_flag: changes.featureFlag }),
        ...(changes.deprecatedVersions !== undefined && {
          deprecated_versions: toJson(changes.deprecatedVersions),
        }),
        updated_at: now,
      };
      const row = await db
        .updateTable('event_type')
        .set(values)
        .where('name', '=', name)
        .returningAll()
        .executeTakeFirst();
      return row && toEventType(row);
    },

    async eventTypeDelete(name: string): Promise<boolean> {
      const result = await db.deleteFrom('event_type').where('name', '=', name).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}
