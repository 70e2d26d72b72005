import { columnTypes, type Migration } from './types.js';

/**
 * Relay endpoints (`herald listen`): the requests handed from a delivery worker to a listener and the answers
 * coming back. A worker making an attempt of a `relay:` endpoint's delivery writes the signed request here; a
 * listener's poll takes it (`taken_at`), forwards it on its own machine and writes what the local handler
 * answered (`answer`, JSON); the worker reads the answer, records the attempt and deletes the row. A row is
 * worth nothing after `expires_at`: the worker has given up on it by then. Deleting the endpoint deletes its
 * requests.
 */
export const relayRequests: Migration = {
  version: 14,
  name: 'relay_requests',
  statements(profile) {
    const { id } = columnTypes(profile);
    return [
      `create table relay_request (
        id ${id} primary key,
        endpoint_id text not null references endpoint (id) on delete cascade,
        request text not null,
        taken_at bigint,
        answer text,
        created_at bigint not null,
        expires_at bigint not null
      )`,
      'create index relay_request_waiting on relay_request (endpoint_id, taken_at, id)',
      'create index relay_request_expires on relay_request (expires_at)',
    ];
  },
};
