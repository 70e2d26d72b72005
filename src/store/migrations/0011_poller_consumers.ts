import type { Migration } from './types.js';

/**
 * Polling endpoints (Svix's poller API): the durable position of each named consumer of an endpoint's message
 * stream. `position` is the iterator the consumer last acknowledged, an id in the message id space: the consumer
 * reads the endpoint's messages whose id sorts after it. Deleting the endpoint deletes its consumers.
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
        updated_at bigint not null,
        primary key (endpoint_id, consumer_id)
      )`,
    ];
  },
};
