import { sql, type Selectable } from 'kysely';
import type { Connection } from './dialect.js';
import { flag, fromJson, fromJsonOrNull, guardUnique, paged, pageOf, toJson, toJsonOrNull } from './rows.js';
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
  /**
   * A page of the catalogue by name, archived event types only with `includeArchived`. With `featureFlags`,
   * only the event types without flags or with one of those (what an application key carrying them may see).
   */
  eventTypeList(page: PageQuery, includeArchived: boolean, featureFlags?: string[]): Promise<Page<EventType>>;
  /** Changes what `changes` sets. Undefined if there is no such event type. */
  eventTypeUpdate(name: string, changes: EventTypeChanges, now?: number): Promise<EventType | undefined>;
  /** The retry schedules (ms) of those of `names` that have one, by name, in one query. */
  eventTypeRetrySchedules(names: string[]): Promise<Map<string, number[]>>;
  /** Removes an event type from the catalogue; false if there was none. Messages of that type stay. */
  eventTypeDelete(name: string): Promise<boolean>;
}

/** Stored as a JSON array of flag names; an empty list is stored as none. */
function flagsJson(flags: string[] | null | undefined): string | null {
  return flags === null || flags === undefined || flags.length === 0 ? null : toJson([...new Set(flags)]);
}

/**
 * The event types visible to a key carrying `flags`: those without flags, and those with one of `flags`. Flag
 * names are restricted (letters, digits, `-_.`), so `"name"` appears in the JSON array only for that exact flag.
 */
function visibleWith(connection: Connection, flags: string[]) {
  const position = sql.raw(connection.profile.substringPositionFn);
  return sql<boolean>`(feature_flags is null${sql.join(
    flags.map((name) => sql` or ${position}(feature_flags, ${JSON.stringify(name)}) > 0`),
    sql``,
  )})`;
}

function toEventType(row: Selectable<EventTypeTable>): EventType {
  return {
    name: row.name,
    description: row.description,
    schemas: fromJsonOrNull(row.schemas),
    archived: row.archived === 1,
    deprecated: row.deprecated === 1,
    featureFlags: fromJsonOrNull(row.feature_flags),
    groupName: row.group_name,
    retrySchedule: fromJsonOrNull(row.retry_schedule),
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
        feature_flags: flagsJson(eventType.featureFlags),
        group_name: eventType.groupName ?? null,
        retry_schedule: toJsonOrNull(eventType.retrySchedule),
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
      if (featureFlags !== undefined) query = query.where(visibleWith(connection, featureFlags));
      const rows = await paged(query, 'name', page).execute();
      return pageOf(rows.map(toEventType), page, (eventType) => eventType.name);
    },

    async eventTypeUpdate(name: string, changes: EventTypeChanges, now = Date.now()) {
      const values = {
        ...(changes.description !== undefined && { description: changes.description }),
        ...(changes.schemas !== undefined && { schemas: toJsonOrNull(changes.schemas) }),
        ...(changes.archived !== undefined && { archived: flag(changes.archived) }),
        ...(changes.deprecated !== undefined && { deprecated: flag(changes.deprecated) }),
        ...(changes.featureFlags !== undefined && { feature_flags: flagsJson(changes.featureFlags) }),
        ...(changes.groupName !== undefined && { group_name: changes.groupName }),
        ...(changes.retrySchedule !== undefined && { retry_schedule: toJsonOrNull(changes.retrySchedule) }),
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

    async eventTypeRetrySchedules(names: string[]): Promise<Map<string, number[]>> {
      if (names.length === 0) return new Map();
      const rows = await db
        .selectFrom('event_type')
        .select(['name', 'retry_schedule'])
        .where('name', 'in', names)
        .where('retry_schedule', 'is not', null)
        .execute();
      return new Map(rows.map((row) => [row.name, fromJson<number[]>(row.retry_schedule!)]));
    },

    async eventTypeDelete(name: string): Promise<boolean> {
      const result = await db.deleteFrom('event_type').where('name', '=', name).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}
