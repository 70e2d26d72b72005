import type { Migration } from './types.js';

/**
 * Delivery SLAs. An `sla` row is a promise for an application or one of its endpoints: a success-rate target and
 * a delay target (share of messages delivered within `delay_ms` of their creation), over a rolling window. Both
 * targets are fractions (0.999). `scope` is the endpoint's id for an endpoint SLA and the application's id
 * otherwise: the key of the rollups it reads. The last evaluation is kept on the row (`status`,
 * `budget_remaining`, `evaluation` as JSON) for the platform-wide list of SLAs at risk; `breached_at` is set
 * while a breach lasts, so that a breach is reported once per episode.
 *
 * `sla_rollup` counts, per scope and per minute of message creation, the messages tried (`delivered` and
 * `undelivered`: tried but not delivered yet, or given up) and those delivered within each delay bound. The
 * results writer adds to it in the transaction that records the attempts, only for scopes that have an SLA.
 */
export const sla: Migration = {
  version: 15,
  name: 'sla',
  statements() {
    return [
      `create table sla (
        id text primary key,
        app_id text not null references application (id) on delete cascade,
        endpoint_id text references endpoint (id) on delete cascade,
        scope text not null,
        name text not null,
        window_ms bigint not null,
        success_target double precision,
        delay_ms bigint,
        delay_target double precision,
        status text not null default 'ok',
        budget_remaining double precision,
        evaluation text,
        evaluated_at bigint,
        breached_at bigint,
        created_at bigint not null,
        updated_at bigint not null
      )`,
      `create index sla_app on sla (app_id)`,
      `create index sla_scope on sla (scope)`,
      `create index sla_status on sla (status, budget_remaining)`,
      `create table sla_rollup (
        scope text not null,
        minute bigint not null,
        delivered bigint not null default 0,
        undelivered bigint not null default 0,
        within_1s bigint not null default 0,
        within_5s bigint not null default 0,
        within_10s bigint not null default 0,
        within_30s bigint not null default 0,
        within_1m bigint not null default 0,
        within_5m bigint not null default 0,
        within_15m bigint not null default 0,
        within_1h bigint not null default 0,
        primary key (scope, minute)
      )`,
      `create index sla_rollup_minute on sla_rollup (minute)`,
    ];
  },
};
