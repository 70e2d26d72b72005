/**
 * The transformation step of an attempt (docs/transformations.md): after the template has shaped the body, the
 * endpoint's transformation may change the body, method, URL and headers, or cancel the delivery. What it asks
 * for is sent like any request: signed over the new body, through the SSRF guard and IP restrictions for the new
 * URL. Code that fails is the attempt's `transformation_error`, like a template error: nothing is sent.
 */
import { CONTENT_TYPE_HEADERS } from '../templates/content-types.js';
import { transform } from '../transformations/transform.js';
import type { Job, Target } from './job.js';
import type { SendOutcome } from './sender.js';

/** The request to send after the transformation, or the outcome of one that is not sent. */
export type Transformed =
  | { send: true; target: Target; body: string; method?: string; changed: boolean }
  | { send: false; outcome: SendOutcome };

/** Runs the job's transformation, if its endpoint has one, on the body its template shaped. */
export async function transformJob(
  { target, message }: Job,
  shaped: { body: string; contentType: string },
): Promise<Transformed> {
  const code = target.transformation?.code;
  if (code === undefined) return { send: true, target, body: shaped.body, changed: false };
  const started = Date.now();
  const unsent = (errorClass: 'transformation_error' | 'cancelled', detail: string): Transformed => ({
    send: false,
    outcome: { kind: 'error', errorClass, detail, durationMs: Date.now() - started },
  });
  // Refused by the API; here only if batching and the transformation were turned on at the same moment.
  if (target.batching !== null)
    return unsent(
      'transformation_error',
      'the endpoint batches messages and a transformation runs per message: turn one of them off',
    );
  const result = await transform(code, target.transformation!.variables, {
    url: target.url,
    eventType: message.eventType,
    body: shaped.body,
    json: shaped.contentType === CONTENT_TYPE_HEADERS.json,
  });
  if (!result.ok) return unsent('transformation_error', result.error);
  if (result.cancel) return unsent('cancelled', "the endpoint's transformation cancelled this delivery");
  const headers = { ...target.headers };
  for (const name of Object.keys(headers)) if (name.toLowerCase() in result.headers) delete headers[name];
  return {
    send: true,
    target: { ...target, url: result.url, headers: { ...headers, ...result.headers } },
    body: result.body,
    ...(result.method !== 'POST' && { method: result.method }),
    changed: true,
  };
}
