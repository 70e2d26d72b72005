/** Building blocks the scenarios share: the receiver, Herald's lifecycle, steady-rate sending, drains. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HeraldApi, EVENT_TYPE, type EndpointSpec } from './api.js';
import type { BenchConfig } from './config.js';
import { sleep, wallNow } from './clock.js';
import { HeraldProcess, Storage, type Database } from './herald-process.js';
import { Helper } from './ipc.js';
import { PAYLOAD } from './payload.js';
import { cloneEndpoints } from './store-seed.js';
import type { ReceiverStats } from './receiver.js';

export interface Context {
  config: BenchConfig;
  database: Database;
  /** The raw ceiling of this pass, in requests per second (NaN until measured). */
  ceiling: number;
  log(message: string): void;
}

export class Receiver {
  private constructor(
    readonly helper: Helper,
    readonly origin: string,
  ) {}

  static async start(): Promise<Receiver> {
    const helper = Helper.start('receiver.js');
    const port = await helper.call<number>('listen');
    return new Receiver(helper, `http://127.0.0.1:${port}`);
  }

  reset(ids = false): Promise<null> {
    return this.helper.call('reset', { ids });
  }

  stats(): Promise<ReceiverStats> {
    return this.helper.call('stats');
  }

  arrivalsAt(ranks: number[]): Promise<Array<number | null>> {
    return this.helper.call('arrivalsAt', { ranks });
  }

  series(since: number, bucketMs: number): Promise<number[]> {
    return this.helper.call('series', { since, bucketMs });
  }

  /** Each webhook-id's first arrival at an /ok/ path. */
  async arrivals(): Promise<Map<string, number>> {
    const file = path.join(os.tmpdir(), `herald-bench-ids-${process.pid}-${Date.now()}.json`);
    await this.helper.call('dumpIds', { file });
    const pairs = JSON.parse(fs.readFileSync(file, 'utf8')) as Array<[string, number]>;
    fs.rmSync(file, { force: true });
    return new Map(pairs);
  }

  async stop(): Promise<void> {
    await this.helper.call('releaseHanging').catch(() => null);
    await this.helper.stop();
  }
}

/** A Herald with its storage and an API client; `restart` keeps the storage (SQLite file or database). */
export class Instance {
  private constructor(
    readonly storage: Storage,
    public herald: HeraldProcess,
    public api: HeraldApi,
    readonly token: string,
  ) {}

  static async start(context: Context, role: 'all' | 'api' = 'all'): Promise<Instance> {
    const storage = await Storage.create(context.database, context.config.postgresUrl);
    try {
      const herald = await HeraldProcess.start(storage, { role });
      if (herald.token === null) throw new Error('herald printed no admin key on its first start');
      return new Instance(storage, herald, new HeraldApi(herald.url, herald.token), herald.token);
    } catch (error) {
      await storage.dispose();
      throw error;
    }
  }

  /** Stops the Herald process, keeping the storage (for `resume`, or to write to the store directly). */
  async pause(): Promise<void> {
    await this.api.close().catch(() => undefined);
    await this.herald.stop();
  }

  /**
   * Starts Herald again on the same storage; `env` adds Herald settings to the bench's defaults, and
   * `profileDir` has it write a V8 CPU profile there when it exits.
   */
  async resume(role: 'all' | 'api', env: Record<string, string> = {}, profileDir?: string): Promise<void> {
    const options = { role, env, ...(profileDir !== undefined && { profileDir }) };
    try {
      this.herald = await HeraldProcess.start(this.storage, options);
    } catch (error) {
      // On a machine whose cores others take, a start can miss Fastify's 10 s plugin timeout: try once more.
      console.log(`herald did not start, trying once more: ${(error as Error).message.slice(0, 300)}`);
      this.herald = await HeraldProcess.start(this.storage, options);
    }
    this.api = new HeraldApi(this.herald.url, this.token);
  }

  async restart(role: 'all' | 'api', env: Record<string, string> = {}, profileDir?: string): Promise<void> {
    await this.pause();
    await this.resume(role, env, profileDir);
  }

  async stop(): Promise<void> {
    await this.pause();
    await this.storage.dispose();
  }
}

/** Runs `body` with a receiver and a Herald, and always stops both (and drops the storage). */
export async function withSetup<T>(
  context: Context,
  role: 'all' | 'api',
  body: (receiver: Receiver, instance: Instance) => Promise<T>,
): Promise<T> {
  const receiver = await Receiver.start();
  let instance: Instance | null = null;
  try {
    instance = await Instance.start(context, role);
    return await body(receiver, instance);
  } catch (error) {
    if (instance) context.log(`herald's last output:\n${instance.herald.output().slice(-3000)}`);
    throw error;
  } finally {
    await instance?.stop().catch((error: unknown) => context.log(`stopping herald failed: ${String(error)}`));
    await receiver.stop();
  }
}

export interface Sent {
  index: number;
  id: string;
  /** When the 202 was read. */
  acceptedAt: number;
}

export interface SteadyResult {
  sent: Sent[];
  errors: number;
  /** Messages sent more than 10 ms after their slot (the generator or Herald's API fell behind). */
  late: number;
  seconds: number;
  offeredPerSecond: number;
}

