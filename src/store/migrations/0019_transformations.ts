import type { Migration } from './types.js';

/**
 * Transformations (docs/transformations.md). An endpoint may have one: JavaScript code with Svix's
 * `handler(webhook)` contract, run in a sandbox at delivery time when `enabled` is 1. `variables` is a JSON
 * object of strings (Svix's field, kept and returned) or null. The row goes with its endpoint.
 */
export const transformations: Migration = {
  version: 19,
  name: 'transformations',
  statements() {
    return [
      `create table endpoint_transformation (
        endpoint_id text primary key references endpoint (id) on delete cascade,
        code text,
        enabled integer not null default 0,
        variables text,
        updated_at bigint not null
      )`,
    ];
  },
};
