import { columnTypes, type Migration } from './types.js';

/**
 * Payload templates and payload versions: templates with their immutable numbered versions, what each endpoint
 * receives (template and pinned version, payload version, format conversion) and deprecated payload versions of
 * event types.
 */
export const templates: Migration = {
  version: 2,
  name: 'templates',
  statements(profile) {
    const { id } = columnTypes(profile);
    return [
      `create table template (
        id ${id} primary key,
        name text not null unique,
        description text not null,
        latest_version integer not null,
        created_at bigint not null,
        updated_at bigint not null
      )`,
      // Versions are never updated: a change is a new row with the next number.
      `create table template_version (
        template_id ${id} not null references template (id) on delete cascade,
        version integer not null,
        content_type text not null,
        body text not null,
        event_type text,
        payload_version text,
        created_at bigint not null,
        primary key (template_id, version)
      )`,
      // No foreign key to template: the API refuses to delete a template that endpoints use, and a worker that
      // finds one missing records a template_error instead of sending a body the receiver did not ask for.
      `alter table endpoint add column template_id ${id}`,
      // The pinned version; null follows the latest.
      `alter table endpoint add column template_version integer`,
      `alter table endpoint add column payload_version text`,
      // none | xml | form: how the standard JSON body is converted when there is no template.
      `alter table endpoint add column conversion text not null default 'none'`,
      `create index endpoint_by_template on endpoint (template_id) where template_id is not null`,
      // JSON array of payload versions (keys of schemas) that are deprecated.
      `alter table event_type add column deprecated_versions text`,
    ];
  },
};
