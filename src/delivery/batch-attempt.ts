/**
 * One request of a batch: several deliveries to a batching endpoint sent as one JSON array, signed once as a
 * webhook of its own (`webhook-id` a fresh `batch_…` id), each element carrying its message's id. Every delivery
 * in it gets its own attempt record (the same request, response, status and duration) and its own decision,
 * from its own attempts so far, so that retries, dead letters, resend and replay work per message.
 */
import { DeliveryStatus } from '../store/index.js';
import { shapesBody } from '../templates/shaper.js';
import { newId } from '../util/ids.js';
import { reportOf, sendSigned, shapeJob, type AttemptReport } from './attempt.js';
import type { Job } from './job.js';
import type { Outbound } from './outbound.js';
import { tracedBatch } from './tracing.js';

/** One delivery's attempt and what it came to, as `consequences.ts` applies it. */
export interface JobReport {
  job: Job;
  report: AttemptReport;
}

/**
 * The job's element of a batch body: its message's id, event type and time, and the body the endpoint would
 * get for it alone (the standard JSON, or a JSON template's output) as `payload`; null when it cannot go in a
 * batch (its content was deleted, its template fails or is not JSON, or its endpoint has a transformation), so
 * that it is attempted on its own, which records why without sending anything.
 */
export function batchElement(job: Job): string | null {
  // A transformation runs per request: such a delivery goes alone, which records why it cannot be sent.
  if (job.target.transformation) return null;
  const shaped = shapeJob(job);
  if (shaped === null || !shaped.ok) return null;
  const { message } = job;
  return (
    `{"id":${JSON.stringify(message.id)},"eventType":${JSON.stringify(message.eventType)},` +
    `"timestamp":${JSON.stringify(new Date(message.createdAt).toISOString())},"payload":${shaped.body}}`
  );
}

/** The body of a batch: its elements as one JSON array. */
export function batchBody(elements: readonly string[]): string {
  return `[${elements.join(',')}]`;
}

/** Sends the job's batch as one request (traced, when tracing is on), and reports each delivery in it. */
export function attemptBatch(job: Job, outbound: Outbound): Promise<JobReport[]> {
  const started = Date.now();
  const id = newId('batch', started);
  return tracedBatch(job, id, () => sendBatch(job, outbound, id, started));
}

async function sendBatch(job: Job, outbound: Outbound, id: string, started: number): Promise<JobReport[]> {
  const members = job.batch!;
  const sent = await sendSigned(job.target, outbound, {
    id,
    // A relay listener shows it; a batch may mix types.
    eventType: batchEventType(members.map(({ job: member }) => member.message.eventType)),
    timestamp: Math.floor(started / 1000),
    body: batchBody(members.map((member) => member.element)),
    contentType: 'application/json',
  });
  const ordered = job.target.ordering !== 'none';
  return members.map(({ job: member, element }, index) => {
    const report = reportOf(member, {
      started,
      sent,
      // Its own element, not the whole array: as for a single request, only when a template shaped it.
      requestBody: shapesBody(member.target) ? element : null,
      asked: true,
    });
    // An ordered batch is a run of one sequence: the messages behind its first wait for it again, and go with
    // it when it is retried (or after it, when it is given up).
    if (ordered && index > 0 && report.update.status === DeliveryStatus.Pending)
      report.update.nextAttemptAt = null;
    return { job: member, report };
  });
}

/** The event type a batch is shown with: its messages' one type, or how many types it mixes. */
function batchEventType(types: readonly string[]): string {
  const distinct = new Set(types);
  return distinct.size === 1 ? types[0]! : `batch of ${distinct.size} event types`;
}
