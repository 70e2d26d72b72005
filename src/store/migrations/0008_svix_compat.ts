import type { Migration } from './types.js';

/**
 * What Svix's behaviour needs stored:
 * - an endpoint's `version`, Svix's deprecated field: stored as the client sets it on create, PUT and PATCH, and
 *   returned as it was set. Herald gives it no meaning; existing endpoints read 1, what Herald always answered.
 * - an API key's feature flags (a JSON array of names), from app-portal-access: event types behind a
 *   `featureFlag` are visible to an application key only when it carries that flag.
 * - when an endpoint was deleted: a deleted endpoint stays as a record (disabled, without its uid), so the
 *   messages delivered to it still list it among their destinations, as in Svix.
 */
export const svixCompat: Migration = {
  version: 8,
  name: 'svix_compat',
  statements() {
    return [
      `alter table endpoint add column version integer not null default 1`,
      `alter table api_key add column feature_flags text`,
      `alter table endpoint add column deleted_at bigint`,
    ];
  },
};
