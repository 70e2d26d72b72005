import type { Migration } from './types.js';

/**
 * Ordered delivery. An endpoint with `ordering` other than `none` delivers each sequence (the whole endpoint,
 * or one ordering key) first in, first out: a delivery of such an endpoint carries its sequence (`seq_key`) and
 * its place in it (`seq`, from the sequence's counter, taken in the write that accepted the message). At most one
 * delivery of a sequence is active (due or in flight); the others wait, pending with no time to be tried
 * (`next_attempt_at` null), until the one before them is done. `blocking` marks a given-up delivery that holds
 * its sequence (`ordering_after_give_up = 'block'`) until it is sent again or skipped.
 */
export const ordering: Migration = {
  version: 9,
  name: 'ordering',
  statements() {
    return [
      // none, endpoint or key.
      `alter table endpoint add column ordering text not null default 'none'`,
      // skip or block.
      `alter table endpoint add column ordering_after_give_up text not null default 'skip'`,
      `alter table message add column ordering_key text`,
      `alter table delivery add column seq_key text`,
      `alter table delivery add column seq bigint`,
      `alter table delivery add column blocking integer not null default 0`,
      // One row per sequence: its counter, and the row every write to the sequence locks first.
      `create table delivery_sequence (
        endpoint_id text not null references endpoint (id) on delete cascade,
        seq_key text not null,
        last_seq bigint not null,
        primary key (endpoint_id, seq_key)
      )`,
      // The deliveries of sequences that are pending (active or waiting) or in flight.
      `create index delivery_sequence_members on delivery (endpoint_id, seq_key, seq)
        where seq_key is not null and status in (1, 3)`,
      // The one delivery of each sequence that is due or in flight (two, briefly, after a resend), found without
      // reading the deliveries waiting behind it.
      `create index delivery_sequence_active on delivery (endpoint_id, seq_key)
        where seq_key is not null and (status = 3 or (status = 1 and next_attempt_at is not null))`,
      `create index delivery_sequence_blocking on delivery (endpoint_id, seq_key, seq) where blocking = 1`,
    ];
  },
};
