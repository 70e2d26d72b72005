/**
 * A polling endpoint (a `poll:` URL): Herald sends it nothing; the customer reads its messages through the poller
 * API. The card gives the URL to read from and shows what a consumer reading from the start would get next.
 */
import { useState } from 'react';
import { enc } from '../lib/api';
import { formatTime } from '../lib/format';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/use-action';
import { CopyField } from '../components/CopyField';
import { ErrorMessage } from '../components/states';
import { PollerToken } from './PollerToken';

interface PollPage {
  data: Array<{ id: string; eventType: string; timestamp: string }>;
  iterator: string;
  done: boolean;
}

const PAGE = 10;

export function isPollingUrl(url: string): boolean {
  return url.startsWith('poll:');
}

export function PollingCard({ appId, endpointId }: { appId: string; endpointId: string }) {
  const { api } = useSession();
  const path = `/app/${enc(appId)}/poller/${enc(endpointId)}`;
  const [page, setPage] = useState<PollPage | null>(null);
  const [seen, setSeen] = useState<PollPage['data']>([]);
  const { busy, error, run } = useAction();

  const read = (iterator: string | null) =>
    run(async () => {
      const query = `?limit=${PAGE}${iterator ? `&iterator=${encodeURIComponent(iterator)}` : ''}`;
      const next = await api.get<PollPage>(`${path}${query}`);
      setSeen((before) => (iterator ? [...before, ...next.data] : next.data));
      setPage(next);
    });

  return (
    <section className="card" aria-labelledby="polling-title">
      <h2 id="polling-title">Polling endpoint</h2>
      <p className="muted small">
        Herald sends nothing to this endpoint. Your customer reads its messages with a poller token (below) or
        an application key from this URL (the svix SDK&apos;s <code>message.poller</code>); add{' '}
        <code>/consumer/&lt;name&gt;</code> to have Herald keep their position.
      </p>
      <CopyField label="Poller URL" value={`${window.location.origin}/api/v1${path}`} />
      <PollerToken appId={appId} endpointId={endpointId} />
      <div className="actions">
        <button type="button" onClick={() => read(null)} disabled={busy}>
          Show the first messages
        </button>
        {page && !page.done && (
          <button type="button" onClick={() => read(page.iterator)} disabled={busy}>
            Show more
          </button>
        )}
      </div>
      {error && <ErrorMessage error={error} />}
      {page && (
        <>
          {seen.length === 0 ? (
            <p className="muted">No messages for this endpoint yet.</p>
          ) : (
            <ul aria-label="Polled messages">
              {seen.map((message) => (
                <li key={message.id}>
                  <code>{message.eventType}</code> <code className="small">{message.id}</code>{' '}
                  <span className="muted small">{formatTime(message.timestamp)}</span>
                </li>
              ))}
            </ul>
          )}
          {page.done && seen.length > 0 && <p className="muted small">That is every message so far.</p>}
        </>
      )}
    </section>
  );
}
