/**
 * `herald simulate events`: sends events from the catalogue to one application at a steady rate for a while,
 * through the ingest route as a platform would, with payloads that pass each event type's schema. It shows a
 * progress bar on standard error, then a summary: accepted, rejected with their reasons, and the ingest latency
 * (the time from sending a message to its `202`) at p50 and p99.
 */
import { SingleBar } from 'cli-progress';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { errorBodyText } from '../api/problems.js';
import { PayloadSource, type CatalogueEventType, type PayloadMode, type PayloadOrigin } from './payloads.js';
import { seededRandom, type Random } from './random.js';

/** Requests in flight at most: a Herald slower than the rate makes the run fall behind, not pile up. */
const MAX_IN_FLIGHT = 256;
const PAGE_LIMIT = 250;

export interface SimulateEventsOptions {
  url: string;
  key: string;
  app: string;
  eventTypes: string[] | null;
  ratePerSecond: number;
  durationMs: number;
  payloads: PayloadMode;
  seed: number | undefined;
  progress: boolean;
}

export interface EventsSummary {
  planned: number;
  sent: number;
  accepted: number;
  rejected: Map<string, { count: number; detail: string }>;
  latenciesMs: number[];
  byType: Map<string, number>;
  origins: Map<PayloadOrigin, number>;
  skipped: Array<{ name: string; reason: string }>;
  elapsedMs: number;
  interrupted: boolean;
  /** The seed of the run's random choices: `--seed` repeats them. */
  seed: number;
}

/** Thrown when the run cannot start; its message says what to fix. */
export class SimulateError extends Error {}

class HeraldClient {
  readonly #agent = new Agent({ connections: 64, pipelining: 1 });
  constructor(
    private readonly base: string,
    private readonly key: string,
  ) {}

