/** Custom headers sent with every webhook to an endpoint; sensitive values stay hidden once saved. */
import { headerError, headerRow, type HeaderRow } from './draft';

interface Props {
  rows: HeaderRow[];
  onChange: (rows: HeaderRow[]) => void;
  error?: string | undefined;
}

export function HeadersEditor({ rows, onChange, error }: Props) {
  const update = (key: number, change: Partial<HeaderRow>) =>
    onChange(rows.map((row) => (row.key === key ? { ...row, ...change } : row)));
  return (
    <fieldset className="headers-editor">
      <legend>Custom headers</legend>
      <p className="hint">
        Sent with every webhook, for example an Authorization header your receiver checks. Values of sensitive
        headers (authorization, tokens, keys) are stored encrypted and never shown again.
      </p>
      {rows.length > 0 && (
        <ul>
          {rows.map((row, index) => {
            const problem = headerError(row, rows);
            const errorId = `header-error-${row.key}`;
            return (
              <li key={row.key} className={problem ? 'header-row invalid' : 'header-row'}>
                <label>
                  <span className="sr-only">Header {index + 1} name</span>
                  <input
                    placeholder="Header name"
                    value={row.name}
                    spellCheck={false}
                    aria-invalid={problem ? true : undefined}
                    aria-describedby={problem ? errorId : undefined}
                    onChange={(e) => update(row.key, { name: e.target.value })}
                  />
                </label>
                <label>
                  <span className="sr-only">Header {index + 1} value</span>
                  <input
                    placeholder={row.hidden ? 'Hidden; type to replace' : 'Value'}
                    value={row.value}
                    spellCheck={false}
                    onChange={(e) => update(row.key, { value: e.target.value })}
                  />
                </label>
                <button
                  type="button"
                  className="small"
                  onClick={() => onChange(rows.filter((other) => other.key !== row.key))}
                >
                  Remove<span className="sr-only"> header {row.name || index + 1}</span>
                </button>
                {problem && (
                  <p id={errorId} className="field-error">
                    {problem}
                  </p>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {error && rows.length === 0 && <p className="field-error">{error}</p>}
      <button type="button" className="small" onClick={() => onChange([...rows, headerRow()])}>
        Add header
      </button>
    </fieldset>
  );
}
