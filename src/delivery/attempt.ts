/**
 * One attempt of one delivery: shape the body as the endpoint receives it, sign it, send it, and decide what the
 * outcome means. Nothing here writes: the attempt returns its result (the delivery's next state and the attempt
 * record), the decision, and what it says of the endpoint's health, as data for `consequences.ts` to apply.
 */
import { isSensitiveHeader } from '../security/redact.js';
import { signatureHeader } from '../signing/signature.js';
import { DeliveryStatus, type Attempt, type DeliveryUpdate } from '../store/index.js';
import { CONTENT_TYPE_HEADERS } from '../templates/content-types.js';
import { describeProblems, problem } from '../templates/problems.js';
import type { Shaped } from '../templates/render.js';
import { shapesBody } from '../templates/shaper.js';
import { newId } from '../util/ids.js';
import { traceHeaders } from '../util/otel.js';
import { compressBody, type Compressed } from './compression.js';
import type { Job, Target } from './job.js';
import type { Outbound } from './outbound.js';
import { decide, type Decision } from './outcome.js';
import type { SendOutcome } from './sender.js';
import { transformJob } from './transform-step.js';

export const USER_AGENT = 'Herald-Webhooks/0.1 (+https://github.com/herald-webhooks/herald)';
const JSON_CONTENT_TYPE = CONTENT_TYPE_HEADERS.json;

/** What an attempt produced: what to record, what it decided, and what it says of the endpoint. */
export interface AttemptReport {
  update: DeliveryUpdate;
  attempt: Attempt;
  decision: Decision;
  outcome: SendOutcome;
  /** When the attempt finished (the response or error came). */
  finishedAt: number;
  /**
   * Whether the endpoint answered well (true), failed (false), or was never asked (null: the body could not be
   * rendered, which says nothing about the endpoint's health).
   */
  healthy: boolean | null;
  /** The body's encoding and sizes when it was sent compressed; null when it went plain. */
  compressed: (Pick<Compressed, 'encoding' | 'uncompressedBytes'> & { compressedBytes: number }) | null;
  /** The endpoint answered 415 to a compressed body: its next bodies go plain. */
  compressionRefused: boolean;
}

/** What sending one signed request came to. */
export interface Sent {
  outcome: SendOutcome;
  /** The headers that went with it (credentials included; redacted when recorded). */
  requestHeaders: Record<string, string>;
  compressed: Compressed | null;
}

/**
 * Signs `body` as the webhook `id` with the endpoint's keys, compresses it when the endpoint asks (after
 * signing: the signature covers the uncompressed body), and sends it.
 */
export async function sendSigned(
  target: Target,
  outbound: Outbound,
  request: {
    id: string;
    eventType: string;
    timestamp: number;
    body: string;
    contentType: string;
    method?: string;
  },
): Promise<Sent> {
  const { id, timestamp, body } = request;
  const prefix = target.headerStyle === 'svix' ? 'svix' : 'webhook';
  const headers: Record<string, string> = {
    ...target.headers,
    // The attempt's span as the receiver's parent, when the endpoint asks for it (and tracing is on).
    ...(target.propagateTraceContext && traceHeaders()),
    'content-type': request.contentType,
    'user-agent': USER_AGENT,
    [`${prefix}-id`]: id,
    [`${prefix}-timestamp`]: String(timestamp),
    [`${prefix}-signature`]: signatureHeader(target.secrets, id, timestamp, body),
  };
  const compressed = await compressBody(body, target);
  if (compressed !== null) {
    headers['content-encoding'] = compressed.encoding;
    // Sent anyway; set here so that the attempt log shows the size on the wire.
    headers['content-length'] = String(compressed.bytes.length);
  }
  const sent = await outbound.send(target, {
    msgId: id,
    eventType: request.eventType,
    headers,
    body,
    ...(compressed !== null && { wire: compressed.bytes }),
    ...(request.method !== undefined && { method: request.method }),
  });
  return { outcome: sent.outcome, requestHeaders: sent.headers, compressed };
}

/**
 * The body the job's endpoint receives for its message: templated, converted or the standard JSON; null when
 * the message content was deleted. A batching endpoint takes JSON bodies only, which go in its array.
 */
export function shapeJob({ message, target, shaping }: Job): Shaped | null {
  if (message.payload === null) return null;
  const shaped = shaping.shape(target, message, message.payload);
  if (!shaped.ok || target.batching === null || shaped.contentType === JSON_CONTENT_TYPE) return shaped;
  return {
    ok: false,
    problems: [
      problem(
        'binding',
        `the endpoint batches messages into a JSON array, but its template produces ${shaped.contentType}; ` +
          'give the template the json content type, or turn batching off',
      ),
    ],
  };
}