/**
 * Sends single messages at a steady `rate` for `seconds` (open loop: message k is due at k/rate), each to the
 * channel `channelsOf(k)`, with at most `maxInFlight` requests open.
 */
export async function sendSteadily(
  api: HeraldApi,
  appId: string,
  options: {
    rate: number;
    seconds: number;
    channelsOf: (index: number) => string[] | null;
    orderingKeyOf?: (index: number) => string;
    maxInFlight?: number;
  },
): Promise<SteadyResult> {
  const total = Math.round(options.rate * options.seconds);
  const maxInFlight = options.maxInFlight ?? 512;
  const sent: Sent[] = [];
  let errors = 0;
  let late = 0;
  let next = 0;
  let inFlight = 0;
  const started = wallNow();
  const send = async (index: number) => {
    inFlight++;
    const channels = options.channelsOf(index);
    const orderingKey = options.orderingKeyOf?.(index);
    try {
      const response = await api.call<{ id: string }>(
        'POST',
        `/app/${appId}/msg?with_content=false`,
        JSON.stringify({
          eventType: EVENT_TYPE,
          payload: PAYLOAD,
          ...(channels && { channels }),
          ...(orderingKey !== undefined && { orderingKey }),
        }),
      );
      const acceptedAt = wallNow();
      if (response.status === 202) sent.push({ index, id: response.body.id, acceptedAt });
      else errors++;
    } catch {
      errors++;
    } finally {
      inFlight--;
    }
  };
  const pending = new Set<Promise<void>>();
  while (next < total) {
    const now = wallNow();
    const due = Math.min(total, Math.floor(((now - started) * options.rate) / 1000) + 1);
    while (next < due && inFlight < maxInFlight) {
      if (now - (started + (next * 1000) / options.rate) > 10) late++;
      const promise = send(next++);
      pending.add(promise);
      void promise.finally(() => pending.delete(promise));
    }
    await sleep(1);
  }
  await Promise.all(pending);
  const seconds = (wallNow() - started) / 1000;
  return { sent, errors, late, seconds, offeredPerSecond: total / seconds };
}

/**
 * Waits until the receiver has seen `count` /ok/ arrivals, or none arrived for `stallMs`, or `maxMs` passed.
 * Returns the last stats.
 */
export async function waitForArrivals(
  receiver: Receiver,
  count: number,
  options: { stallMs?: number; maxMs?: number; onProgress?: (stats: ReceiverStats) => void } = {},
): Promise<ReceiverStats & { complete: boolean }> {
  const stallMs = options.stallMs ?? 30_000;
  const deadline = Date.now() + (options.maxMs ?? 3_600_000);
  let lastCount = -1;
  let lastChange = Date.now();
  let lastReport = Date.now();
  for (;;) {
    const stats = await receiver.stats();
    if (stats.counts.ok >= count) return { ...stats, complete: true };
    if (stats.counts.ok !== lastCount) {
      lastCount = stats.counts.ok;
      lastChange = Date.now();
    }
    if (Date.now() - lastChange > stallMs || Date.now() > deadline) return { ...stats, complete: false };
    if (options.onProgress && Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      options.onProgress(stats);
    }
    await sleep(50);
  }
}

/** Waits (up to `maxMs`) until Herald's queue has nothing due or sending: every result is written. */
export async function waitForEmptyQueue(api: HeraldApi, maxMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const depth = await api.queueDepth().catch(() => null);
    if (depth && depth.due === 0 && depth.sending === 0) return true;
    await sleep(250);
  }
  return false;
}

/** Latency (ms) of each sent message from its 202 to its first arrival; `missing` never arrived. */
export function latencies(
  sent: Sent[],
  arrivals: Map<string, number>,
): { samples: number[]; missing: number } {
  const samples: number[] = [];
  let missing = 0;
  for (const message of sent) {
    const arrived = arrivals.get(message.id);
    if (arrived === undefined) missing++;
    else samples.push(arrived - message.acceptedAt);
  }
  return { samples, missing };
}

/** Above this many, endpoints are written to the store directly: the API creates them too slowly on 2 cores. */
export const API_ENDPOINT_LIMIT = 1000;

/**
 * Creates endpoints: through the API up to API_ENDPOINT_LIMIT, beyond it one through the API as a template and
 * the rest as copies of it written to the store directly while Herald is stopped (see store-seed.ts). Herald
 * is left running with `role` either way.
 */
export async function createEndpoints(
  instance: Instance,
  appId: string,
  specs: EndpointSpec[],
  role: 'all' | 'api',
): Promise<{ ids: string[]; seconds: number; via: 'api' | 'store' }> {
  if (specs.length <= API_ENDPOINT_LIMIT)
    return { ...(await instance.api.createEndpoints(appId, specs)), via: 'api' };
  const started = wallNow();
  const template = await instance.api.createEndpoints(appId, specs.slice(0, 1));
  await instance.pause();
  const copies = await cloneEndpoints(instance.storage, appId, template.ids[0]!, specs.slice(1));
  await instance.resume(role);
  return { ids: [...template.ids, ...copies], seconds: (wallNow() - started) / 1000, via: 'store' };
}
