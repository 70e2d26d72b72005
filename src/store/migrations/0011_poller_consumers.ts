import type { Migration } from './types.js';

/**
 * Polling endpoints (Svix's poller API): the durable state of each named consumer of an endpoint's message
 * stream. `position` is what the consumer acknowledged, an id in the message id space: it reads the endpoint's
 * messages whose id sorts after it. The rest serves the leasing poll (poller v2): `leased` lists the offsets
 * handed out and not yet committed with their message ids (JSON `[[offset, id], …]`), `lease_end` is where the
 * leased read stopped and `lease_until` when the lease lapses; `next_offset` numbers the messages handed out.
 * `revision` counts writes, so that a write based on a stale read is refused. Deleting the endpoint deletes
 * its consumers.
 */
export const pollerConsumers: Migration = {
  version: 11,
  name: 'poller_consumers',
  statements() {
    return [
      `create table poller_consumer (
        endpoint_id text not null references endpoint (id) on delete cascade,
        consumer_id text not null,
        position text not null,
        next_offset bigint not null default 0,
        leased text,
        lease_end text,
        lease_until bigint,
        revision bigint not null default 0,
        updated_at bigint not null,
        primary key (endpoint_id, consumer_id)
      )`,
    ];
  },
};
