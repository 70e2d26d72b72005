/**
 * The sender: one HTTP POST to an endpoint, with pooled keep-alive connections (undici). The SSRF guard runs
 * on every connection: the host name is resolved here, every resolved address is checked, and the socket
 * connects to the address that was checked, so DNS rebinding cannot slip a private address past the check.
 * Redirects are never followed. The response body is read only up to a bound. Outcomes are data, not
 * exceptions: a failed request returns its error class.
 */
import dns from 'node:dns';
import type { LookupAddress } from 'node:dns';
import { Agent, errors as undiciErrors } from 'undici';
import { blockedHostReason, blockedReason, type Cidr } from '../security/ssrf.js';

export const MAX_RESPONSE_BODY_BYTES = 16 * 1024;

export type ErrorClass =
  'ssrf_blocked' | 'dns' | 'connect' | 'connection_reset' | 'tls' | 'timeout' | 'invalid_url' | 'network';

export interface SendRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export type SendOutcome =
  | {
      kind: 'response';
      status: number;
      headers: Record<string, string>;
      body: string;
      durationMs: number;
    }
  | { kind: 'error'; errorClass: ErrorClass; detail: string; durationMs: number };

class SsrfBlocked extends Error {
  readonly code = 'ESSRF';
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** A `lookup` for net.connect that drops blocked addresses, and fails when nothing is left. */
export function guardedLookup(allow: readonly Cidr[]) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const allowed = addresses.filter((entry) => blockedReason(entry.address, allow) === null);
      if (allowed.length === 0) {
        const reason = blockedReason(addresses[0]?.address ?? '', allow) ?? 'no address';
        return callback(new SsrfBlocked(`${hostname} resolves to a blocked address (${reason})`), []);
      }
      if (options.all) return callback(null, allowed);
      return callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}

function classify(error: unknown): { errorClass: ErrorClass; detail: string } {
  const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const cause = err.cause ?? err;
  const code = cause.code ?? err.code ?? '';
  const detail = cause.message || err.message || String(error);
  if (err instanceof SsrfBlocked || cause instanceof SsrfBlocked)
    return { errorClass: 'ssrf_blocked', detail };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA')
    return { errorClass: 'dns', detail };
  if (
    err.name === 'TimeoutError' ||
    err.name === 'AbortError' ||
    err instanceof undiciErrors.HeadersTimeoutError ||
    err instanceof undiciErrors.BodyTimeoutError ||
    err instanceof undiciErrors.ConnectTimeoutError ||
    code === 'ETIMEDOUT'
  )
    return { errorClass: 'timeout', detail: 'the endpoint did not answer in time' };
  if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/.test(code))
    return { errorClass: 'tls', detail };
  if (code === 'ECONNRESET' || code === 'EPIPE' || err instanceof undiciErrors.SocketError)
    return { errorClass: 'connection_reset', detail };
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return { errorClass: 'connect', detail };
  return { errorClass: 'network', detail };
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

export class Sender {
  readonly #agent: Agent;
  readonly #allow: readonly Cidr[];

  constructor(options: { ssrfAllow: readonly Cidr[]; connections?: number }) {
    this.#allow = options.ssrfAllow;
    this.#agent = new Agent({
      connections: options.connections ?? 64,
      keepAliveTimeout: 30_000,
      connect: { lookup: guardedLookup(options.ssrfAllow) as never },
    });
  }

  async send(request: SendRequest): Promise<SendOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return {
        kind: 'error',
        errorClass: 'invalid_url',
        detail: 'the endpoint URL does not parse',
        durationMs: 0,
      };
    }
    // Literal addresses skip DNS, so the lookup guard never sees them: check them here.
    const blocked = blockedHostReason(url.hostname, this.#allow);
    if (blocked !== null)
      return {
        kind: 'error',
        errorClass: 'ssrf_blocked',
        detail: `${url.hostname} is blocked (${blocked})`,
        durationMs: 0,
      };
    try {
      const response = await this.#agent.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: 'POST',
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(request.timeoutMs),
        headersTimeout: request.timeoutMs,
        bodyTimeout: request.timeoutMs,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        const buffer = chunk as Buffer;
        chunks.push(buffer);
        size += buffer.length;
        if (size >= MAX_RESPONSE_BODY_BYTES) {
          response.body.destroy();
          break;
        }
      }
      const body = Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BODY_BYTES).toString('utf8');
      return {
        kind: 'response',
        status: response.statusCode,
        headers: flatHeaders(response.headers),
        body,
        durationMs: elapsed(),
      };
    } catch (error) {
      return { kind: 'error', ...classify(error), durationMs: elapsed() };
    }
  }

  async close(): Promise<void> {
    // Requests still running at shutdown are abandoned; their leases bring them back to another worker.
    await this.#agent.destroy();
  }
}
