import type { Migration } from './types.js';

/**
 * The last run of each deployment-wide maintenance service (lease rescuer, retention pruner, …): one row per
 * service, claimed by one statement, so that however many processes and threads share the database, one of
 * them runs the service per interval.
 */
export const serviceRuns: Migration = {
  version: 5,
  name: 'service_runs',
  statements() {
    return [
      `create table herald_service_run (
        name text primary key,
        holder text not null,
        last_run_at bigint not null
      )`,
    ];
  },
};
