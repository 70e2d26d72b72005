/** A small client for Herald's API, used to set scenarios up and to send their messages. */
import { Pool } from 'undici';
import { wallNow } from './clock.js';
import { PAYLOAD } from './payload.js';

export const EVENT_TYPE = 'bench.event';
export const BATCH_SIZE = 1000;

export interface EndpointSpec {
  url: string;
  channels?: string[];
  /** A content filter (see docs/api.md). */
  filter?: Record<string, unknown>;
  /** First in, first out, per ordering key or for the whole endpoint (see docs/delivery.md). */
  ordering?: 'endpoint' | 'key';
  /** Several messages per request, as one JSON array (see docs/delivery.md#batching). */
  batching?: { maxMessages: number; maxBytes?: number; maxWaitMs?: number };
}

export class HeraldApi {
  readonly pool: Pool;
  readonly headers: Record<string, string>;

  constructor(
    readonly url: string,
    token: string,
    connections = 32,
  ) {
    this.pool = new Pool(url, { connections, keepAliveTimeout: 30_000 });
    this.headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  }

  async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await this.pool.request({
      method,
      path: `/api/v1${path}`,
      headers: body === undefined ? { authorization: this.headers.authorization! } : this.headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      headersTimeout: 120_000,
      bodyTimeout: 120_000,
    });
    const text = await response.body.text();
    return { status: response.statusCode, body: (text === '' ? null : JSON.parse(text)) as T };
  }

  async expect<T>(status: number, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = await this.call<T>(method, path, body);
    if (response.status !== status)
      throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body;
  }

  async createApp(uid: string): Promise<string> {
    const app = await this.expect<{ id: string }>(201, 'POST', '/app', { name: `bench ${uid}`, uid });
    return app.id;
  }

  /** Creates endpoints with `concurrency` requests in flight; returns their ids in order and the time taken. */
  async createEndpoints(
    appId: string,
    specs: EndpointSpec[],
    concurrency = 16,
  ): Promise<{ ids: string[]; seconds: number }> {
    const started = wallNow();
    const ids: string[] = new Array<string>(specs.length);
    let next = 0;
    const lane = async () => {
      while (next < specs.length) {
        const index = next++;
        const spec = specs[index]!;
        const endpoint = await this.expect<{ id: string }>(201, 'POST', `/app/${appId}/endpoint`, {
          url: spec.url,
          ...(spec.channels && { channels: spec.channels }),
          ...(spec.filter && { filter: spec.filter }),
          ...(spec.ordering && { ordering: spec.ordering }),
          ...(spec.batching && { batching: spec.batching }),
        });
        ids[index] = endpoint.id;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    return { ids, seconds: (wallNow() - started) / 1000 };
  }

  /**
   * Queues `count` messages through the batch route, 1000 per request, with `concurrency` requests in
   * flight. `channelsOf(i)` gives message i's channels (null for none), `orderingKeyOf(i)` its ordering key.
   */
  async queueMessages(
    appId: string,
    count: number,
    channelsOf: (index: number) => string[] | null,
    concurrency = 2,
    orderingKeyOf?: (index: number) => string,
  ): Promise<{ messages: number; seconds: number }> {
    const started = wallNow();
    let next = 0;
    const lane = async () => {
      while (next < count) {
        const first = next;
        const size = Math.min(BATCH_SIZE, count - first);
        next += size;
        const messages = Array.from({ length: size }, (_, k) => {
          const channels = channelsOf(first + k);
          return {
            eventType: EVENT_TYPE,
            payload: PAYLOAD,
            ...(channels && { channels }),
            ...(orderingKeyOf && { orderingKey: orderingKeyOf(first + k) }),
          };
        });
        await this.expect(202, 'POST', `/app/${appId}/msg/batch?with_content=false`, { messages });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    return { messages: count, seconds: (wallNow() - started) / 1000 };
  }

  /** Herald's queue as its /metrics shows it: due, scheduled and sending deliveries. */
  async queueDepth(): Promise<{ due: number; scheduled: number; sending: number }> {
    const response = await this.pool.request({
      method: 'GET',
      path: '/metrics',
      headers: { authorization: this.headers.authorization! },
    });
    const text = await response.body.text();
    const depth = { due: 0, scheduled: 0, sending: 0 };
    for (const match of text.matchAll(/^herald_queue_depth\{state="(\w+)"\} (\d+)/gm))
      depth[match[1] as keyof typeof depth] = Number(match[2]);
    return depth;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
