import { initial } from './0001_initial.js';
import { templates } from './0002_templates.js';
import { security } from './0003_security.js';
import { attemptRequestBody } from './0004_attempt_request_body.js';
import { serviceRuns } from './0005_service_runs.js';
import { workerHeartbeats } from './0006_worker_heartbeats.js';
import { filtersCompression } from './0007_filters_compression.js';
import { svixCompat } from './0008_svix_compat.js';
import { ordering } from './0009_ordering.js';
import { privacy } from './0010_privacy.js';
import { pollerConsumers } from './0011_poller_consumers.js';
import { batching } from './0012_batching.js';
import { adaptiveThrottling } from './0013_adaptive_throttling.js';
import { relayRequests } from './0014_relay_requests.js';
import { sla } from './0015_sla.js';
import { traceContext } from './0017_trace_context.js';
import { backgroundTasks } from './0018_background_tasks.js';
import { transformations } from './0019_transformations.js';
import { scopedTokens } from './0021_scoped_tokens.js';
import { eventTypeSettings } from './0022_event_type_settings.js';
import { applicationRate } from './0023_application_rate.js';
import type { Migration } from './types.js';

/** Every migration in order. Append only: a released migration is never edited or renumbered. */
export const MIGRATIONS: readonly Migration[] = [
  initial,
  templates,
  security,
  attemptRequestBody,
  serviceRuns,
  workerHeartbeats,
  filtersCompression,
  svixCompat,
  ordering,
  privacy,
  pollerConsumers,
  batching,
  adaptiveThrottling,
  relayRequests,
  sla,
  traceContext,
  backgroundTasks,
  transformations,
  scopedTokens,
  eventTypeSettings,
  applicationRate,
];
