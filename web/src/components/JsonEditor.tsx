/** A textarea for JSON that says, as you type, whether and where the JSON is broken. */
import { Field } from './Field';

export function parseJson(text: string): { value?: unknown; error?: string } {
  if (text.trim() === '') return { value: undefined };
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    if (at) {
      const before = text.slice(0, Number(at[1]));
      const line = before.split('\n').length;
      const column = before.length - before.lastIndexOf('\n');
      return {
        error: `not valid JSON at line ${line}, column ${column}: ${message.replace(/ in JSON.*$/, '')}`,
      };
    }
    return { error: `not valid JSON: ${message}` };
  }
}

interface Props {
  label: string;
  value: string;
  onChange: (text: string) => void;
  error?: string | undefined;
  hint?: string;
  rows?: number;
}

export function JsonEditor({ label, value, onChange, error, hint, rows = 10 }: Props) {
  return (
    <Field label={label} hint={hint} error={error}>
      <textarea
        className="mono"
        rows={rows}
        spellCheck={false}
        value={value}
        onChange={(event) => onChange(event.target.value)}
      />
    </Field>
  );
}
