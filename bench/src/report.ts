/** The run's record: the JSON written under bench/results/ and the table printed at the end. */
import fs from 'node:fs';
import path from 'node:path';
import type { BenchConfig } from './config.js';
import { showTarget, type ScenarioResult } from './figures.js';
import type { Load, MachineInfo } from './machine.js';

export interface RunRecord {
  startedAt: string;
  finishedAt: string;
  command: string;
  config: BenchConfig & { postgresUrl: string | undefined };
  machine: MachineInfo;
  /** Load on the machine over the whole run. */
  load: Load;
  results: ScenarioResult[];
}

export function writeRecord(record: RunRecord, directory: string): string {
  fs.mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `${record.startedAt.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}

export interface Row {
  database: string;
  scenario: string;
  figure: string;
  measured: string;
  target: string;
  result: string;
}

export function rows(results: ScenarioResult[]): Row[] {
  const out: Row[] = [];
  for (const result of results) {
    if (result.error !== undefined)
      out.push({
        database: result.database,
        scenario: result.scenario,
        figure: 'could not run',
        measured: result.error.split('\n')[0]!.slice(0, 100),
        target: '–',
        result: 'ERROR',
      });
    for (const figure of result.figures)
      out.push({
        database: result.database,
        scenario: figure.scenario,
        figure: figure.label,
        measured: figure.shown,
        target: showTarget(figure.target, figure.unit),
        result: figure.pass === null ? (figure.target === null ? '–' : 'n/a') : figure.pass ? 'pass' : 'MISS',
      });
  }
  return out;
}

const COLUMNS: Array<[keyof Row, string]> = [
  ['database', 'database'],
  ['scenario', 'scenario'],
  ['figure', 'figure'],
  ['measured', 'measured'],
  ['target', 'target'],
  ['result', 'result'],
];

export function textTable(table: Row[]): string {
  const widths = COLUMNS.map(([key, title]) =>
    Math.max(title.length, ...table.map((row) => row[key].length)),
  );
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  return [
    line(COLUMNS.map(([, title]) => title)),
    line(widths.map((width) => '-'.repeat(width))),
    ...table.map((row) => line(COLUMNS.map(([key]) => row[key]))),
  ].join('\n');
}

export function markdownTable(table: Row[]): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [
    `| ${COLUMNS.map(([, title]) => title).join(' | ')} |`,
    `| ${COLUMNS.map(() => '---').join(' | ')} |`,
    ...table.map((row) => `| ${COLUMNS.map(([key]) => escape(row[key])).join(' | ')} |`),
  ].join('\n');
}
