import { columnTypes, type Migration } from './types.js';

export const initial: Migration = {
  version: 1,
  name: 'initial',
  statements(profile) {
    const { id } = columnTypes(profile);
    return [
      `create table application (
        id ${id} primary key,
        uid ${id} unique,
        name text not null,
        metadata text not null,
        throttle_rate integer,
        created_at bigint not null,
        updated_at bigint not null
      )`,
      `create table event_type (
        name ${id} primary key,
        description text not null,
        schemas text,
        archived integer not null default 0,
        deprecated integer not null default 0,
        feature_flag text,
        created_at bigint not null,
        updated_at bigint not null
      )`,
      `create table endpoint (
        id ${id} primary key,
        app_id ${id} not null references application (id) on delete cascade,
        uid ${id},
        url text not null,
        description text not null,
        disabled integer not null default 0,
        event_types text,
        channels text,
        metadata text not null,
        throttle_rate integer,
        headers_sealed text not null,
        secrets_sealed text not null,
        timeout_ms integer,
        retry_schedule text,
        header_style text not null default 'standard',
        disabled_reason text,
        failing_since bigint,
        circuit_open_until bigint,
        created_at bigint not null,
        updated_at bigint not null,
        unique (app_id, uid)
      )`,
      `create index endpoint_by_app on endpoint (app_id, id)`,
      `create table message (
        id ${id} primary key,
        app_id ${id} not null references application (id) on delete cascade,
        event_type text not null,
        event_id ${id},
        payload text,
        channels text,
        created_at bigint not null,
        unique (app_id, event_id)
      )`,
      `create index message_by_app on message (app_id, id)`,
      `create table delivery (
        id ${id} primary key,
        app_id ${id} not null,
        msg_id ${id} not null references message (id) on delete cascade,
        endpoint_id ${id} not null references endpoint (id) on delete cascade,
        status integer not null,
        attempt_count integer not null default 0,
        trigger_type integer not null default 0,
        next_attempt_at bigint,
        lease_expires_at bigint,
        leased_by text,
        last_attempt_at bigint,
        created_at bigint not null,
        updated_at bigint not null,
        unique (msg_id, endpoint_id)
      )`,
      // The global due order (queue depth, oldest due) and each endpoint's due order (fair claiming).
      `create index delivery_due on delivery (next_attempt_at) where status = 1`,
      `create index delivery_due_by_endpoint on delivery (endpoint_id, next_attempt_at) where status = 1`,
      `create index delivery_by_endpoint on delivery (endpoint_id, id)`,
      `create table attempt (
        id ${id} primary key,
        app_id ${id} not null,
        msg_id ${id} not null references message (id) on delete cascade,
        endpoint_id ${id} not null references endpoint (id) on delete cascade,
        delivery_id ${id} not null,
        url text not null,
        status integer not null,
        response_status_code integer not null,
        response_body text,
        response_headers text,
        request_headers text,
        duration_ms integer not null,
        trigger_type integer not null,
        error_class text,
        error_detail text,
        created_at bigint not null
      )`,
      // Token buckets for endpoints' throttleRate, shared by every worker.
      `create table endpoint_rate (
        endpoint_id ${id} primary key references endpoint (id) on delete cascade,
        tokens double precision not null,
        updated_at bigint not null
      )`,
      `create index attempt_by_msg on attempt (msg_id, id)`,
      `create index attempt_by_endpoint on attempt (endpoint_id, id)`,
      `create index attempt_by_app on attempt (app_id, id)`,
      `create table api_key (
        id ${id} primary key,
        name text not null,
        app_id ${id} references application (id) on delete cascade,
        token_hash text not null unique,
        token_prefix text not null,
        created_at bigint not null,
        expires_at bigint,
        revoked_at bigint
      )`,
      `create table idempotency_key (
        scope text not null,
        key text not null,
        request_hash text not null,
        status_code integer,
        response text,
        created_at bigint not null,
        expires_at bigint not null,
        primary key (scope, key)
      )`,
      `create index idempotency_key_expiry on idempotency_key (expires_at)`,
      `create table audit_log (
        id ${id} primary key,
        created_at bigint not null,
        actor text not null,
        ip text,
        action text not null,
        target_type text,
        target_id text,
        app_id ${id},
        before text,
        after text
      )`,
      `create index audit_log_by_app on audit_log (app_id, id)`,
    ];
  },
};
