import type { Migration } from './types.js';

/**
 * Content filters and compression per endpoint. A filter is a MongoDB-style query over the message (event type,
 * channels, payload), stored as JSON text and evaluated when a message is routed; null sends every message the
 * event-type and channel filters let through. Compression encodes bodies at or above a size with gzip or Brotli, until a receiver answers one 415.
 */
export const filtersCompression: Migration = {
  version: 7,
  name: 'filters_compression',
  statements() {
    return [
      `alter table endpoint add column content_filter text`,
      // none, gzip or br.
      `alter table endpoint add column compression text not null default 'none'`,
      // The smallest body, in bytes, that is compressed; null means the default (1 KiB).
      `alter table endpoint add column compression_threshold integer`,
      // When a compressed request was answered 415: from then on the endpoint's bodies are sent plain.
      `alter table endpoint add column compression_refused_at bigint`,
    ];
  },
};
