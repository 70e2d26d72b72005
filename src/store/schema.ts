/**
 * Table shapes as Kysely sees them. Both dialects store the same values: times as integer milliseconds,
 * flags as 0/1 integers and JSON as text, so row mapping is shared and no dialect leaks past the store.
 */
import type { ColumnType } from 'kysely';

export interface ApplicationTable {
  id: string;
  uid: string | null;
  name: string;
  metadata: string;
  throttle_rate: number | null;
  allowed_destination_cidrs: string | null;
  payload_retention_hours: ColumnType<number | null, number | null | undefined, number | null>;
  store_response_bodies: ColumnType<number, number | undefined, number>;
  /** A JSON array of redaction rules, or null. */
  redaction_rules: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: number;
  updated_at: number;
}

export interface EventTypeTable {
  name: string;
  description: string;
  schemas: string | null;
  archived: number;
  deprecated: number;
  deprecated_versions: string | null;
  /** JSON array of delays (ms) before each retry of a message of this type; null: the endpoint's or default. */
  retry_schedule: ColumnType<string | null, string | null | undefined, string | null>;
  group_name: ColumnType<string | null, string | null | undefined, string | null>;
  /** JSON array of the flags that show the event type to application keys carrying one of them; null: none. */
  feature_flags: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: number;
  updated_at: number;
}

