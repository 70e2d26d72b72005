/**
 * The bench's settings, read once from the environment. BENCH_SCALE (default 1, the sizes of issue 7) scales
 * every count and duration at once, with floors that keep each figure meaningful; each size can also be set on
 * its own. Sizes that are rates or limits (1,000 messages per second, Herald's concurrency) do not scale.
 */
export const SCENARIOS = [
  'ceiling',
  'drain',
  'latency',
  'ingest',
  'fanout',
  'isolation',
  'backlog',
  'ordered',
  'batching',
  'tracing',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchConfig {
  scale: number;
  scenarios: ScenarioName[];
  /** PostgreSQL server for the second pass (a fresh database is created and dropped per scenario). */
  postgresUrl: string | undefined;
  /** Update docs/performance.md with this run. */
  updateDoc: boolean;
  /** In-flight requests of the raw ceiling: Herald's default HERALD_WORKER_CONCURRENCY. */
  concurrency: number;
  ceilingSeconds: number;
  drainMessages: number;
  drainEndpoints: number;
  /** HERALD_WORKER_THREADS for a second drain of the same size; 1 skips it. */
  /** HERALD_WORKER_THREADS for the second runs of scenarios 2 and 5; 1 skips them. */
  threads: number;
  latencyRate: number;
  latencySeconds: number;
  ingestSeconds: number;
  ingestConnections: number;
  batchSeconds: number;
  fanoutEndpoints: number;
  isolationMessages: number;
  isolationRate: number;
  isolationSeconds: number;
  backlogDeliveries: number;
  /** Scenario 9: messages drained, and the steady rate and duration for latency, over 100 keys and 10 ordered endpoints. */
  orderedMessages: number;
  orderedRate: number;
  orderedSeconds: number;
  /** The batching scenario: messages drained over 100 endpoints, unbatched and then 100 per request. */
  batchingMessages: number;
  /** The tracing scenario: messages per drain, and rounds of its three drains (off, sampled off, on). */
  tracingMessages: number;
  tracingRounds: number;
}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max)
    throw new Error(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
  return value;
}

export function loadBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const scale = number(env, 'BENCH_SCALE', 1, 0.001, 10);
  const scaled = (name: string, full: number, floor: number) =>
    Math.round(number(env, name, Math.max(floor, Math.round(full * scale)), 1, 1e8));
  const scenarios = (env.BENCH_SCENARIOS ?? SCENARIOS.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of scenarios)
    if (!(SCENARIOS as readonly string[]).includes(name))
      throw new Error(`BENCH_SCENARIOS: unknown scenario "${name}"; choose from ${SCENARIOS.join(', ')}`);
  return {
    scale,
    scenarios: scenarios as ScenarioName[],
    postgresUrl: env.HERALD_BENCH_DATABASE_URL?.trim() || undefined,
    updateDoc: env.BENCH_UPDATE_DOC !== '0',
    concurrency: number(env, 'BENCH_CONCURRENCY', 256, 1, 10_000),
    ceilingSeconds: scaled('BENCH_CEILING_SECONDS', 10, 3),
    drainMessages: scaled('BENCH_DRAIN_MESSAGES', 200_000, 5_000),
    drainEndpoints: 100,
    threads: number(env, 'BENCH_THREADS', 2, 1, 64),
    latencyRate: number(env, 'BENCH_LATENCY_RATE', 1000, 1, 100_000),
    latencySeconds: scaled('BENCH_LATENCY_SECONDS', 30, 5),
    ingestSeconds: scaled('BENCH_INGEST_SECONDS', 10, 3),
    ingestConnections: number(env, 'BENCH_INGEST_CONNECTIONS', 10, 1, 1000),
    batchSeconds: scaled('BENCH_BATCH_SECONDS', 10, 3),
    fanoutEndpoints: scaled('BENCH_FANOUT_ENDPOINTS', 10_000, 200),
    isolationMessages: scaled('BENCH_ISOLATION_MESSAGES', 50_000, 5_000),
    isolationRate: number(env, 'BENCH_ISOLATION_RATE', 1000, 1, 100_000),
    isolationSeconds: scaled('BENCH_ISOLATION_SECONDS', 20, 5),
    backlogDeliveries: scaled('BENCH_BACKLOG_DELIVERIES', 1_000_000, 20_000),
    orderedMessages: scaled('BENCH_ORDERED_MESSAGES', 50_000, 2_000),
    orderedRate: number(env, 'BENCH_ORDERED_RATE', 500, 1, 100_000),
    orderedSeconds: scaled('BENCH_ORDERED_SECONDS', 20, 5),
    batchingMessages: scaled('BENCH_BATCHING_MESSAGES', 100_000, 2_000),
    tracingMessages: scaled('BENCH_TRACING_MESSAGES', 50_000, 2_000),
    tracingRounds: number(env, 'BENCH_TRACING_ROUNDS', 3, 1, 20),
  };
}
