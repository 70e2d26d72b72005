/**
 * The live preview beside the editor: the example payload it renders against (editable), and the body a
 * delivery would send, with problems in the output marked at their line.
 */
import { Badge } from '../components/StatusBadge';
import { NumberedCode } from '../components/Code';
import { JsonEditor } from '../components/JsonEditor';
import { ErrorMessage } from '../components/states';
import { inOutput, where } from './problems';
import type { Preview } from './use-preview';

interface Props {
  payload: string;
  onPayload: (text: string) => void;
  payloadError: string | undefined;
  /** Where the example came from, for the hint. */
  exampleFrom: string | null;
  preview: Preview;
  /** Why nothing renders, when nothing can. */
  idleReason: string | null;
}

export function TemplatePreview({
  payload,
  onPayload,
  payloadError,
  exampleFrom,
  preview,
  idleReason,
}: Props) {
  const { result, rendering, error } = preview;
  const outputProblems = (result?.errors ?? []).filter(inOutput);
  const sourceProblems = (result?.errors ?? []).length - outputProblems.length;
  return (
    <section className="card preview" aria-labelledby="preview-title">
      <div className="section-head">
        <h2 id="preview-title">Live preview</h2>
        <span className="muted small" role="status">
          {idleReason === null && rendering ? 'Updating…' : ''}
        </span>
      </div>
      <JsonEditor
        label="Example payload (event.data)"
        hint={
          exampleFrom
            ? `The example of ${exampleFrom}; edit it to try other data. It is not saved.`
            : 'The data to render with; choose an event type to start from its example. It is not saved.'
        }
        value={payload}
        onChange={onPayload}
        error={payloadError}
        rows={6}
      />
      {error && <ErrorMessage error={`The preview could not render: ${error}`} />}
      {idleReason !== null ? (
        <p className="muted">{idleReason}</p>
      ) : !result ? (
        <p className="muted">Rendering the preview…</p>
      ) : (
        <div aria-live="polite">
          <p className="preview-state">
            {result.ok ? <Badge tone="ok">Would be sent</Badge> : <Badge tone="bad">Would not be sent</Badge>}{' '}
            {result.headers['content-type'] && (
              <span className="small">
                content-type: <code>{result.headers['content-type']}</code>
              </span>
            )}
          </p>
          {result.body === null ? (
            <p className="warning">
              Nothing rendered: fix the {sourceProblems === 1 ? 'problem' : 'problems'} marked in the
              template.
            </p>
          ) : (
            <NumberedCode
              label="Rendered body"
              text={result.body}
              marked={outputProblems.flatMap((p) => (p.line === null ? [] : [p.line]))}
            />
          )}
          {outputProblems.length > 0 && (
            <ul className="problems" aria-label="Problems in the output">
              {outputProblems.map((problem, i) => (
                <li key={i}>
                  <strong>{problem.line === null ? 'Output' : `Output ${where(problem)}`}</strong>:{' '}
                  {problem.message}
                </li>
              ))}
            </ul>
          )}
          {result.ok && (
            <p className="ok-text">
              The template is valid and this is the body a delivery of this event would send.
            </p>
          )}
        </div>
      )}
    </section>
  );
}
