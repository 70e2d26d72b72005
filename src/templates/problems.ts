/** What can be wrong with a template, with where it is: the words every error report of a template uses. */

export type ProblemKind =
  /** The source does not parse: an unclosed tag, an unknown tag, a bad expression. */
  | 'syntax'
  /** A filter that does not exist. */
  | 'unknown_filter'
  /** A variable that is not offered to templates, or not in the event type's schema. */
  | 'unknown_variable'
  /** Rendering failed: a filter failed on its input, or a limit (time, memory, output size) was hit. */
  | 'render'
  /** The output is not valid for the template's content type, or not in its payload version's schema. */
  | 'output'
  /** The endpoint's template cannot be used: it or its version is missing, or no template maps the version. */
  | 'binding';

export interface TemplateProblem {
  kind: ProblemKind;
  message: string;
  /** 1-based line in the template source (or in the output, for `output` problems); null when unknown. */
  line: number | null;
  column: number | null;
}

export function problem(
  kind: ProblemKind,
  message: string,
  line: number | null = null,
  column: number | null = null,
): TemplateProblem {
  return { kind, message, line, column };
}

/** One line for logs and attempt records: `line 2, column 5: output "{{ x }" not closed`. */
export function describeProblem(p: TemplateProblem): string {
  const where = p.line === null ? '' : `line ${p.line}${p.column === null ? '' : `, column ${p.column}`}: `;
  return `${where}${p.message}`;
}

export function describeProblems(problems: readonly TemplateProblem[]): string {
  return problems.map(describeProblem).join('; ');
}
