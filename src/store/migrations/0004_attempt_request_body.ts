import type { Migration } from './types.js';

/**
 * The body an attempt actually sent, when it differs from the message payload: a templated or converted body
 * (XML, form). Null means the payload went out as the standard JSON body, so nothing is stored twice.
 */
export const attemptRequestBody: Migration = {
  version: 4,
  name: 'attempt_request_body',
  statements() {
    return [`alter table attempt add column request_body text`];
  },
};
