/**
 * Reading a saved webhook request for `herald verify`: its headers and the exact bytes of its body. Three forms:
 *
 * - a raw HTTP request, as a proxy, `nc -l` or a request bin saves it: an optional request line
 *   (`POST /webhooks HTTP/1.1`), `Name: value` header lines, an empty line, then the body (CRLF or LF);
 * - a JSON document `{"headers": {...}, "body": "<the body as text>"}` (or `"bodyBase64"` for bytes);
 * - headers and body in two files (`--headers-file`, `--body-file`), the headers as `Name: value` lines or a
 *   JSON object.
 */
export interface SavedRequest {
  headers: Record<string, string>;
  body: Buffer;
}

/** Thrown for input that cannot be read as a request; its message says what to fix. */
export class SavedRequestError extends Error {}

const REQUEST_LINE = /^[A-Z]+ \S+ HTTP\/\d(\.\d)?$/;
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/;

/** `Name: value` lines (an optional request line first) into a lower-cased header map. */
export function parseHeaderLines(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    if (line === '' || (index === 0 && REQUEST_LINE.test(line))) return;
    const match = HEADER_LINE.exec(line);
    if (match === null)
      throw new SavedRequestError(
        `line ${index + 1} is not a header ("Name: value"): ${JSON.stringify(line)}`,
      );
    const name = match[1]!.toLowerCase();
    // A repeated header is one value per RFC 9110, joined with commas; webhook-signature is space separated.
    headers[name] =
      name in headers ? `${headers[name]}${name === 'webhook-signature' ? ' ' : ', '}${match[2]}` : match[2]!;
  });
  return headers;
}

function headersFromJson(value: unknown, where: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new SavedRequestError(`${where} must be an object of header names to values`);
  const headers: Record<string, string> = {};
  for (const [name, entry] of Object.entries(value)) {
    const values = Array.isArray(entry) ? entry : [entry];
    if (!values.every((one) => typeof one === 'string' || typeof one === 'number'))
      throw new SavedRequestError(`${where}.${name} must be a string`);
    headers[name.toLowerCase()] = values.join(name.toLowerCase() === 'webhook-signature' ? ' ' : ', ');
  }
  return headers;
}

/** A headers file: a JSON object, or `Name: value` lines. */
export function parseHeadersFile(bytes: Buffer): Record<string, string> {
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trimStart().startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new SavedRequestError(`the headers file is not valid JSON: ${(error as Error).message}`);
    }
    return headersFromJson(value, 'the headers file');
  }
  return parseHeaderLines(text);
}

function fromJsonDocument(text: string): SavedRequest {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new SavedRequestError(
      `the request file starts with "{" but is not valid JSON: ${(error as Error).message}`,
    );
  }
  if (typeof document !== 'object' || document === null || !('headers' in document))
    throw new SavedRequestError('a JSON request file is {"headers": {...}, "body": "..."}');
  const { headers, body, bodyBase64 } = document as {
    headers: unknown;
    body?: unknown;
    bodyBase64?: unknown;
  };
  if (typeof bodyBase64 === 'string')
    return { headers: headersFromJson(headers, 'headers'), body: Buffer.from(bodyBase64, 'base64') };
  if (typeof body !== 'string')
    throw new SavedRequestError(
      '"body" must be the body exactly as received, as a string (or "bodyBase64"): a parsed JSON value would be ' +
        'serialised again, and its bytes may differ from the signed ones',
    );
  return { headers: headersFromJson(headers, 'headers'), body: Buffer.from(body, 'utf8') };
}

function fromHttpDump(bytes: Buffer): SavedRequest {
  const crlf = bytes.indexOf('\r\n\r\n');
  const lf = bytes.indexOf('\n\n');
  const [end, gap] = crlf >= 0 && (lf < 0 || crlf < lf) ? [crlf, 4] : lf >= 0 ? [lf, 2] : [bytes.length, 0];
  const headers = parseHeaderLines(bytes.subarray(0, end).toString('latin1'));
  let body = bytes.subarray(Math.min(end + gap, bytes.length));
  if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? ''))
    throw new SavedRequestError(
      'the saved body is chunked (Transfer-Encoding: chunked); save the decoded body and pass it with --body-file',
    );
  const length = headers['content-length'];
  if (length !== undefined && /^\d+$/.test(length)) {
    const expected = Number(length);
    if (body.length < expected)
      throw new SavedRequestError(
        `the body is ${body.length} bytes but Content-Length says ${expected}: the file is cut short`,
      );
    body = body.subarray(0, expected);
  }
  return { headers, body };
}

/** A request file: a JSON document when it starts with `{`, a raw HTTP request otherwise. */
export function parseSavedRequest(bytes: Buffer): SavedRequest {
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trimStart().startsWith('{')) return fromJsonDocument(text);
  if (text.trim() === '') throw new SavedRequestError('the request is empty');
  return fromHttpDump(bytes);
}
