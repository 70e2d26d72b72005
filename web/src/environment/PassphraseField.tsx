/** The passphrase that seals an export's secrets, or opens them on import: a hidden, labelled input. */
import type { ReactNode } from 'react';
import { Field } from '../components/Field';

interface Props {
  label: string;
  hint: ReactNode;
  error: string | undefined;
  value: string;
  onChange: (value: string) => void;
  /** `new-password` when choosing one, so a password manager can offer to keep it. */
  autoComplete: 'new-password' | 'off';
}

export function PassphraseField({ label, hint, error, value, onChange, autoComplete }: Props) {
  return (
    <Field label={label} hint={hint} error={error}>
      <input
        type="password"
        autoComplete={autoComplete}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </Field>
  );
}
