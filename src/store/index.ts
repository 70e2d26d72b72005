/**
 * The store: the only place with SQL. One implementation on Kysely, with dialect differences declared as
 * capabilities in dialect.ts. `Store` is the contract: each noun's file declares its slice (`EndpointQueries`
 * in endpoints.ts, …) with the implementation that the compiler checks against it. Code outside the store
 * imports from this module only.
 */
import { sql } from 'kysely';
import { alertEmailQueries, type AlertEmailQueries } from './alert-emails.js';
import { apiKeyQueries, type ApiKeyQueries } from './api-keys.js';
import { applicationQueries, type ApplicationQueries } from './applications.js';
import { attemptQueries, type AttemptQueries } from './attempts.js';
import { auditQueries, type AuditQueries } from './audit.js';
import { backgroundTaskQueries, type BackgroundTaskQueries } from './background-tasks.js';
import { contentQueries, type ContentQueries } from './content.js';
import { deliveryQueries, type DeliveryQueries } from './deliveries.js';
import { deliveryCancelQueries, type DeliveryCancelQueries } from './delivery-cancel.js';
import { deliveryBatchQueries, type DeliveryBatchQueries } from './delivery-batches.js';
import { deliveryQueueQueries, type DeliveryQueueQueries } from './delivery-queue.js';
import { connect, type ConnectOptions, type DialectName, type DialectProfile } from './dialect.js';
import { endpointLimitQueries, type EndpointLimitQueries } from './endpoint-limits.js';
import { endpointRateQueries, type EndpointRateQueries } from './endpoint-rates.js';
import { endpointQueries, type EndpointQueries } from './endpoints.js';
import { eventTypeQueries, type EventTypeQueries } from './event-types.js';
import { idempotencyQueries, type IdempotencyQueries } from './idempotency.js';
import { messageQueries, type MessageQueries } from './messages.js';
import { messageFeedQueries, type MessageFeedQueries } from './message-feed.js';
import { migrate, type MigrationResult } from './migrator.js';
import { observabilityQueries, type ObservabilityQueries } from './observability.js';
import { pollerQueries, type PollerQueries } from './poller.js';
import { relayQueries, type RelayQueries } from './relay.js';
import { replayQueries, type ReplayQueries } from './replays.js';
import { serviceRunQueries, type ServiceRunQueries } from './service-runs.js';
import { slaQueries, type SlaQueries } from './slas.js';
import { statisticsQueries, type StatisticsQueries } from './statistics.js';
import { templateQueries, type TemplateQueries } from './templates.js';
import { usageQueries, type UsageQueries } from './usage.js';
import { transformationQueries, type TransformationQueries } from './transformations.js';
import { workerQueries, type WorkerQueries } from './workers.js';

export interface Store
  extends
    ApplicationQueries,
    EventTypeQueries,
    EndpointQueries,
    EndpointLimitQueries,
    EndpointRateQueries,
    EndpointLimitQueries,
    TemplateQueries,
    TransformationQueries,
    MessageQueries,
    MessageFeedQueries,
    PollerQueries,
    RelayQueries,
    DeliveryQueries,
    DeliveryCancelQueries,
    DeliveryQueueQueries,
    DeliveryBatchQueries,
    AttemptQueries,
    ContentQueries,
    ApiKeyQueries,
    AlertEmailQueries,
    IdempotencyQueries,
    AuditQueries,
    ServiceRunQueries,
    SlaQueries,
    StatisticsQueries,
    WorkerQueries,
    ObservabilityQueries,
    BackgroundTaskQueries,
    ReplayQueries,
    UsageQueries {
  /** Which database this is, for logs; code that must act differently asks `profile` what it can do. */
  readonly dialect: DialectName;
  /** What the database can do (several processes, row locks, concurrent writes, …). */
  readonly profile: DialectProfile;
  /**
   * Applies the migrations the database has not had yet, safely when several processes start at once; refuses a
   * database migrated by a newer Herald.
   */
  migrate(): Promise<MigrationResult>;
  /** Resolves when the database answers a query (readiness). */
  ping(): Promise<void>;
  /** Closes the connections, and SQLite's checkpoint thread if this store started one. */
  close(): Promise<void>;
}