/** Makes one attempt of the job's delivery over `outbound` and reports it. */
export async function attempt(job: Job, outbound: Outbound): Promise<AttemptReport> {
  const started = Date.now();
  const shaped = shapeJob(job);
  const unsent = (outcome: SendOutcome): Sent => ({ outcome, requestHeaders: {}, compressed: null });
  if (shaped === null)
    return reportOf(job, {
      started,
      sent: unsent({
        kind: 'error',
        errorClass: 'network',
        detail: 'the message content was deleted',
        durationMs: 0,
      }),
      requestBody: null,
      asked: true,
    });
  if (!shaped.ok)
    // A template that cannot render never sends a broken body; no retry would render it differently. A template
    // error says nothing about the endpoint's health: nothing was sent to it.
    return reportOf(job, {
      started,
      sent: unsent({
        kind: 'error',
        errorClass: 'template_error',
        detail: describeProblems(shaped.problems),
        durationMs: Date.now() - started,
      }),
      requestBody: null,
      asked: false,
    });
  const request = await transformJob(job, shaped);
  if (!request.send)
    return reportOf(job, { started, sent: unsent(request.outcome), requestBody: null, asked: false });
  const sent = await sendSigned(request.target, outbound, {
    id: job.message.id,
    eventType: job.message.eventType,
    timestamp: Math.floor(started / 1000),
    body: request.body,
    contentType: shaped.contentType,
    ...(request.method !== undefined && { method: request.method }),
  });
  // The attempt shows the URL the request went to, which a transformation may have changed.
  return reportOf(request.changed ? { ...job, target: request.target } : job, {
    started,
    sent,
    // Stored only when a template, conversion or transformation changed the body; otherwise it is the payload.
    requestBody: request.changed || shapesBody(job.target) ? request.body : null,
    asked: true,
  });
}

/**
 * The report of one delivery's part in a request that was sent (or not: `asked` false): its decision, from its
 * own attempts so far, and what the request says of the endpoint.
 */
export function reportOf(
  job: Job,
  run: { started: number; sent: Sent; requestBody: string | null; asked: boolean },
): AttemptReport {
  const { delivery, message } = job;
  const { outcome, requestHeaders, compressed } = run.sent;
  const finished = Date.now();
  const attemptsMade = delivery.attemptCount + 1;
  const decision: Decision =
    message.payload === null
      ? { status: DeliveryStatus.Fail, nextAttemptAt: null, disableEndpoint: null }
      : decide(outcome, attemptsMade, finished, job.retrySchedule);
  return {
    ...record(
      job,
      { started: run.started, finished, outcome, decision, attemptCount: attemptsMade },
      requestHeaders,
      run.requestBody,
    ),
    decision,
    outcome,
    finishedAt: finished,
    healthy: run.asked ? decision.status === DeliveryStatus.Success : null,
    compressed:
      compressed === null
        ? null
        : {
            encoding: compressed.encoding,
            uncompressedBytes: compressed.uncompressedBytes,
            compressedBytes: compressed.bytes.length,
          },
    compressionRefused: compressed !== null && outcome.kind === 'response' && outcome.status === 415,
  };
}

/**
 * The record of an attempt cut off at shutdown: its request went out, but Herald stopped waiting for the answer
 * when the shutdown grace period ended. It uses up none of the delivery's retries, and the delivery is due again
 * at once, so the next worker to claim it (this process after a restart, or another one) sends it again. The
 * request's headers are not known here; the attempt shows none.
 */
export function cutOffAtShutdown(
  job: Job,
  started: number,
  now: number,
): Pick<AttemptReport, 'update' | 'attempt'> {
  const outcome: SendOutcome = {
    kind: 'error',
    errorClass: 'shutdown',
    detail: 'Herald shut down before the endpoint answered; the message will be sent again',
    durationMs: now - started,
  };
  const decision: Decision = { status: DeliveryStatus.Pending, nextAttemptAt: now, disableEndpoint: null };
  return record(
    job,
    { started, finished: now, outcome, decision, attemptCount: job.delivery.attemptCount },
    {},
    null,
  );
}

/** The delivery's next state and the attempt's log entry. */
function record(
  { delivery, target, privacy }: Job,
  run: { started: number; finished: number; outcome: SendOutcome; decision: Decision; attemptCount: number },
  requestHeaders: Record<string, string>,
  requestBody: string | null,
): Pick<AttemptReport, 'update' | 'attempt'> {
  const { started, finished, outcome, decision } = run;
  const succeeded = decision.status === DeliveryStatus.Success;
  // What is stored for display: response bodies only where the application keeps them, and both bodies with
  // the application's redaction rules applied. The endpoint received the real body.
  const shown = (body: string | null) =>
    body === null || privacy.redactor === null ? body : privacy.redactor.redactText(body);
  const responseBody =
    outcome.kind === 'response' && privacy.storeResponseBodies ? shown(outcome.body) : null;
  const update: DeliveryUpdate = {
    id: delivery.id,
    status: decision.status,
    attemptCount: run.attemptCount,
    nextAttemptAt: decision.nextAttemptAt,
    lastAttemptAt: finished,
  };
  // Only a delivery in a sequence (at an ordered endpoint) carries one; an unordered one's update is the above.
  if (delivery.seqKey !== null) update.sequence = { endpointId: delivery.endpointId, key: delivery.seqKey };
  return {
    update,
    attempt: {
      id: newId('attempt', started),
      appId: delivery.appId,
      msgId: delivery.msgId,
      endpointId: delivery.endpointId,
      deliveryId: delivery.id,
      url: target.url,
      status: succeeded ? DeliveryStatus.Success : DeliveryStatus.Fail,
      responseStatusCode: outcome.kind === 'response' ? outcome.status : 0,
      responseBody,
      responseHeaders: outcome.kind === 'response' ? outcome.headers : null,
      requestHeaders: redactHeaders(requestHeaders),
      requestBody: shown(requestBody),
      durationMs: outcome.durationMs,
      triggerType: delivery.triggerType,
      // A cancelled delivery succeeds with its reason: `cancelled`.
      errorClass: outcome.kind === 'error' ? outcome.errorClass : succeeded ? null : 'http_status',
      errorDetail: outcome.kind === 'error' ? outcome.detail : null,
      createdAt: started,
    },
  };
}

function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    out[name] = isSensitiveHeader(name) ? '[redacted]' : value;
  return out;
}
