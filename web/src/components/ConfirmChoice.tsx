/**
 * Asks, in place, how far an action reaches before it runs, such as how long an old secret keeps signing or
 * how far back failed deliveries are sent again: a choice, the button that acts, and one that changes nothing.
 */
import { useId, type ReactNode } from 'react';

interface Props {
  /** Names the group for screen readers, such as "Rotate the signing secret". */
  name: string;
  /** The choice's label, which leads into the choices: "Keep the old secret signing for". */
  label: string;
  choices: ReadonlyArray<{ label: string; value: number }>;
  value: number;
  onChange: (value: number) => void;
  /** What the acting button says, and what it says while the action runs. */
  action: [idle: string, busy: string];
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  /** After the buttons, such as what went wrong. */
  children?: ReactNode;
}

export function ConfirmChoice({ name, label, choices, value, onChange, action, busy, ...rest }: Props) {
  const id = useId();
  return (
    <span className="confirm" role="group" aria-label={name}>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(Number(e.target.value))}>
        {choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
      <button type="button" className="primary" onClick={rest.onConfirm} disabled={busy}>
        {busy ? action[1] : action[0]}
      </button>
      <button type="button" onClick={rest.onCancel} disabled={busy}>
        Cancel
      </button>
      {rest.children}
    </span>
  );
}
