/**
 * A form's buttons: the submit button, which says "Saving…" while the form saves, and the way out of the
 * form: a link back, or a button that closes it (unusable while it saves).
 */
import { Link } from '../lib/router';

export function SaveButton({ busy, label, disabled }: { busy: boolean; label: string; disabled?: boolean }) {
  return (
    <button type="submit" className="primary" disabled={busy || disabled}>
      {busy ? 'Saving…' : label}
    </button>
  );
}

type Way = { to: string; label?: string } | { onCancel: () => void };

export function FormActions({ busy, submit, out }: { busy: boolean; submit: string; out: Way }) {
  return (
    <div className="actions">
      <SaveButton busy={busy} label={submit} />
      {'to' in out ? (
        <Link to={out.to} className="button">
          {out.label ?? 'Cancel'}
        </Link>
      ) : (
        <button type="button" onClick={out.onCancel} disabled={busy}>
          Cancel
        </button>
      )}
    </div>
  );
}
