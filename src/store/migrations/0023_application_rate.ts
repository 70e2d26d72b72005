import { columnTypes, type Migration } from './types.js';

/**
 * An application's `throttleRate` (messages per second across all its endpoints) has a token bucket of its own,
 * shared by every worker as endpoints' buckets are (`endpoint_rate`).
 */
export const applicationRate: Migration = {
  version: 23,
  name: 'application_rate',
  statements(profile) {
    const { id } = columnTypes(profile);
    return [
      `create table application_rate (
        app_id ${id} primary key references application (id) on delete cascade,
        tokens double precision not null,
        updated_at bigint not null
      )`,
    ];
  },
};
