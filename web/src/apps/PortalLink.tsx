/** Hands a customer a link to the consumer portal, which shows them only this application. */
import { useState } from 'react';
import { enc } from '../lib/api';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/use-action';
import { CopyField } from '../components/CopyField';
import { ErrorMessage } from '../components/states';

export function PortalLink({ appId }: { appId: string }) {
  const { api } = useSession();
  const [url, setUrl] = useState<string | null>(null);
  const { busy, error, run } = useAction();

  const create = () =>
    run(async () => {
      const access = await api.post<{ url: string }>(`/auth/app-portal-access/${enc(appId)}`, {});
      setUrl(access.url);
    });

  return (
    <details className="card portal">
      <summary>Consumer portal link</summary>
      <p>
        Give your customer a link that opens this dashboard showing only this application, where they can
        manage their endpoints, send test events and debug deliveries. The link opens once, within 10 minutes,
        and keeps them signed in for 7 days; whoever opens it first gets access, so send it privately and at
        once.
      </p>
      {url ? (
        <CopyField label="Portal link" value={url} />
      ) : (
        <button type="button" onClick={create} disabled={busy}>
          {busy ? 'Creating…' : 'Create portal link'}
        </button>
      )}
      {error && <ErrorMessage error={error} />}
    </details>
  );
}
