/** Template problems as the editor shows them: where they are, and whether they are in the source or the output. */
import type { TemplateProblem } from '../lib/types';

const KIND: Record<TemplateProblem['kind'], string> = {
  syntax: 'Syntax',
  unknown_filter: 'Unknown filter',
  unknown_variable: 'Unknown variable',
  render: 'Rendering failed',
  output: 'Invalid output',
  binding: 'Event type',
};

export const kindLabel = (problem: TemplateProblem) => KIND[problem.kind] ?? problem.kind;

/** `line 3, column 5`, or '' when the problem has no place. */
export function where(problem: TemplateProblem): string {
  if (problem.line === null) return '';
  return `line ${problem.line}${problem.column === null ? '' : `, column ${problem.column}`}`;
}

/** Output problems are placed in the rendered output; every other kind in the template source. */
export const inOutput = (problem: TemplateProblem) => problem.kind === 'output';

/** The source lines that have problems, with what is wrong there. */
export function sourceMarks(problems: TemplateProblem[]) {
  return problems
    .filter((p) => !inOutput(p) && p.line !== null)
    .map((p) => ({ line: p.line!, message: p.message }));
}
