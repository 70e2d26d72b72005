/**
 * The sender: one HTTP POST to an endpoint, with pooled keep-alive connections (undici). The SSRF guard runs
 * on every connection: the host name is resolved here, every resolved address is checked, and the socket
 * connects to the address that was checked, so DNS rebinding cannot slip a private address past the check.
 * Redirects are never followed. The response body is read only up to a bound. Outcomes are data, not
 * exceptions: a failed request returns its error class.
 */
import dns from 'node:dns';
import type { LookupAddress } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { Agent, errors as undiciErrors } from 'undici';
import { blockedHostReason, blockedReason } from '../security/ssrf.js';
import { formatCidr, inCidrList, type Cidr } from '../util/cidr.js';

export const MAX_RESPONSE_BODY_BYTES = 16 * 1024;

export type ErrorClass =
  | 'ssrf_blocked'
  | 'ip_restricted'
  | 'dns'
  | 'connect'
  | 'connection_reset'
  | 'tls'
  | 'timeout'
  | 'invalid_url'
  /** Set by the worker, not the sender: the body could not be rendered, so nothing was sent. */
  | 'template_error'
  /** Set by the worker, not the sender: the endpoint's transformation failed, so nothing was sent. */
  | 'transformation_error'
  /** Set by the worker, not the sender: the endpoint's transformation cancelled the delivery; nothing was sent. */
  | 'cancelled'
  | 'network'
  | 'oauth_token'
  /** Set by the worker, not the sender: Herald shut down before the endpoint answered. */
  | 'shutdown';

export interface SendRequest {
  url: string;
  headers: Record<string, string>;
  /** The body as sent: text, or the bytes of a compressed body. */
  body: string | Buffer;
  timeoutMs: number;
  /** POST unless a transformation chose PUT or PATCH. */
  method?: string;
  /**
   * IP restrictions: lists of CIDRs (the application's, the endpoint's) that must each allow the address
   * connected to, beside the SSRF guard. An address outside them fails with `ip_restricted`.
   */
  restrict?: ReadonlyArray<readonly Cidr[]>;
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

class IpRestricted extends Error {
  readonly code = 'EIPRESTRICTED';
}

/** Whether every restriction list allows `ip`. */
function restrictionsAllow(ip: string, restrict: ReadonlyArray<readonly Cidr[]>): boolean {
  if (!ipaddr.isValid(ip)) return false;
  const address = ipaddr.process(ip);
  return restrict.every((list) => inCidrList(address, list));
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * The addresses of a resolver's answer for `hostname` that Herald may connect to: blocked addresses dropped
 * (an IPv6 address that embeds an IPv4 address is judged by the IPv4 inside), then those outside the IP
 * restrictions. Returns the error to fail the connection with when nothing is left. Kept apart from the
 * resolver so that any answer, however unusual, can be tested.
 */
export function guardedAddresses(
  hostname: string,
  addresses: readonly LookupAddress[],
  allow: readonly Cidr[],
  restrict: ReadonlyArray<readonly Cidr[]> = [],
): LookupAddress[] | Error {
  const unblocked = addresses.filter((entry) => blockedReason(entry.address, allow) === null);
  if (unblocked.length === 0) {
    const reason = blockedReason(addresses[0]?.address ?? '', allow) ?? 'no address';
    return new SsrfBlocked(`${hostname} resolves to a blocked address (${reason})`);
  }
  const allowed = unblocked.filter((entry) => restrictionsAllow(entry.address, restrict));
  if (allowed.length === 0) {
    const shown = unblocked.map((entry) => entry.address).join(', ');
    return new IpRestricted(`${hostname} resolves to ${shown}, outside the allowed destination networks`);
  }
  return allowed;
}

/**
 * A `lookup` for net.connect that keeps only the addresses `guardedAddresses` allows, and fails when nothing
 * is left.
 */
export function guardedLookup(allow: readonly Cidr[], restrict: ReadonlyArray<readonly Cidr[]> = []) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const allowed = guardedAddresses(hostname, addresses, allow, restrict);
      if (allowed instanceof Error) return callback(allowed, []);
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
  if (err instanceof IpRestricted || cause instanceof IpRestricted)
    return { errorClass: 'ip_restricted', detail };
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

/** How many connection pools for IP-restricted endpoints a sender keeps; past it the oldest is closed. */
const RESTRICTED_AGENTS = 256;

export class Sender {
  readonly #agent: Agent;
  readonly #allow: readonly Cidr[];
  readonly #connections: number;
  /**
   * Pools for IP-restricted deliveries, one per set of restrictions: the restriction is checked when a
   * connection is made, so connections made under one set are never reused under another.
   */
  readonly #restricted = new Map<string, Agent>();

  constructor(options: { ssrfAllow: readonly Cidr[]; connections?: number }) {
    this.#allow = options.ssrfAllow;
    this.#connections = options.connections ?? 64;
    this.#agent = this.#newAgent([]);
  }

  #newAgent(restrict: ReadonlyArray<readonly Cidr[]>): Agent {
    return new Agent({
      connections: this.#connections,
      keepAliveTimeout: 30_000,
      connect: { lookup: guardedLookup(this.#allow, restrict) as never },
    });
  }

  #agentFor(restrict: ReadonlyArray<readonly Cidr[]>): Agent {
    if (restrict.length === 0) return this.#agent;
    const key = JSON.stringify(restrict.map((list) => list.map(formatCidr)));
    let agent = this.#restricted.get(key);
    if (agent === undefined) {
      if (this.#restricted.size >= RESTRICTED_AGENTS) {
        const [oldestKey, oldest] = this.#restricted.entries().next().value!;
        this.#restricted.delete(oldestKey);
        void oldest.close();
      }
      agent = this.#newAgent(restrict);
      this.#restricted.set(key, agent);
    }
    return agent;
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
    const restrict = request.restrict ?? [];
    const literal = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (restrict.length > 0 && ipaddr.isValid(literal) && !restrictionsAllow(literal, restrict))
      return {
        kind: 'error',
        errorClass: 'ip_restricted',
        detail: `${literal} is outside the allowed destination networks`,
        durationMs: 0,
      };
    try {
      const response = await this.#agentFor(restrict).request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: request.method ?? 'POST',
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
    await Promise.all([this.#agent, ...this.#restricted.values()].map((agent) => agent.destroy()));
  }
}
