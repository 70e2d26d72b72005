/**
 * Keeps docs/performance.md current: the part between the bench markers is rewritten from the latest run (its
 * table, machine, load, command and date); everything else in the page is written by people and kept.
 */
import fs from 'node:fs';
import path from 'node:path';
import { markdownTable, rows, type RunRecord } from './report.js';

const BEGIN = '<!-- bench:begin (written by npm run bench; edits here are overwritten) -->';
const END = '<!-- bench:end -->';

function loadSentence(record: RunRecord): string {
  const { otherCores, benchCores, loadAverage1m } = record.load;
  const cores = record.machine.cpus;
  // PostgreSQL's own server counts as other work, so only the SQLite scenarios tell whether others were busy.
  const sqliteOther = record.results
    .filter((result) => result.database === 'sqlite' && result.load !== undefined)
    .map((result) => result.load!.otherCores);
  const loaded = (sqliteOther.length > 0 ? Math.max(...sqliteOther) : otherCores) >= 0.25;
  const postgres = record.results.some((result) => result.database === 'postgres')
    ? ' In the PostgreSQL pass, other work includes the PostgreSQL server that Herald uses.'
    : '';
  const base =
    `Over the run, the benchmark's own processes (harness, Herald, receiver, clients) used ${benchCores} of the ` +
    `${cores} cores on average and other work on the machine used ${otherCores} (1-minute load average at the end: ` +
    `${loadAverage1m}).${postgres}`;
  return loaded
    ? `**The machine was loaded by other work during this run** (other engineers' builds and test suites). ${base} ` +
        'Absolute figures are lower than on an idle machine; the ratios to the raw ceiling, measured in the same ' +
        'run, are less affected but not immune.'
    : `No other work of note ran during the SQLite pass. ${base}`;
}

export function renderSection(record: RunRecord, svgName: string, resultFile: string): string {
  const m = record.machine;
  const perScenario = record.results
    .filter((result) => result.load !== undefined)
    .map((result) => `${result.database}/${result.scenario} ${result.load!.otherCores}`)
    .join(', ');
  return [
    BEGIN,
    '',
    `## Latest results`,
    '',
    `Run on ${record.startedAt.slice(0, 10)} (${record.startedAt} to ${record.finishedAt}) with:`,
    '',
    '```sh',
    record.command,
    '```',
    '',
    `Scale: **${record.config.scale}** of the sizes in issue 7` +
      (record.config.scale === 1
        ? ' (the full sizes).'
        : ' (a reduced run; see the sizes in the JSON record).'),
    `Record: \`${resultFile}\` (kept locally, not committed).`,
    '',
    `Machine: ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB memory, Node.js ${m.node}, ${m.platform}, ` +
      `kernel ${m.kernel}.`,
    '',
    loadSentence(record),
    perScenario === '' ? '' : `Cores used by other work, per scenario: ${perScenario}.`,
    '',
    markdownTable(rows(record.results)),
    '',
    `![Throughput, latency, delivery rate and memory of the latest run](${svgName})`,
    '',
    END,
  ].join('\n');
}

const PREAMBLE = `# Performance

\`npm run bench\` measures Herald against the targets of issue 7 and rewrites the section below. See
[Benchmark harness](#benchmark-harness) for what each scenario does.

`;

export function updateDoc(file: string, section: string): void {
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : PREAMBLE;
  const begin = existing.indexOf('<!-- bench:begin');
  const end = existing.indexOf(END);
  const updated =
    begin >= 0 && end > begin
      ? existing.slice(0, begin) + section + existing.slice(end + END.length)
      : `${existing.trimEnd()}\n\n${section}\n`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, updated);
}
