/** The schema versions of an event type, one shown at a time, each with its JSON Schema and example payload. */
import { useState } from 'react';
import { JsonEditor } from '../components/JsonEditor';
import { STARTER_SCHEMA, type VersionDraft } from './versions';

interface Props {
  versions: VersionDraft[];
  onChange: (versions: VersionDraft[]) => void;
  problems: Array<{ schema?: string; example?: string }>;
}

export function SchemaVersions({ versions, onChange, problems }: Props) {
  // null shows the newest version.
  const [shown, setShown] = useState<number | null>(null);
  const index = shown === null ? versions.length - 1 : Math.min(shown, versions.length - 1);
  const current = versions[index];
  const problem = problems[index] ?? {};

  const add = () => {
    const last = versions[versions.length - 1];
    const version = String(Math.max(0, ...versions.map((v) => Number(v.version))) + 1);
    onChange([
      ...versions,
      last ? { ...last, version } : { version, schema: STARTER_SCHEMA, example: '', more: [] },
    ]);
    setShown(versions.length);
  };
  const update = (change: Partial<VersionDraft>) =>
    onChange(versions.map((v, i) => (i === index ? { ...v, ...change } : v)));
  const remove = () => {
    onChange(versions.filter((_, i) => i !== index));
    setShown(null);
  };

  return (
    <fieldset className="plain schema-versions">
      <legend>Payload schema</legend>
      <p className="hint">
        A JSON Schema that payloads of this type must satisfy; messages that do not are refused. A new version
        applies to new messages. The example is what test events send, and what customers see.
      </p>
      {versions.length > 0 && (
        <div className="version-tabs" role="group" aria-label="Schema versions">
          {versions.map((v, i) => (
            <button
              type="button"
              key={v.version}
              className={i === index ? 'small current' : 'small'}
              aria-pressed={i === index}
              onClick={() => setShown(i)}
            >
              Version {v.version}
              {problems[i]?.schema || problems[i]?.example ? ' ⚠' : ''}
            </button>
          ))}
        </div>
      )}
      {current && (
        <>
          <JsonEditor
            label={`JSON Schema (version ${current.version})`}
            value={current.schema}
            onChange={(schema) => update({ schema })}
            error={problem.schema}
            rows={12}
          />
          <JsonEditor
            label={`Example payload (version ${current.version})`}
            hint="Optional; a JSON object that satisfies the schema."
            value={current.example}
            onChange={(example) => update({ example })}
            error={problem.example}
            rows={6}
          />
          {!problem.schema && !problem.example && (
            <p className="ok-text" role="status">
              The schema is valid{current.example.trim() ? ' and the example matches it' : ''}.
            </p>
          )}
        </>
      )}
      <div className="actions">
        <button type="button" className="small" onClick={add}>
          {versions.length === 0 ? 'Add a schema' : 'Add a new version'}
        </button>
        {current && (
          <button type="button" className="small" onClick={remove}>
            Remove version {current.version}
          </button>
        )}
      </div>
    </fieldset>
  );
}
