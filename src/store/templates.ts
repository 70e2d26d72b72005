/**
 * Templates and their versions. A version is never changed once written: editing a template inserts the next
 * number and moves `latest_version` in one transaction, so endpoints that pin a version keep getting exactly
 * what they were tested with.
 */
import type { Selectable } from 'kysely';
import type { Connection } from './dialect.js';
import { guardUnique, paged, pageOf } from './rows.js';
import type { TemplateTable, TemplateVersionTable } from './schema.js';
import type {
  Page,
  PageQuery,
  Template,
  TemplateChanges,
  TemplateContent,
  TemplateContentType,
  TemplateInsert,
  TemplateVersion,
} from './types.js';

export interface TemplateQueries {
  /** Creates a template with its first version; a taken name throws `UniqueViolation`. */
  templateCreate(
    template: TemplateInsert,
    content: TemplateContent,
    now?: number,
  ): Promise<{ template: Template; version: TemplateVersion }>;
  /** Finds a template by its id. */
  templateGet(id: string): Promise<Template | undefined>;
  /** A page of templates by id. */
  templateList(page: PageQuery): Promise<Page<Template>>;
  /** Changes a template's name or description; its content changes only through a new version. */
  templateUpdate(id: string, changes: TemplateChanges, now?: number): Promise<Template | undefined>;
  /** Deletes a template and all its versions. */
  templateDelete(id: string): Promise<boolean>;
  /**
   * Adds the next version of a template and makes it the latest. Concurrent edits get consecutive numbers
   * rather than one failing. Undefined if there is no such template.
   */
  templateVersionCreate(
    templateId: string,
    content: TemplateContent,
    now?: number,
  ): Promise<TemplateVersion | undefined>;
  /** One version of a template, if both exist. */
  templateVersionGet(templateId: string, version: number): Promise<TemplateVersion | undefined>;
  /** A template's versions by number; the iterator is a version number. */
  templateVersionList(templateId: string, page: PageQuery): Promise<Page<TemplateVersion>>;
  /** The latest version number of each template that exists among `ids`. */
  templateLatestVersions(ids: string[]): Promise<Map<string, number>>;
  /** The versions named by `refs` that exist, in one query. */
  templateVersionGetMany(refs: Array<{ templateId: string; version: number }>): Promise<TemplateVersion[]>;
}

function toTemplate(row: Selectable<TemplateTable>): Template {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    latestVersion: row.latest_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toTemplateVersion(row: Selectable<TemplateVersionTable>): TemplateVersion {
  return {
    templateId: row.template_id,
    version: row.version,
    contentType: row.content_type as TemplateContentType,
    body: row.body,
    eventType: row.event_type,
    payloadVersion: row.payload_version,
    createdAt: row.created_at,
  };
}

function versionRow(templateId: string, version: number, content: TemplateContent, now: number) {
  return {
    template_id: templateId,
    version,
    content_type: content.contentType,
    body: content.body,
    event_type: content.eventType,
    payload_version: content.payloadVersion,
    created_at: now,
  };
}

export function templateQueries(connection: Connection): TemplateQueries {
  const { db } = connection;
  return {
    async templateCreate(
      template: TemplateInsert,
      content: TemplateContent,
      now = Date.now(),
    ): Promise<{ template: Template; version: TemplateVersion }> {
      const row = { ...template, latest_version: 1, created_at: now, updated_at: now };
      const version = versionRow(template.id, 1, content, now);
      await guardUnique(connection, 'template.name', () =>
        db.transaction().execute(async (trx) => {
          await trx.insertInto('template').values(row).execute();
          await trx.insertInto('template_version').values(version).execute();
        }),
      );
      return { template: toTemplate(row), version: toTemplateVersion(version) };
    },

    async templateGet(id: string): Promise<Template | undefined> {
      const row = await db.selectFrom('template').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toTemplate(row);
    },

    async templateList(page: PageQuery): Promise<Page<Template>> {
      const rows = await paged(db.selectFrom('template').selectAll(), 'id', page).execute();
      return pageOf(rows.map(toTemplate), page, (template) => template.id);
    },

    async templateUpdate(
      id: string,
      changes: TemplateChanges,
      now = Date.now(),
    ): Promise<Template | undefined> {
      const values = {
        ...(changes.name !== undefined && { name: changes.name }),
        ...(changes.description !== undefined && { description: changes.description }),
        updated_at: now,
      };
      const row = await guardUnique(connection, 'template.name', () =>
        db.updateTable('template').set(values).where('id', '=', id).returningAll().executeTakeFirst(),
      );
      return row && toTemplate(row);
    },

    async templateDelete(id: string): Promise<boolean> {
      const result = await db.deleteFrom('template').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async templateVersionCreate(
      templateId: string,
      content: TemplateContent,
      now = Date.now(),
    ): Promise<TemplateVersion | undefined> {
      return db.transaction().execute(async (trx) => {
        // The row lock taken by the update orders concurrent edits, so two get consecutive numbers.
        const bumped = await trx
          .updateTable('template')
          .set((eb) => ({ latest_version: eb('latest_version', '+', 1), updated_at: now }))
          .where('id', '=', templateId)
          .returning('latest_version')
          .executeTakeFirst();
        if (!bumped) return undefined;
        const row = versionRow(templateId, bumped.latest_version, content, now);
        await trx.insertInto('template_version').values(row).execute();
        return toTemplateVersion(row);
      });
    },

    async templateVersionGet(templateId: string, version: number): Promise<TemplateVersion | undefined> {
      const row = await db
        .selectFrom('template_version')
        .selectAll()
        .where('template_id', '=', templateId)
        .where('version', '=', version)
        .executeTakeFirst();
      return row && toTemplateVersion(row);
    },

    async templateVersionList(templateId: string, page: PageQuery): Promise<Page<TemplateVersion>> {
      const query = db.selectFrom('template_version').selectAll().where('template_id', '=', templateId);
      const rows = await paged(query, 'version', page).execute();
      return pageOf(rows.map(toTemplateVersion), page, (version) => String(version.version));
    },

    async templateLatestVersions(ids: string[]): Promise<Map<string, number>> {
      if (ids.length === 0) return new Map();
      const rows = await db
        .selectFrom('template')
        .select(['id', 'latest_version'])
        .where('id', 'in', ids)
        .execute();
      return new Map(rows.map((row) => [row.id, row.latest_version]));
    },

    async templateVersionGetMany(
      refs: Array<{ templateId: string; version: number }>,
    ): Promise<TemplateVersion[]> {
      if (refs.length === 0) return [];
      const rows = await db
        .selectFrom('template_version')
        .selectAll()
        .where((eb) =>
          eb.or(
            refs.map((ref) =>
              eb.and([eb('template_id', '=', ref.templateId), eb('version', '=', ref.version)]),
            ),
          ),
        )
        .execute();
      return rows.map(toTemplateVersion);
    },
  };
}
