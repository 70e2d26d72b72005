/** Queues an endpoint's failed deliveries of a recent period again (the API's "recover"). */
import { useId, useState } from 'react';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/use-action';

const PERIODS = [
  { label: 'last hour', hours: 1 },
  { label: 'last 24 hours', hours: 24 },
  { label: 'last 7 days', hours: 24 * 7 },
  { label: 'last 14 days', hours: 24 * 14 },
];

export function RecoverButton({ path, onDone }: { path: string; onDone: (notice: string) => void }) {
  const { api } = useSession();
  const [open, setOpen] = useState(false);
  const [hours, setHours] = useState(24);
  const { busy, error, run } = useAction();
  const id = useId();

  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Recover failed…
      </button>
    );
  const recover = () =>
    run(async () => {
      await api.post(`${path}/recover`, { since: new Date(Date.now() - hours * 3_600_000).toISOString() });
      setOpen(false);
      onDone('Failed deliveries queued again; watch them below.');
    });
  return (
    <span className="confirm" role="group" aria-label="Recover failed deliveries">
      <label htmlFor={id}>Resend failed deliveries of the</label>
      <select id={id} value={hours} onChange={(e) => setHours(Number(e.target.value))}>
        {PERIODS.map((period) => (
          <option key={period.hours} value={period.hours}>
            {period.label}
          </option>
        ))}
      </select>
      <button type="button" className="primary" onClick={recover} disabled={busy}>
        {busy ? 'Queuing…' : 'Recover'}
      </button>
      <button type="button" onClick={() => setOpen(false)} disabled={busy}>
        Cancel
      </button>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
