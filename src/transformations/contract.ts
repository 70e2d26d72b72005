/**
 * Svix's transformation contract. The code declares `function handler(webhook)`; `webhook` has `method`
 * (`POST`), `url` (the endpoint's), `eventType`, `payload` (the body as JSON, or as text when a template makes
 * another format) and `headers` (empty: what the code puts there is added to the request). The handler returns
 * the webhook, with any of `method`, `url`, `payload` and `headers` changed, or with `cancel: true` so that
 * nothing is sent. Anything else it returns is an error, reported in the words below.
 */
import type { RunResult } from './sandbox.js';

export const METHODS = ['POST', 'PUT', 'PATCH'] as const;
export type TransformMethod = (typeof METHODS)[number];

/** What the handler is given. */
export interface WebhookIn {
  method: 'POST';
  url: string;
  eventType: string;
  payload: unknown;
  headers: Record<string, string>;
}

/** What the handler asked for: the request to send, or (`cancel`) nothing at all. */
export interface WebhookOut {
  cancel: boolean;
  method: TransformMethod;
  url: string;
  /** The body to send: the payload serialised as JSON, or the text as is for a body that is not JSON. */
  body: string;
  headers: Record<string, string>;
}

export type Transformed = ({ ok: true } & WebhookOut) | { ok: false; error: string };

/**
 * Headers Herald sets itself, which a transformation may not replace: the signature and what it covers, and the
 * framing of the request.
 */
const RESERVED_HEADER =
  /^(webhook|svix)-(id|timestamp|signature)$|^(content-length|content-encoding|host|transfer-encoding|connection)$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function headersOf(value: unknown): Record<string, string> | string {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) return 'headers must be an object of header names to string values';
  const out: Record<string, string> = {};
  for (const [name, header] of Object.entries(value)) {
    if (!HEADER_NAME.test(name)) return `headers: ${JSON.stringify(name)} is not a valid header name`;
    if (RESERVED_HEADER.test(name.toLowerCase()))
      return `headers: ${name} is set by Herald and cannot be changed by a transformation`;
    if (typeof header !== 'string' || !HEADER_VALUE.test(header))
      return `headers: the value of ${name} must be a string without line breaks`;
    out[name.toLowerCase()] = header;
  }
  return out;
}

/**
 * Reads a handler's result (`run`) for a webhook whose body was JSON (`json` true) or text. The URL must be
 * http(s); the SSRF guard still checks where it points when the request is sent.
 */
export function readResult(run: RunResult, json: boolean, originalUrl: string): Transformed {
  if (!run.ok) return run;
  let value: unknown;
  try {
    value = JSON.parse(run.json);
  } catch {
    return { ok: false, error: 'the handler must return the webhook object' };
  }
  if (!isObject(value)) return { ok: false, error: 'the handler must return the webhook object' };
  const { method = 'POST', url, payload, cancel = false } = value;
  if (typeof cancel !== 'boolean') return { ok: false, error: 'cancel must be true or false' };
  if (typeof method !== 'string' || !(METHODS as readonly string[]).includes(method.toUpperCase()))
    return { ok: false, error: `method must be one of ${METHODS.join(', ')}` };
  if (typeof url !== 'string') return { ok: false, error: 'url must be a string' };
  const headers = headersOf(value.headers);
  if (typeof headers === 'string') return { ok: false, error: headers };
  if (payload === undefined) return { ok: false, error: 'payload is missing from the returned webhook' };
  if (!json && typeof payload !== 'string')
    return { ok: false, error: "payload must stay a string: the endpoint's template does not make JSON" };
  const body = json ? JSON.stringify(payload) : (payload as string);
  const read = { ok: true as const, cancel, method: method.toUpperCase() as TransformMethod, body, headers };
  // The endpoint's own URL (which may be a relay endpoint's `relay:` address) is kept as it is.
  if (url === originalUrl) return { ...read, url };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, error: `url ${JSON.stringify(url.slice(0, 200))} is not a valid URL` };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return { ok: false, error: 'url must be an http or https URL' };
  return { ...read, url: parsed.href };
}

/** The webhook a handler is given for a body (`json` says whether it is JSON) going to `url`. */
export function webhookIn(url: string, eventType: string, body: string, json: boolean): WebhookIn {
  return { method: 'POST', url, eventType, payload: json ? JSON.parse(body) : body, headers: {} };
}
