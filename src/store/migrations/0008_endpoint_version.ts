import type { Migration } from './types.js';

/**
 * An endpoint's `version`, Svix's deprecated field: stored as the client sets it on create, PUT and PATCH, and
 * returned as it was set. Herald gives it no meaning; existing endpoints read 1, what Herald always answered.
 */
export const endpointVersion: Migration = {
  version: 8,
  name: 'endpoint_version',
  statements() {
    return [`alter table endpoint add column version integer not null default 1`];
  },
};
