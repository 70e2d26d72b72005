/**
 * What the delivery pipeline hands from part to part. A worker claims deliveries (`worker.ts`), loads each one's
 * message and endpoint into a job (`targets.ts`), waits for a slot at the endpoint (`slots.ts`, with leases kept
 * fresh by `leases.ts`), makes one attempt (`attempt.ts`) and applies what its outcome means (`consequences.ts`).
 */
import type { AttemptPrivacy } from './privacy.js';
import type { ShapeTarget, ShapingBatch } from '../templates/shaper.js';
import type { Batching, Delivery, HeaderStyle, Message, Ordering } from '../store/index.js';
import type { CompressionSetting } from './compression.js';
import type { HealthState } from './health.js';
import type { OutboundTarget } from './outbound.js';

/** An endpoint as the sender needs it, with its secrets and headers decrypted and its health kept current. */
export interface Target extends HealthState, OutboundTarget, ShapeTarget, CompressionSetting {
  appId: string;
  uid: string | null;
  url: string;
  updatedAt: number;
  /** The keys that sign: `whsec_` secrets for `v1`, `whsk_` Ed25519 keys for `v1a`. */
  secrets: string[];
  headers: Record<string, string>;
  timeoutMs: number;
  retrySchedule: readonly number[] | undefined;
  /** Messages per second at most, or null. */
  throttleRate: number | null;
  headerStyle: HeaderStyle;
  /** Send the attempt's trace context (`traceparent`) when tracing is on. */
  propagateTraceContext: boolean;
  /** Several messages per request, up to these limits; null for one message per request. */
  batching: Batching | null;
  ordering: Ordering;
  /** Whether the requests in flight follow the endpoint's response times (`adaptive-limit.ts`). */
  adaptiveThrottling: boolean;
  /** The transformation each request runs after its template, when one is enabled (docs/transformations.md). */
  transformation?: TargetTransformation | null;
}

/** An enabled transformation as a delivery runs it. */
export interface TargetTransformation {
  code: string;
  variables: Record<string, string> | null;
}

/** One claimed delivery, ready to send. */
export interface Job {
  delivery: Delivery;
  message: Message;
  target: Target;
  /** Templates and what they read, loaded once for the claimed batch the job came in. */
  shaping: ShapingBatch;
  /** What the attempt record may keep of the bodies: its application's privacy settings. */
  privacy: AttemptPrivacy;
  /** The delays before its retries: the endpoint's schedule, else its event type's; undefined for the default. */
  retrySchedule: readonly number[] | undefined;
  /**
   * At a batching endpoint, the deliveries sent in this one request (`batches.ts`), this job's first, each with
   * its element of the JSON array; undefined for a request of one message.
   */
  batch?: readonly BatchMember[];
}

/** One delivery of a batch, with its element of the body: its message as the endpoint receives it. */
export interface BatchMember {
  job: Job;
  element: string;
}

/** The deliveries a job sends: those of its batch, or itself alone. */
export function membersOf(job: Job): Job[] {
  return job.batch === undefined ? [job] : job.batch.map((member) => member.job);
}
