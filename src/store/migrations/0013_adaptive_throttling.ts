import type { Migration } from './types.js';

/**
 * Adaptive throttling. `adaptive_throttling` (0 or 1, on by default) lets the delivery workers adjust how many
 * requests they keep in flight to the endpoint from its response times and errors. `endpoint_limit` is what
 * the workers report of it: one row per endpoint, worker and minute, with the limit at the end of the minute
 * (`limit_last`), its lowest and highest during it, the worker's ceiling and the reason in words. A row is
 * rewritten at most every few seconds while it changes; rows older than the retention window are pruned.
 * Deleting the endpoint deletes its rows.
 */
export const adaptiveThrottling: Migration = {
  version: 13,
  name: 'adaptive_throttling',
  statements() {
    return [
      `alter table endpoint add column adaptive_throttling integer not null default 1`,
      `create table endpoint_limit (
        endpoint_id text not null references endpoint (id) on delete cascade,
        worker_id text not null,
        minute bigint not null,
        limit_last integer not null,
        limit_low integer not null,
        limit_high integer not null,
        ceiling integer not null,
        reason text not null,
        updated_at bigint not null,
        primary key (endpoint_id, minute, worker_id)
      )`,
      `create index endpoint_limit_minute on endpoint_limit (minute)`,
    ];
  },
};
