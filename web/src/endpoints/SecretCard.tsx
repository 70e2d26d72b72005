/** An endpoint's signing secret: reveal it (the API records each reveal) and rotate it with a grace period. */
import { useState } from 'react';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/use-action';
import { CopyField } from '../components/CopyField';
import { ConfirmChoice } from '../components/ConfirmChoice';
import { ErrorMessage, Notice } from '../components/states';

/** Grace periods, in seconds. */
const GRACE = [
  { label: 'no grace period (the old secret stops at once)', value: 0 },
  { label: '1 hour', value: 3600 },
  { label: '24 hours', value: 86_400 },
  { label: '7 days', value: 7 * 86_400 },
];

export function SecretCard({ path }: { path: string }) {
  const { api } = useSession();
  const [secret, setSecret] = useState<string | null>(null);
  const [grace, setGrace] = useState(86_400);
  const [confirming, setConfirming] = useState(false);
  const { busy, notice, error, run } = useAction();

  const reveal = () => run(async () => setSecret((await api.get<{ key: string }>(`${path}/secret`)).key));
  const rotate = () =>
    run(async () => {
      await api.post(`${path}/secret/rotate`, { gracePeriodSeconds: grace });
      setSecret(null);
      setConfirming(false);
      const label = GRACE.find((g) => g.value === grace)?.label ?? `${grace} s`;
      return grace === 0
        ? 'Secret rotated. Only the new secret signs from now on; reveal it and give it to the receiver.'
        : `Secret rotated. The old secret keeps signing beside the new one for ${label}; update the receiver within that time.`;
    });

  return (
    <section className="card" aria-labelledby="secret-title">
      <h2 id="secret-title">Signing secret</h2>
      <p className="muted small">
        Receivers verify each webhook&apos;s signature with this secret. Every reveal is recorded in the audit
        log.
      </p>
      {secret ? (
        <CopyField label="Signing secret" value={secret}>
          <button type="button" className="small" onClick={() => setSecret(null)}>
            Hide
          </button>
        </CopyField>
      ) : (
        <button type="button" onClick={reveal} disabled={busy}>
          Reveal secret
        </button>
      )}
      <div className="rotate">
        {!confirming ? (
          <button type="button" onClick={() => setConfirming(true)} disabled={busy}>
            Rotate secret…
          </button>
        ) : (
          <ConfirmChoice
            name="Rotate the signing secret"
            label="Keep the old secret signing for"
            choices={GRACE}
            value={grace}
            onChange={setGrace}
            action={['Rotate now', 'Rotating…']}
            busy={busy}
            onConfirm={rotate}
            onCancel={() => setConfirming(false)}
          />
        )}
      </div>
      {notice && <Notice>{notice}</Notice>}
      {error && <ErrorMessage error={error} />}
    </section>
  );
}
