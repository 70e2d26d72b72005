/**
 * The template's Liquid source in a numbered editor, with each problem listed by its line and column and marked
 * on that line; choosing a problem moves the caret there.
 */
import { useId, useRef } from 'react';
import type { TemplateProblem } from '../lib/types';
import { CodeEditor, moveCaret } from '../components/CodeEditor';
import { inOutput, kindLabel, sourceMarks, where } from './problems';

interface Props {
  value: string;
  onChange: (body: string) => void;
  /** Every problem of the latest preview; output problems are left to the preview. */
  problems: TemplateProblem[];
  /** A problem the form itself finds, such as an empty template. */
  error?: string | undefined;
  readOnly: boolean;
  onStarter: () => void;
}

export function TemplateSource({ value, onChange, problems, error, readOnly, onStarter }: Props) {
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const own = problems.filter((p) => !inOutput(p));
  const describedBy = [`${id}-hint`, error && `${id}-error`, own.length > 0 && `${id}-problems`]
    .filter(Boolean)
    .join(' ');
  return (
    <div className={error || own.length > 0 ? 'field invalid' : 'field'}>
      <label htmlFor={id}>Template</label>
      <CodeEditor
        id={id}
        value={value}
        onChange={onChange}
        marks={sourceMarks(own)}
        readOnly={readOnly}
        textareaRef={area}
        rows={14}
        aria-describedby={describedBy}
        aria-invalid={error || own.length > 0 ? true : undefined}
      />
      <p id={`${id}-hint`} className="hint">
        Liquid, such as <code>{'{{ event.data.id | json }}'}</code>. Templates get <code>event</code> (type,
        id, timestamp, data), <code>endpoint</code> and <code>app</code>; use the <code>json</code> filter for
        every value in a JSON template. See docs/templates.md for the filters.
      </p>
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}{' '}
          {!readOnly && (
            <button type="button" className="small" onClick={onStarter}>
              Start from the example
            </button>
          )}
        </p>
      )}
      {own.length > 0 && (
        <ul id={`${id}-problems`} className="problems" aria-label="Problems in the template">
          {own.map((problem, i) => (
            <li key={i}>
              {problem.line !== null ? (
                <button
                  type="button"
                  className="link"
                  onClick={() => moveCaret(area.current, problem.line!, problem.column)}
                >
                  {capital(where(problem))}
                </button>
              ) : (
                <strong>{kindLabel(problem)}</strong>
              )}
              : {problem.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