  async call(method: 'GET' | 'POST', path: string, body?: unknown) {
    const response = await request(`${this.base}/api/v1${path}`, {
      method,
      dispatcher: this.#agent,
      headers: {
        authorization: `Bearer ${this.key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.body.text();
    let json: unknown = null;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      json = { detail: text.slice(0, 200) };
    }
    return { status: response.statusCode, body: json as Record<string, unknown> | null };
  }

  close() {
    return this.#agent.close();
  }
}

async function catalogue(client: HeraldClient): Promise<CatalogueEventType[]> {
  const types: CatalogueEventType[] = [];
  let iterator: string | null = null;
  for (;;) {
    const query = `with_content=true&limit=${PAGE_LIMIT}${iterator ? `&iterator=${encodeURIComponent(iterator)}` : ''}`;
    const page = await client.call('GET', `/event-type?${query}`);
    if (page.status !== 200)
      throw new SimulateError(
        `listing the event-type catalogue answered ${page.status}: ${detailOf(page.body)}`,
      );
    const body = page.body as { data: CatalogueEventType[]; iterator: string | null; done: boolean };
    types.push(...body.data);
    if (body.done || body.iterator === null) return types;
    iterator = body.iterator;
  }
}

function detailOf(body: Record<string, unknown> | null): string {
  return errorBodyText(body) || JSON.stringify(body);
}

/** The value at fraction `q` of sorted `values` (nearest rank). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** The payload sources for the chosen event types (all live ones by default), and those left out with why. */
async function sources(client: HeraldClient, options: SimulateEventsOptions, random: Random) {
  const types = await catalogue(client);
  const byName = new Map(types.map((type) => [type.name, type]));
  const unknown = (options.eventTypes ?? []).filter((name) => !byName.has(name));
  if (unknown.length > 0)
    throw new SimulateError(
      `the catalogue has no event type ${unknown.join(', ')}; it has ${types.map((t) => t.name).join(', ') || 'none'}`,
    );
  const chosen = options.eventTypes
    ? options.eventTypes.map((name) => byName.get(name)!)
    : types.filter((type) => !type.deprecated && !type.archived);
  if (chosen.length === 0)
    throw new SimulateError(
      'the event-type catalogue has no live event type; create one or pass --event-type',
    );
  const usable: PayloadSource[] = [];
  const skipped: Array<{ name: string; reason: string }> = [];
  for (const type of chosen) {
    const source = PayloadSource.for(type, options.payloads, random);
    if (typeof source === 'string') skipped.push({ name: type.name, reason: source });
    else usable.push(source);
  }
  if (usable.length === 0)
    throw new SimulateError(
      `no event type can be simulated: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`,
    );
  return { usable, skipped };
}

export async function simulateEvents(options: SimulateEventsOptions): Promise<EventsSummary> {
  const client = new HeraldClient(options.url.replace(/\/+$/, ''), options.key);
  try {
    const app = await client.call('GET', `/app/${encodeURIComponent(options.app)}`);
    if (app.status !== 200)
      throw new SimulateError(
        app.status === 404
          ? `application ${options.app} does not exist; create it or pass another --app (id or uid)`
          : `reading application ${options.app} answered ${app.status}: ${detailOf(app.body)}`,
      );
    const random = seededRandom(options.seed);
    const { usable, skipped } = await sources(client, options, random);
    return await run(client, options, random, usable, skipped);
  } catch (error) {
    if (error instanceof SimulateError) throw error;
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
    throw new SimulateError(`cannot reach Herald at ${options.url}: ${cause ?? (error as Error).message}`);
  } finally {
    await client.close();
  }
}

async function run(
  client: HeraldClient,
  options: SimulateEventsOptions,
  random: Random,
  usable: PayloadSource[],
  skipped: Array<{ name: string; reason: string }>,
): Promise<EventsSummary> {
  const planned = Math.max(1, Math.round((options.ratePerSecond * options.durationMs) / 1000));
  const summary: EventsSummary = {
    planned,
    sent: 0,
    accepted: 0,
    rejected: new Map(),
    latenciesMs: [],
    byType: new Map(),
    origins: new Map(),
    skipped,
    elapsedMs: 0,
    interrupted: false,
    seed: random.seed,
  };
  const bar = new SingleBar({
    stream: process.stderr,
    format: 'sending [{bar}] {value}/{total} | accepted {accepted} | rejected {rejected} | {perSecond}/s',
    noTTYOutput: true,
    notTTYSchedule: 1000,
    hideCursor: true,
  });
  const rejectedCount = () => [...summary.rejected.values()].reduce((sum, r) => sum + r.count, 0);
  const started = performance.now();
  if (options.progress) bar.start(planned, 0, { accepted: 0, rejected: 0, perSecond: '0.0' });
  const tick = () =>
    bar.update(summary.sent, {
      accepted: summary.accepted,
      rejected: rejectedCount(),
      perSecond: (summary.sent / Math.max(0.001, (performance.now() - started) / 1000)).toFixed(1),
    });
  const reject = (reason: string, detail: string) => {
    const entry = summary.rejected.get(reason) ?? { count: 0, detail };
    entry.count += 1;
    summary.rejected.set(reason, entry);
  };
  const stop = () => (summary.interrupted = true);
  process.once('SIGINT', stop);

  const inFlight = new Set<Promise<void>>();
  const sendOne = async (source: PayloadSource) => {
    const next = source.next();
    if (next === null) {
      reject('not sent', `no payload passing the schema of ${source.eventType} could be generated`);
      return;
    }
    summary.origins.set(next.origin, (summary.origins.get(next.origin) ?? 0) + 1);
    summary.byType.set(source.eventType, (summary.byType.get(source.eventType) ?? 0) + 1);
    const sentAt = performance.now();
    try {
      const response = await client.call('POST', `/app/${encodeURIComponent(options.app)}/msg`, {
        eventType: source.eventType,
        payload: next.payload,
      });
      if (response.status === 202) {
        summary.accepted += 1;
        summary.latenciesMs.push(performance.now() - sentAt);
      } else {
        const code = typeof response.body?.code === 'string' ? ` ${response.body.code}` : '';
        reject(`${response.status}${code}`, detailOf(response.body));
      }
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
      reject(`network ${cause ?? 'error'}`, (error as Error).message);
    }
  };

  try {
    for (let i = 0; i < planned && !summary.interrupted; i++) {
      const wait = started + (i * 1000) / options.ratePerSecond - performance.now();
      if (wait > 1) await sleep(wait);
      while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
      const source = usable[random.int(0, usable.length - 1)]!;
      summary.sent += 1;
      const sending = sendOne(source).finally(() => {
        inFlight.delete(sending);
        if (options.progress) tick();
      });
      inFlight.add(sending);
    }
    await Promise.all(inFlight);
  } finally {
    process.removeListener('SIGINT', stop);
    if (options.progress) {
      tick();
      bar.stop();
    }
  }
  summary.elapsedMs = performance.now() - started;
  summary.latenciesMs.sort((a, b) => a - b);
  return summary;
}

/** The summary as the command prints it. */
export function formatSummary(summary: EventsSummary, options: SimulateEventsOptions): string {
  const lines: string[] = [];
  const seconds = summary.elapsedMs / 1000;
  lines.push(
    `${summary.interrupted ? 'interrupted: ' : ''}sent ${summary.sent} of ${summary.planned} events to application ` +
      `${options.app} in ${seconds.toFixed(1)} s (${(summary.sent / Math.max(seconds, 0.001)).toFixed(1)}/s; seed ${summary.seed})`,
  );
  lines.push(`accepted  ${summary.accepted}`);
  const rejected = [...summary.rejected.entries()].sort((a, b) => b[1].count - a[1].count);
  lines.push(`rejected  ${rejected.reduce((sum, [, r]) => sum + r.count, 0)}`);
  for (const [reason, { count, detail }] of rejected) lines.push(`  ${count} × ${reason}: ${detail}`);
  const ms = (value: number) => (Number.isNaN(value) ? '–' : `${value.toFixed(1)} ms`);
  lines.push(
    `ingest latency  p50 ${ms(percentile(summary.latenciesMs, 0.5))}  p99 ${ms(percentile(summary.latenciesMs, 0.99))}` +
      `  max ${ms(summary.latenciesMs.at(-1) ?? NaN)}  (${summary.latenciesMs.length} accepted)`,
  );
  const types = [...summary.byType.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  lines.push(`event types  ${types.map(([name, count]) => `${name} ${count}`).join(', ')}`);
  const origins = [...summary.origins.entries()].map(([origin, count]) => `${origin} ${count}`);
  lines.push(`payloads     ${origins.join(', ')}`);
  for (const { name, reason } of summary.skipped) lines.push(`skipped ${name}: ${reason}`);
  return `${lines.join('\n')}\n`;
}
