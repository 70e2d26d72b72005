import type { Migration } from './types.js';

/**
 * Batching per endpoint: several deliveries sent in one request, as a JSON array. Stored as JSON text
 * (`{"maxMessages", "maxBytes", "maxWaitMs"}`); null sends one message per request.
 */
export const batching: Migration = {
  version: 12,
  name: 'batching',
  statements() {
    return [`alter table endpoint add column batching text`];
  },
};
