/**
 * `herald listen`: receives an application's webhooks on a machine that Herald cannot reach. It creates (or
 * reuses) a relay endpoint in the key's application, long-polls Herald for the requests of that endpoint, sends
 * each one to the local URL exactly as Herald would have sent it (same body, same signature headers), and
 * reports what the local handler answered, which Herald records as the attempt. Only outbound requests to
 * Herald: it works from behind NAT and through HTTP reverse proxies. See docs/listen.md.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';
import { errorBodyText } from '../api/problems.js';

/** Seconds Herald holds a poll while nothing waits; below the idle timeout of ordinary reverse proxies. */
export const POLL_WAIT_SECONDS = 20;
/** What Herald keeps of a response body; the listener sends no more. */
const MAX_BODY_BYTES = 16 * 1024;
/** Reconnection backoff: from the first to the longest wait between tries. */
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5_000;
/** Headers that belong to one connection, not to the request: the local connection sets its own. */
const HOP_HEADERS = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

export interface ListenOptions {
  url: string;
  key: string;
  forwardTo: string;
  /** The application (id or uid); found from the key when it sees only one. */
  app: string | null;
  /** Names the relay endpoint (`relay://<name>`, uid `listen-<name>`): the same name reuses it. */
  name: string;
  eventTypes: string[] | null;
  channels: string[] | null;
  /** Where the listener's lines go. */
  print: (line: string) => void;
}

/** The request Herald hands over (see `RelayedRequestOut` in the API's schemas). */
interface Relayed {
  id: string;
  msgId: string;
  eventType: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

type Answer =
  | { status: number; headers: Record<string, string>; body: string; durationMs: number }
  | { error: string; detail: string; durationMs: number };

/** Stops the listener: fatal errors (a bad key, a bad option) say what to fix. */
export class ListenError extends Error {}

/** A response from Herald that is not what the listener asked for. */
class HeraldAnswered extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(`Herald answered ${status}: ${detail}`);
  }
}

/** The default relay endpoint name: this user on this machine, so that two developers do not share one. */
export function defaultName(): string {
  const raw = `${os.userInfo().username}-${os.hostname()}`;
  return (
    raw
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 100) || 'listener'
  );
}

