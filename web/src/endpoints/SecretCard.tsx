/** An endpoint's signing secret: reveal it (the API records each reveal) and rotate it with a grace period. */
import { useId, useState } from 'react';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/use-action';
import { CopyButton } from '../components/CopyButton';
import { ErrorMessage, Notice } from '../components/states';

const GRACE = [
  { label: 'no grace period (the old secret stops at once)', seconds: 0 },
  { label: '1 hour', seconds: 3600 },
  { label: '24 hours', seconds: 86_400 },
  { label: '7 days', seconds: 7 * 86_400 },
];

export function SecretCard({ path }: { path: string }) {
  const { api } = useSession();
  const [secret, setSecret] = useState<string | null>(null);
  const [grace, setGrace] = useState(86_400);
  const [confirming, setConfirming] = useState(false);
  const { busy, notice, error, run } = useAction();
  const graceId = useId();

  const reveal = () => run(async () => setSecret((await api.get<{ key: string }>(`${path}/secret`)).key));
  const rotate = () =>
    run(async () => {
      await api.post(`${path}/secret/rotate`, { gracePeriodSeconds: grace });
      setSecret(null);
      setConfirming(false);
      const label = GRACE.find((g) => g.seconds === grace)?.label ?? `${grace} s`;
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
        <div className="secret-row">
          <input
            readOnly
            value={secret}
            aria-label="Signing secret"
            className="mono"
            onFocus={(e) => e.target.select()}
          />
          <CopyButton value={secret} />
          <button type="button" className="small" onClick={() => setSecret(null)}>
            Hide
          </button>
        </div>
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
          <div className="confirm" role="group" aria-label="Rotate the signing secret">
            <label htmlFor={graceId}>Keep the old secret signing for</label>
            <select id={graceId} value={grace} onChange={(e) => setGrace(Number(e.target.value))}>
              {GRACE.map((g) => (
                <option key={g.seconds} value={g.seconds}>
                  {g.label}
                </option>
              ))}
            </select>
            <button type="button" className="primary" onClick={rotate} disabled={busy}>
              {busy ? 'Rotating…' : 'Rotate now'}
            </button>
            <button type="button" onClick={() => setConfirming(false)} disabled={busy}>
              Cancel
            </button>
          </div>
        )}
      </div>
      {notice && <Notice>{notice}</Notice>}
      {error && <ErrorMessage error={error} />}
    </section>
  );
}
