/** Read-only text such as a payload, a response body or headers, scrollable and labelled. */
export function Code({ label, text }: { label: string; text: string }) {
  return (
    <div className="code-block">
      <p className="code-label">{label}</p>
      <pre className="code" aria-label={label} tabIndex={0}>
        {text === '' ? <span className="muted">(empty)</span> : text}
      </pre>
    </div>
  );
}

export function HeaderTable({
  headers,
  caption,
}: {
  headers: Record<string, string> | null;
  caption: string;
}) {
  const entries = Object.entries(headers ?? {});
  if (entries.length === 0) return <p className="muted">No {caption.toLowerCase()} recorded.</p>;
  return (
    <div className="table-wrap">
      <table className="headers">
        <caption>{caption}</caption>
        <tbody>
          {entries.map(([name, value]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>
                <code>{value}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Read-only text with line numbers, and the lines in `marked` highlighted: output that has problems. */
export function NumberedCode({
  label,
  text,
  marked = [],
}: {
  label: string;
  text: string;
  marked?: number[];
}) {
  const bad = new Set(marked);
  return (
    <div className="code-block">
      <p className="code-label">{label}</p>
      <pre className="code numbered" aria-label={label} tabIndex={0}>
        {text === '' ? (
          <span className="muted">(empty)</span>
        ) : (
          text.split('\n').map((line, i) => (
            <span key={i} className={bad.has(i + 1) ? 'code-line bad' : 'code-line'} data-line={i + 1}>
              <span className="ln" aria-hidden="true">
                {i + 1}
              </span>
              <span>{line === '' ? ' ' : line}</span>
            </span>
          ))
        )}
      </pre>
    </div>
  );
}