/** Why a local request got no response, as Herald's error classes name it. */
function errorClass(error: unknown): string {
  const err = error as { code?: string; name?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code ?? '';
  if (err.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
    return 'timeout';
  if (code === 'ECONNREFUSED') return 'connect';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return 'connection_reset';
  return 'network';
}

function describe(error: unknown): string {
  const err = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  return err.cause?.message ?? err.message ?? String(error);
}

export class Listener {
  readonly #herald = new Agent({ connections: 8 });
  readonly #local = new Agent({ connections: 32 });
  readonly #stopping = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();
  #appId = '';
  #endpointId = '';
  #connected = true;

  constructor(private readonly options: ListenOptions) {}

  async #call(
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    body?: unknown,
    extra: Partial<Dispatcher.RequestOptions> = {},
  ): Promise<{ status: number; json: unknown }> {
    const response = await request(`${this.options.url.replace(/\/+$/, '')}/api/v1${path}`, {
      method,
      dispatcher: this.#herald,
      headers: {
        authorization: `Bearer ${this.options.key}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      ...extra,
    });
    const text = await response.body.text();
    let json: unknown = null;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      json = null;
    }
    if (response.statusCode === 401 || response.statusCode === 403)
      throw new ListenError(`Herald refused the key (${response.statusCode}): ${detailOf(json, text)}`);
    return { status: response.statusCode, json };
  }

  async #expect(method: 'GET' | 'POST' | 'PATCH', path: string, ok: number[], body?: unknown) {
    const result = await this.#call(method, path, body);
    if (!ok.includes(result.status))
      throw new HeraldAnswered(result.status, detailOf(result.json, `${method} ${path}`));
    return result;
  }

  /** The application the key reaches: the one named, or the only one it sees. */
  async #application(): Promise<string> {
    if (this.options.app !== null) {
      const found = await this.#call('GET', `/app/${encodeURIComponent(this.options.app)}`);
      if (found.status === 404) throw new ListenError(`application "${this.options.app}" does not exist`);
      if (found.status !== 200) throw new HeraldAnswered(found.status, detailOf(found.json, 'GET /app'));
      return (found.json as { id: string }).id;
    }
    const { json } = await this.#expect('GET', '/app?limit=2', [200]);
    const apps = (json as { data: Array<{ id: string }> }).data;
    if (apps.length !== 1)
      throw new ListenError(
        'this key reaches several applications (or none); pass --app, or use a key scoped to one application',
      );
    return apps[0]!.id;
  }

  /** Creates the relay endpoint, or reuses the one of the same name, with this run's filters. */
  async #endpoint(): Promise<{ id: string; reused: boolean }> {
    const { name, eventTypes, channels } = this.options;
    const uid = `listen-${name}`;
    const filters = { filterTypes: eventTypes, channels };
    const base = `/app/${this.#appId}/endpoint`;
    const existing = await this.#call('GET', `${base}/${uid}`);
    if (existing.status === 200) {
      const endpoint = existing.json as { id: string; url: string };
      if (!endpoint.url.startsWith('relay:'))
        throw new ListenError(
          `endpoint ${uid} exists and is not a relay endpoint (${endpoint.url}); choose another --name`,
        );
      // Enabled again, in case Herald disabled it while no listener ran.
      await this.#expect('PATCH', `${base}/${endpoint.id}`, [200], { ...filters, disabled: false });
      return { id: endpoint.id, reused: true };
    }
    if (existing.status !== 404)
      throw new HeraldAnswered(existing.status, detailOf(existing.json, `GET ${base}/${uid}`));
    const created = await this.#expect('POST', base, [201], {
      url: `relay://${name}`,
      uid,
      description: `herald listen on ${os.hostname()}, forwarding to ${this.options.forwardTo}`,
      ...filters,
    });
    return { id: (created.json as { id: string }).id, reused: false };
  }

  /** Sets up the relay endpoint and prints where deliveries go and the secret that signs them. */
  async start(): Promise<void> {
    this.#appId = await this.#application();
    const { id, reused } = await this.#endpoint();
    this.#endpointId = id;
    const { json } = await this.#expect('GET', `/app/${this.#appId}/endpoint/${id}/secret`, [200]);
    const { print, eventTypes, channels, forwardTo } = this.options;
    print(
      `${reused ? 'Reusing' : 'Created'} relay endpoint ${id} (listen-${this.options.name}) in application ` +
        `${this.#appId}.`,
    );
    print(`Signing secret: ${(json as { key: string }).key}`);
    print(
      `Forwarding ${eventTypes === null ? 'every event type' : eventTypes.join(', ')}` +
        `${channels === null ? '' : ` on channels ${channels.join(', ')}`} to ${forwardTo}. Ctrl-C stops.`,
    );
  }

  /** Polls until stopped, forwarding each request as it comes; reconnects by itself. */
  async run(): Promise<void> {
    let backoff = RETRY_FIRST_MS;
    while (!this.#stopping.signal.aborted) {
      let requests: Relayed[];
      try {
        // After a loss, a poll that Herald answers at once tells that the connection is back.
        requests = await this.#poll(this.#connected ? POLL_WAIT_SECONDS : 0);
      } catch (error) {
        if (this.#stopping.signal.aborted) return;
        if (error instanceof ListenError) throw error;
        if (error instanceof HeraldAnswered && error.status === 404) {
          this.options.print('The relay endpoint is gone; creating it again.');
          await this.#recreate();
          continue;
        }
        if (this.#connected) {
          this.#connected = false;
          this.options.print(`Lost the connection to Herald (${describe(error)}); reconnecting…`);
        }
        await sleep(backoff, undefined, { signal: this.#stopping.signal }).catch(() => undefined);
        backoff = Math.min(RETRY_MAX_MS, backoff * 2);
        continue;
      }
      backoff = RETRY_FIRST_MS;
      if (!this.#connected) {
        this.#connected = true;
        this.options.print('Reconnected to Herald.');
      }
      for (const relayed of requests) this.#track(this.#forward(relayed));
    }
  }

  async #recreate(): Promise<void> {
    try {
      this.#endpointId = (await this.#endpoint()).id;
    } catch (error) {
      if (error instanceof ListenError) throw error;
      await sleep(RETRY_MAX_MS, undefined, { signal: this.#stopping.signal }).catch(() => undefined);
    }
  }

  /** Takes the waiting requests, waiting up to `wait` seconds for one. */
  async #poll(wait: number): Promise<Relayed[]> {
    // A proxy that times the poll out answers 502/504: the same as a lost connection.
    const waitMs = wait * 1000;
    const { status, json } = await this.#call(
      'POST',
      `/app/${this.#appId}/endpoint/${this.#endpointId}/relay/take?wait=${wait}`,
      undefined,
      {
        signal: this.#stopping.signal,
        headersTimeout: waitMs + 15_000,
        bodyTimeout: waitMs + 15_000,
      },
    );
    if (status !== 200) throw new HeraldAnswered(status, detailOf(json, 'the relay poll'));
    return (json as { data: Relayed[] }).data;
  }

  #track(task: Promise<void>): void {
    this.#inFlight.add(task);
    void task.finally(() => this.#inFlight.delete(task));
  }

  /** Sends one request to the local URL and reports what it answered. */
  async #forward(relayed: Relayed): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(relayed.headers))
      if (!HOP_HEADERS.has(name.toLowerCase())) headers[name] = value;
    const started = performance.now();
    let answer: Answer;
    try {
      const response = await request(this.options.forwardTo, {
        method: 'POST',
        dispatcher: this.#local,
        headers,
        body: Buffer.from(relayed.body, 'base64'),
        signal: AbortSignal.timeout(relayed.timeoutMs),
        headersTimeout: relayed.timeoutMs,
        bodyTimeout: relayed.timeoutMs,
      });
      const body = await readBounded(response.body);
      const responseHeaders: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers))
        if (value !== undefined) responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
      answer = {
        status: response.statusCode,
        headers: responseHeaders,
        body,
        durationMs: Math.round(performance.now() - started),
      };
    } catch (error) {
      answer = {
        error: errorClass(error),
        detail: describe(error).slice(0, 1000),
        durationMs: Math.round(performance.now() - started),
      };
    }
    const shown = 'status' in answer ? `${answer.status}` : `error ${answer.error} (${answer.detail})`;
    this.options.print(
      `${new Date().toISOString()}  ${relayed.eventType}  ${relayed.msgId}  ${shown}  ${answer.durationMs} ms`,
    );
    await this.#report(relayed, answer);
  }

  /** Reports an answer, trying again while Herald is unreachable and would still wait for it. */
  async #report(relayed: Relayed, answer: Answer): Promise<void> {
    const path = `/app/${this.#appId}/endpoint/${this.#endpointId}/relay/${relayed.id}`;
    const giveUpAt = Date.now() + relayed.timeoutMs;
    for (let wait = RETRY_FIRST_MS; ; wait = Math.min(RETRY_MAX_MS, wait * 2)) {
      try {
        const { status, json } = await this.#call('POST', path, answer);
        if (status === 204) return;
        if (status === 404) {
          this.options.print(
            `  (Herald no longer waited for ${relayed.msgId}'s report; it will send the message again)`,
          );
          return;
        }
        // 429 (the key's rate limit) and 5xx pass: the report is tried again while Herald waits for it.
        if (status < 500 && status !== 429) {
          this.options.print(`  (Herald refused the report for ${relayed.msgId}: ${detailOf(json, '')})`);
          return;
        }
      } catch (error) {
        if (error instanceof ListenError) throw error;
      }
      if (Date.now() + wait > giveUpAt) {
        this.options.print(`  (could not report ${relayed.msgId} to Herald; it will send the message again)`);
        return;
      }
      await sleep(wait);
    }
  }

  /** Stops polling and lets the requests in hand finish and be reported. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    await Promise.allSettled([...this.#inFlight]);
    await Promise.allSettled([this.#herald.close(), this.#local.close()]);
  }
}

function detailOf(json: unknown, fallback: string): string {
  return errorBodyText(json) || fallback;
}

/** The body as text, up to what Herald keeps; the rest is read and dropped. */
async function readBounded(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < MAX_BODY_BYTES) chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8');
}