export function openStore(options: ConnectOptions): Store {
  const connection = connect(options);
  return {
    dialect: connection.profile.name,
    profile: connection.profile,
    migrate: () => migrate(connection),
    async ping(): Promise<void> {
      await sql`select 1`.execute(connection.db);
    },
    close: () => connection.close(),
    ...applicationQueries(connection),
    ...eventTypeQueries(connection),
    ...endpointQueries(connection),
    ...endpointRateQueries(connection),
    ...endpointLimitQueries(connection),
    ...templateQueries(connection),
    ...transformationQueries(connection),
    ...messageQueries(connection),
    ...messageFeedQueries(connection),
    ...pollerQueries(connection),
    ...relayQueries(connection),
    ...deliveryQueries(connection),
    ...deliveryCancelQueries(connection),
    ...deliveryQueueQueries(connection),
    ...deliveryBatchQueries(connection),
    ...attemptQueries(connection),
    ...contentQueries(connection),
    ...apiKeyQueries(connection),
    ...alertEmailQueries(connection),
    ...idempotencyQueries(connection),
    ...auditQueries(connection),
    ...serviceRunQueries(connection),
    ...slaQueries(connection),
    ...statisticsQueries(connection),
    ...workerQueries(connection),
    ...observabilityQueries(connection),
    ...backgroundTaskQueries(connection),
    ...replayQueries(connection),
    ...usageQueries(connection),
  };
}

export * from './types.js';
export type { ConnectOptions, DialectName, DialectProfile } from './dialect.js';
export { isDatabaseBusy, isDatabaseUnavailable } from './dialect.js';
export type { StoreLogger } from './listener.js';
export type { MigrationResult } from './migrator.js';
export type { LiveWorker, WorkerInfo, WorkerTakeover } from './workers.js';
export type { BlockedSequence } from './sequences.js';
export type { PollerConsumer, PollerConsumerState, PollWindow } from './poller.js';
export { SLA_DELAY_BOUNDS_MS } from './slas.js';
export type {
  Sla,
  SlaCounts,
  SlaEvaluation,
  SlaInsert,
  SlaRollupBucket,
  SlaRollupDelta,
  SlaSettings,
  SlaStatus,
} from './slas.js';
export type { CircuitState, CircuitsReport, EndpointQueue } from './observability.js';
export type { RelayRequest, RelayState } from './relay.js';
export type { BackgroundTask, BackgroundTaskFilter, BackgroundTaskStatus } from './background-tasks.js';
export { ABANDONED_ERROR, TASK_HEARTBEAT_MS } from './background-tasks.js';
export type { MissingMessage, ReplayFilter } from './replays.js';
export type { EndpointSubscription } from './usage.js';
export type { Transformation, TransformationChanges } from './transformations.js';
export type { AttemptStatsRow } from './statistics.js';
export type { MessageFeedFilter, MessageFeedPage, MessageFeedQuery } from './message-feed.js';
export type { ClaimRequest, ClaimResult, DeliveryUpdate, QueueStats } from './delivery-queue.js';
export type { MoreClaim } from './delivery-batches.js';
export type {
  ApiKeyQueries,
  ApplicationQueries,
  AttemptQueries,
  AuditQueries,
  ContentQueries,
  DeliveryQueries,
  DeliveryQueueQueries,
  DeliveryBatchQueries,
  EndpointQueries,
  EndpointLimitQueries,
  EndpointRateQueries,
  EventTypeQueries,
  IdempotencyQueries,
  MessageQueries,
  RelayQueries,
  ServiceRunQueries,
  SlaQueries,
  TemplateQueries,
  TransformationQueries,
  WorkerQueries,
};
/** The migrations in order, for tests that check what a database recorded. */
export { MIGRATIONS } from './migrations/index.js';
/** SQLite's background checkpointer, exported for its own tests; `openStore` starts it when asked. */
export { startCheckpointer, type Checkpointer } from './checkpointer.js';
