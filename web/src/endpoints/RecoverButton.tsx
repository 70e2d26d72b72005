/**
 * Queues an endpoint's failed deliveries of a recent period again (the API's "recover", a background task),
 * and follows the task until it says how many it queued.
 */
import { useState } from 'react';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/use-action';
import { followTask } from '../lib/background-task';
import { ConfirmChoice } from '../components/ConfirmChoice';

/** How far back to look, in hours. */
const PERIODS = [
  { label: 'last hour', value: 1 },
  { label: 'last 24 hours', value: 24 },
  { label: 'last 7 days', value: 24 * 7 },
  { label: 'last 14 days', value: 24 * 14 },
];

export function RecoverButton({ path, onDone }: { path: string; onDone: (notice: string) => void }) {
  const { api } = useSession();
  const [open, setOpen] = useState(false);
  const [hours, setHours] = useState(24);
  const { busy, error, run } = useAction();

  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Recover failed…
      </button>
    );
  const recover = () =>
    run(async () => {
      const started = await api.post<{ id: string }>(`${path}/recover`, {
        since: new Date(Date.now() - hours * 3_600_000).toISOString(),
      });
      const task = await followTask(api, started.id);
      const sent = Number(task.data.messagesSent ?? 0);
      setOpen(false);
      onDone(
        sent === 0
          ? 'No failed deliveries in that period.'
          : `${sent} failed ${sent === 1 ? 'delivery' : 'deliveries'} queued again; watch them below.`,
      );
    });
  return (
    <ConfirmChoice
      name="Recover failed deliveries"
      label="Resend failed deliveries of the"
      choices={PERIODS}
      value={hours}
      onChange={setHours}
      action={['Recover', 'Recovering…']}
      busy={busy}
      onConfirm={recover}
      onCancel={() => setOpen(false)}
    >
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </ConfirmChoice>
  );
}
