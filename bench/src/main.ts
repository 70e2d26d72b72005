/**
 * `npm run bench`: runs the scenarios of issue 7 against Herald on SQLite and, with HERALD_BENCH_DATABASE_URL,
 * again on PostgreSQL; prints the table, writes bench/results/<timestamp>.json and updates docs/performance.md
 * with docs/performance.svg. Every throughput figure is a ratio of the raw ceiling measured in the same pass.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadBenchConfig, type ScenarioName } from './config.js';
import { updateDoc, renderSection } from './doc.js';
import { againstCeiling, type ScenarioResult } from './figures.js';
import { ROOT, type Database } from './herald-process.js';
import { machineInfo, measureLoad } from './machine.js';
import { rows, textTable, writeRecord, type RunRecord } from './report.js';
import { renderSvg } from './svg.js';
import type { Context } from './toolkit.js';
import { backlog } from './scenarios/backlog.js';
import { ceiling } from './scenarios/ceiling.js';
import { drain } from './scenarios/drain.js';
import { fanout } from './scenarios/fanout.js';
import { ingest } from './scenarios/ingest.js';
import { isolation } from './scenarios/isolation.js';
import { latency } from './scenarios/latency.js';
import { ordered } from './scenarios/ordered.js';
import { batching } from './scenarios/batching.js';
import { tracing } from './scenarios/tracing.js';

type Outcome = Omit<ScenarioResult, 'scenario' | 'database' | 'seconds' | 'load'>;
const RUNNERS: Record<ScenarioName, (context: Context) => Promise<Outcome>> = {
  ceiling,
  drain,
  latency,
  ingest,
  fanout,
  isolation,
  backlog,
  ordered,
  batching,
  tracing,
};

const BENCH_VARIABLES = /^(BENCH_|HERALD_BENCH_DATABASE_URL$)/;

/** The command that reproduces this run: the bench variables that were set, then `npm run bench`. */
function commandLine(): string {
  const variables = Object.entries(process.env)
    .filter(([name, value]) => BENCH_VARIABLES.test(name) && value !== undefined && value !== '')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => {
      if (name !== 'HERALD_BENCH_DATABASE_URL') return `${name}=${value}`;
      const url = new URL(value!);
      if (url.password !== '') url.password = '***';
      return `${name}=${url.toString()}`;
    });
  return [...variables, 'npm run bench'].join(' ');
}

async function runScenario(name: ScenarioName, context: Context): Promise<ScenarioResult> {
  const started = Date.now();
  const load = measureLoad();
  context.log(`${name}: start`);
  try {
    const outcome = await RUNNERS[name](context);
    const result = {
      scenario: name,
      database: context.database,
      ...outcome,
      seconds: (Date.now() - started) / 1000,
      load: load(),
    };
    context.log(`${name}: done in ${Math.round(result.seconds)} s`);
    return result;
  } catch (error) {
    context.log(`${name}: FAILED: ${(error as Error).stack ?? String(error)}`);
    return {
      scenario: name,
      database: context.database,
      figures: [],
      details: {},
      seconds: (Date.now() - started) / 1000,
      load: load(),
      error: (error as Error).message ?? String(error),
    };
  }
}

/**
 * Recomputes the ceiling ratios of a pass against its final ceiling (the higher of its two measurements): the
 * scenarios computed them against the first.
 */
function rebase(results: ScenarioResult[], ceiling: number): void {
  for (const result of results) {
    result.figures = result.figures.map((figure) => againstCeiling(figure, ceiling));
    result.details.passCeilingPerSecond = Math.round(ceiling);
  }
}

async function main(): Promise<void> {
  const config = loadBenchConfig();
  const startedAt = new Date().toISOString();
  const wholeRun = measureLoad();
  const databases: Database[] = config.postgresUrl === undefined ? ['sqlite'] : ['sqlite', 'postgres'];
  const results: ScenarioResult[] = [];
  const ceilings: Record<string, number> = {};
  const t0 = Date.now();
  for (const database of databases) {
    const context: Context = {
      config,
      database,
      ceiling: Number.NaN,
      log: (message) =>
        console.log(`[bench ${Math.round((Date.now() - t0) / 1000)}s ${database}] ${message}`),
    };
    // The ceiling is measured first and last in every pass; the shares are computed against the higher of the two.
    const passResults: ScenarioResult[] = [await runScenario('ceiling', context)];
    for (const name of config.scenarios.filter((scenario) => scenario !== 'ceiling'))
      passResults.push(await runScenario(name, context));
    passResults.push(await runScenario('ceiling', context));
    rebase(passResults, context.ceiling);
    results.push(...passResults);
    ceilings[database] = context.ceiling;
  }
  const record: RunRecord = {
    startedAt,
    finishedAt: new Date().toISOString(),
    command: commandLine(),
    config: { ...config, postgresUrl: config.postgresUrl === undefined ? undefined : '(set)' },
    machine: machineInfo(),
    load: wholeRun(),
    results,
  };
  const file = writeRecord(record, path.join(ROOT, 'bench', 'results'));
  console.log(`\n${textTable(rows(results))}\n`);
  console.log(
    `machine: ${record.machine.cpus} cores, ${record.machine.memoryGiB} GiB, Node ${record.machine.node}; ` +
      `other work used ${record.load.otherCores} cores on average during the run`,
  );
  console.log(`record: ${path.relative(ROOT, file)}`);
  if (config.updateDoc) {
    const caption = `Herald bench, ${startedAt.slice(0, 10)}, scale ${config.scale}, ${record.machine.cpus} cores, Node ${record.machine.node}`;
    fs.writeFileSync(path.join(ROOT, 'docs', 'performance.svg'), renderSvg(results, ceilings, caption));
    updateDoc(
      path.join(ROOT, 'docs', 'performance.md'),
      renderSection(record, 'performance.svg', path.relative(ROOT, file)),
    );
    console.log('updated docs/performance.md and docs/performance.svg');
  }
}

await main();