export interface EndpointTable {
  id: string;
  app_id: string;
  uid: string | null;
  url: string;
  description: string;
  disabled: number;
  event_types: string | null;
  channels: string | null;
  metadata: string;
  throttle_rate: number | null;
  headers_sealed: string;
  secrets_sealed: string;
  timeout_ms: number | null;
  retry_schedule: string | null;
  header_style: string;
  disabled_reason: string | null;
  failing_since: number | null;
  circuit_open_until: number | null;
  signature_versions: string | null;
  signing_keys_sealed: string | null;
  auth_sealed: string | null;
  allowed_destination_cidrs: string | null;
  template_id: string | null;
  template_version: number | null;
  payload_version: string | null;
  conversion: string;
  content_filter: string | null;
  compression: string;
  compression_threshold: number | null;
  compression_refused_at: number | null;
  ordering: ColumnType<string, string | undefined, string>;
  ordering_after_give_up: ColumnType<string, string | undefined, string>;
  /** 1: deliveries carry the message's trace context in a `traceparent` header. */
  propagate_trace_context: ColumnType<number, number | undefined, number>;
  /** JSON of the endpoint's batching settings; null sends one message per request. */
  batching: ColumnType<string | null, string | null | undefined, string | null>;
  adaptive_throttling: ColumnType<number, number | undefined, number>;
  /** Svix's deprecated endpoint version, stored as set. */
  version: number;
  /** When the endpoint was deleted; null while it exists. A deleted endpoint is only read as a destination. */
  deleted_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface TemplateTable {
  id: string;
  name: string;
  description: string;
  latest_version: number;
  created_at: number;
  updated_at: number;
}

export interface TemplateVersionTable {
  template_id: string;
  version: number;
  content_type: string;
  body: string;
  event_type: string | null;
  payload_version: string | null;
  created_at: number;
}

export interface MessageTable {
  id: string;
  app_id: string;
  event_type: string;
  event_id: string | null;
  payload: string | null;
  channels: string | null;
  ordering_key: string | null;
  /** When the payload is removed (once no delivery of the message is pending); null: only the server's retention. */
  payload_expires_at: ColumnType<number | null, number | null | undefined, number | null>;
  /** The trace context of the write that stored the message (JSON); null when tracing was off. */
  trace_context: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: number;
}

export interface DeliveryTable {
  id: string;
  app_id: string;
  msg_id: string;
  endpoint_id: string;
  status: number;
  attempt_count: number;
  trigger_type: number;
  next_attempt_at: number | null;
  lease_expires_at: number | null;
  leased_by: string | null;
  last_attempt_at: number | null;
  /** The delivery's sequence on an ordered endpoint (the ordering key, or '' for the whole endpoint); null if unordered. */
  seq_key: string | null;
  /** Its place in the sequence. */
  seq: number | null;
  /** 1 while this given-up delivery holds its sequence (the endpoint blocks after a give-up). */
  blocking: ColumnType<number, number | undefined, number>;
  created_at: number;
  updated_at: number;
}

export interface DeliverySequenceTable {
  endpoint_id: string;
  seq_key: string;
  last_seq: number;
}

export interface AttemptTable {
  id: string;
  app_id: string;
  msg_id: string;
  endpoint_id: string;
  delivery_id: string;
  url: string;
  status: number;
  response_status_code: number;
  response_body: string | null;
  response_headers: string | null;
  request_headers: string | null;
  request_body: string | null;
  duration_ms: number;
  trigger_type: number;
  error_class: string | null;
  error_detail: string | null;
  created_at: number;
}

export interface ApiKeyTable {
  id: string;
  name: string;
  app_id: string | null;
  token_hash: string;
  token_prefix: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  allowed_client_cidrs: string | null;
  rate_limit: number | null;
  /** JSON array of feature flag names, or null for none. */
  feature_flags: string | null;
  kind: ColumnType<string, string | undefined, string>;
  endpoint_id: ColumnType<string | null, string | null | undefined, string | null>;
  session_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ApplicationAlertEmailTable {
  app_id: string;
  /** Svix's comma-separated list, as given. */
  emails: string;
  updated_at: number;
}

export interface IdempotencyKeyTable {
  scope: string;
  key: string;
  request_hash: string;
  status_code: number | null;
  response: string | null;
  created_at: number;
  expires_at: number;
}

export interface AuditLogTable {
  id: string;
  created_at: number;
  actor: string;
  ip: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  app_id: string | null;
  before: string | null;
  after: string | null;
}

export interface EndpointRateTable {
  endpoint_id: string;
  tokens: number;
  updated_at: number;
}

export interface ApplicationRateTable {
  app_id: string;
  tokens: number;
  updated_at: number;
}

export interface MigrationTable {
  version: number;
  name: string;
  applied_at: number;
}

export interface ServiceRunTable {
  name: string;
  holder: string;
  last_run_at: number;
}

export interface WorkerTable {
  id: string;
  host: string;
  pid: number;
  started_at: number;
  heartbeat_at: number;
}

export interface PollerConsumerTable {
  endpoint_id: string;
  consumer_id: string;
  position: string;
  next_offset: ColumnType<number, number | undefined, number>;
  leased: string | null;
  lease_end: string | null;
  lease_until: number | null;
  revision: ColumnType<number, number | undefined, number>;
  updated_at: number;
}

export interface SlaTable {
  id: string;
  app_id: string;
  endpoint_id: string | null;
  scope: string;
  name: string;
  window_ms: number;
  success_target: number | null;
  delay_ms: number | null;
  delay_target: number | null;
  status: ColumnType<string, string | undefined, string>;
  budget_remaining: ColumnType<number | null, number | null | undefined, number | null>;
  /** The last evaluation's figures as JSON, or null before the first. */
  evaluation: ColumnType<string | null, string | null | undefined, string | null>;
  evaluated_at: ColumnType<number | null, number | null | undefined, number | null>;
  breached_at: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: number;
  updated_at: number;
}

export interface SlaRollupTable {
  scope: string;
  minute: number;
  delivered: number;
  undelivered: number;
  within_1s: number;
  within_5s: number;
  within_10s: number;
  within_30s: number;
  within_1m: number;
  within_5m: number;
  within_15m: number;
  within_1h: number;
}

export interface RelayRequestTable {
  id: string;
  endpoint_id: string;
  /** JSON: the relayed request (see store/relay.ts). */
  request: string;
  taken_at: number | null;
  /** JSON: the listener's answer, once it came. */
  answer: string | null;
  created_at: number;
  expires_at: number;
}

/** What a worker reports of its adaptive limit for an endpoint, one row per minute. */
export interface EndpointLimitTable {
  endpoint_id: string;
  worker_id: string;
  minute: number;
  limit_last: number;
  limit_low: number;
  limit_high: number;
  ceiling: number;
  reason: string;
  updated_at: number;
}

/** A background task (`qtask_…`); see migration 0018. */
export interface BackgroundTaskTable {
  id: string;
  app_id: string | null;
  task: string;
  status: string;
  params: string;
  data: string;
  holder: string | null;
  heartbeat_at: number | null;
  created_at: number;
  updated_at: number;
}

/** An endpoint's transformation: its code, whether it runs, and Svix's variables (a JSON object, or null). */
export interface EndpointTransformationTable {
  endpoint_id: string;
  code: string | null;
  enabled: number;
  variables: string | null;
  updated_at: number;
}

export interface Database {
  application: ApplicationTable;
  event_type: EventTypeTable;
  endpoint: EndpointTable;
  template: TemplateTable;
  template_version: TemplateVersionTable;
  message: MessageTable;
  delivery: DeliveryTable;
  endpoint_rate: EndpointRateTable;
  application_rate: ApplicationRateTable;
  attempt: AttemptTable;
  api_key: ApiKeyTable;
  application_alert_email: ApplicationAlertEmailTable;
  idempotency_key: IdempotencyKeyTable;
  audit_log: AuditLogTable;
  herald_migration: MigrationTable;
  herald_service_run: ServiceRunTable;
  herald_worker: WorkerTable;
  delivery_sequence: DeliverySequenceTable;
  poller_consumer: PollerConsumerTable;
  sla: SlaTable;
  sla_rollup: SlaRollupTable;
  relay_request: RelayRequestTable;
  endpoint_limit: EndpointLimitTable;
  background_task: BackgroundTaskTable;
  endpoint_transformation: EndpointTransformationTable;
}
