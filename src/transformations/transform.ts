/**
 * Running an endpoint's transformation on one request: the webhook the handler is given, the run in the
 * process's sandbox, and the result read back. The delivery path and the API's simulate both come here, so a
 * simulation answers exactly what a delivery would do.
 */
import { readResult, webhookIn, type Transformed } from './contract.js';
import { Sandbox } from './sandbox.js';

let shared: Sandbox | null = null;

/** The process's sandbox, made on first use (QuickJS itself loads on the first run). */
export function sandbox(): Sandbox {
  shared ??= new Sandbox();
  return shared;
}

/** The request a transformation is run on: where it goes and its body (JSON, or text of another type). */
export interface TransformRequest {
  url: string;
  eventType: string;
  body: string;
  json: boolean;
}

/** Runs `code` on `request`, with the transformation's variables; the request to send, a cancel, or the error. */
export async function transform(
  code: string,
  variables: Record<string, string> | null,
  request: TransformRequest,
): Promise<Transformed> {
  const input = {
    ...webhookIn(request.url, request.eventType, request.body, request.json),
    variables: variables ?? {},
  };
  return readResult(await sandbox().run(code, input), request.json, request.url);
}
