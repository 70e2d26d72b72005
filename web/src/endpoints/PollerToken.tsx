/**
 * A poller token for a polling endpoint: it may only read this endpoint's messages, so it can be handed to the
 * consumer instead of an application key. Herald keeps only its hash, so the token is shown once, here.
 */
import { useState } from 'react';
import { enc } from '../lib/api';
import { formatTime } from '../lib/format';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/use-action';
import { CopyField } from '../components/CopyField';
import { ErrorMessage } from '../components/states';

interface ApiTokenOut {
  token: string;
  expiresAt: string | null;
}

export function PollerToken({ appId, endpointId }: { appId: string; endpointId: string }) {
  const { api } = useSession();
  const [created, setCreated] = useState<ApiTokenOut | null>(null);
  const { busy, error, run } = useAction();
  const create = () =>
    run(async () => {
      const path = `/auth/app/${enc(appId)}/poller/${enc(endpointId)}/token/rotate`;
      setCreated(await api.post<ApiTokenOut>(path, {}));
    });

  return (
    <div>
      <h3>Poller token</h3>
      <p className="muted small">
        A token that may only read this endpoint&apos;s messages. A new one ends the previous token after five
        minutes.
      </p>
      <div className="actions">
        <button type="button" onClick={create} disabled={busy}>
          Create a poller token
        </button>
      </div>
      {error && <ErrorMessage error={error} />}
      {created && (
        <>
          <CopyField label="Poller token" value={created.token} />
          <p className="muted small">
            Copy it now: Herald shows it only once.
            {created.expiresAt && ` It expires ${formatTime(created.expiresAt)}.`}
          </p>
        </>
      )}
    </div>
  );
}
