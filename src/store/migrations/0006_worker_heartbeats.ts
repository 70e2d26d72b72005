import type { Migration } from './types.js';

/**
 * One row per running delivery worker, with the time of its last heartbeat on the database's clock. A worker
 * whose heartbeat lapses is presumed dead: its row is deleted and its deliveries go back to the queue at once,
 * instead of when their leases run out. The deliveries in flight (status 3, sending) get an index of their own,
 * by worker and lease: taking a worker's deliveries over, and rescuing expired leases, read only those rows
 * instead of scanning every delivery kept.
 */
export const workerHeartbeats: Migration = {
  version: 6,
  name: 'worker_heartbeats',
  statements() {
    return [
      `create table herald_worker (
        id text primary key,
        host text not null,
        pid integer not null,
        started_at bigint not null,
        heartbeat_at bigint not null
      )`,
      `create index delivery_in_flight on delivery (leased_by, lease_expires_at) where status = 3`,
    ];
  },
};
