/**
 * One attempt of one delivery: shape the body as the endpoint receives it, sign it, send it, and decide what the
 * outcome means. Nothing here writes: the attempt returns its result (the delivery's next state and the attempt
 * record), the decision, and what it says of the endpoint's health, as data for `consequences.ts` to apply.
 */
import { isSensitiveHeader } from '../security/redact.js';
import { signatureHeader } from '../signing/signature.js';
import { DeliveryStatus, type Attempt, type DeliveryUpdate } from '../store/index.js';
import { describeProblems } from '../templates/problems.js';
import { shapesBody } from '../templates/shaper.js';
import { newId } from '../util/ids.js';
import { traceHeaders } from '../util/otel.js';
import { compressBody, type Compressed } from './compression.js';
import type { Job } from './job.js';
import type { Outbound } from './outbound.js';
import { decide, type Decision } from './outcome.js';
import type { SendOutcome } from './sender.js';

export const USER_AGENT = 'Herald-Webhooks/0.1 (+https://github.com/herald-webhooks/herald)';

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

/** Makes one attempt of the job's delivery over `outbound` and reports it. */
export async function attempt(job: Job, outbound: Outbound): Promise<AttemptReport> {
  const { delivery, message, target, shaping } = job;
  const started = Date.now();
  const timestamp = Math.floor(started / 1000);
  let outcome: SendOutcome;
  let requestHeaders: Record<string, string> = {};
  let compressed: Compressed | null = null;
  // The body as this endpoint receives it: templated, converted or the standard JSON. It is what gets signed.
  const shaped = message.payload === null ? null : shaping.shape(target, message, message.payload);
  if (shaped === null) {
    outcome = {
      kind: 'error',
      errorClass: 'network',
      detail: 'the message content was deleted',
      durationMs: 0,
    };
  } else if (!shaped.ok) {
    // A template that cannot render never sends a broken body; no retry would render it differently.
    outcome = {
      kind: 'error',
      errorClass: 'template_error',
      detail: describeProblems(shaped.problems),
      durationMs: Date.now() - started,
    };
  } else {
    const body = shaped.body;
    const prefix = target.headerStyle === 'svix' ? 'svix' : 'webhook';
    requestHeaders = {
      ...target.headers,
      // The attempt's span as the receiver's parent, when the endpoint asks for it (and tracing is on).
      ...(target.propagateTraceContext && traceHeaders()),
      'content-type': shaped.contentType,
      'user-agent': USER_AGENT,
      [`${prefix}-id`]: message.id,
      [`${prefix}-timestamp`]: String(timestamp),
      [`${prefix}-signature`]: signatureHeader(target.secrets, message.id, timestamp, body),
    };
    // Signed above over the body as it is; compressed after, so the signature covers the uncompressed body.
    compressed = await compressBody(body, target);
    if (compressed !== null) {
      requestHeaders['content-encoding'] = compressed.encoding;
      // Sent anyway; set here so that the attempt log shows the size on the wire.
      requestHeaders['content-length'] = String(compressed.bytes.length);
    }
    ({ outcome, headers: requestHeaders } = await outbound.send(target, {
      msgId: message.id,
      headers: requestHeaders,
      body,
      ...(compressed !== null && { wire: compressed.bytes }),
    }));
  }
  const finished = Date.now();
  const attemptsMade = delivery.attemptCount + 1;
  const decision: Decision =
    message.payload === null
      ? { status: DeliveryStatus.Fail, nextAttemptAt: null, disableEndpoint: null }
      : decide(outcome, attemptsMade, finished, target.retrySchedule);
  return {
    ...record(
      job,
      { started, finished, outcome, decision, attemptCount: attemptsMade },
      requestHeaders,
      // Stored only when a template or conversion changed the body; otherwise it is the message payload.
      shaped?.ok === true && shapesBody(target) ? shaped.body : null,
    ),
    decision,
    outcome,
    finishedAt: finished,
    // A template error says nothing about the endpoint's health: nothing was sent to it.
    healthy: shaped?.ok === false ? null : decision.status === DeliveryStatus.Success,
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
  return {
    update: {
      id: delivery.id,
      status: decision.status,
      attemptCount: run.attemptCount,
      nextAttemptAt: decision.nextAttemptAt,
      lastAttemptAt: finished,
      ...(delivery.seqKey !== null && {
        sequence: { endpointId: delivery.endpointId, key: delivery.seqKey },
      }),
    },
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
      errorClass: succeeded ? null : outcome.kind === 'response' ? 'http_status' : outcome.errorClass,
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
