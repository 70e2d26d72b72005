import type { Migration } from './types.js';

/**
 * Event-type settings Svix has and Herald accepted without storing:
 * - `retry_schedule`: a JSON array of delays in milliseconds before each retry of a message of this type
 *   (Svix's per-event-type retry schedule); null keeps the endpoint's or the default schedule.
 * - `group_name`: the event type's group, which portals group the catalogue by.
 * - `feature_flags`: the flags (a JSON array) that make the event type visible to an application key carrying
 *   one of them. It replaces the single `feature_flag`, which is copied over as a list of one and dropped.
 * - an index of canceled deliveries (status 4, new: an endpoint's pending messages canceled), for statistics.
 */
export const eventTypeSettings: Migration = {
  version: 22,
  name: 'event_type_settings',
  statements() {
    return [
      `alter table event_type add column retry_schedule text`,
      `alter table event_type add column group_name text`,
      `alter table event_type add column feature_flags text`,
      `update event_type set feature_flags = '["' || feature_flag || '"]' where feature_flag is not null`,
      `alter table event_type drop column feature_flag`,
      // Canceled deliveries (status 4, from cancel-msgs), counted by application over a time window.
      `create index delivery_canceled on delivery (app_id, updated_at) where status = 4`,
    ];
  },
};
