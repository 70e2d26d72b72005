/** One delivery opened up: its message, every attempt, the chosen attempt in full, and a resend button. */
import { useState } from 'react';
import type { Attempt, AttemptDetail, Endpoint, Message } from '../lib/types';
import { enc } from '../lib/api';
import { duration, formatTime } from '../lib/format';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/use-action';
import { StatusBadge } from '../components/StatusBadge';
import { ErrorMessage, Notice, ResourceState } from '../components/states';
import { AttemptView } from './AttemptView';
import { LIVE_POLL_MS } from './load';

interface Props {
  appId: string;
  msgId: string;
  endpoint: Endpoint;
  /** When the next retry is due; undefined when the opener does not know (the newest attempt then says nothing). */
  nextAttempt?: string | null | undefined;
  onResent: () => void;
}

export function DeliveryDetail({ appId, msgId, endpoint, nextAttempt, onResent }: Props) {
  const { api } = useSession();
  const base = `/app/${enc(appId)}`;
  const data = useResource(
    `delivery:${msgId}:${endpoint.id}`,
    async () => {
      const [message, attempts] = await Promise.all([
        api.get<Message>(`${base}/msg/${enc(msgId)}`),
        api.all<Attempt>(
          `${base}/attempt/msg/${enc(msgId)}`,
          { endpoint_id: endpoint.id, with_content: false },
          250,
        ),
      ]);
      return { message, attempts };
    },
    LIVE_POLL_MS,
  );
  const [chosen, setChosen] = useState<string | null>(null);
  const { busy, notice, error, run } = useAction();

  const resend = () =>
    run(async () => {
      await api.post(`${base}/msg/${enc(msgId)}/endpoint/${enc(endpoint.id)}/resend`);
      onResent();
      await data.reload();
      return 'Queued again as a manual attempt; it appears below in a moment.';
    });

  if (!data.data) return <ResourceState resource={data} loading="Loading attempts" />;
  const { message, attempts } = data.data;
  const selected = chosen ?? attempts[0]?.id ?? null;
  return (
    <div className="delivery-detail">
      <div className="section-head">
        <p className="small">
          Message <code>{message.id}</code>
          {message.eventId && (
            <>
              {' '}
              · event id <code>{message.eventId}</code>
            </>
          )}
          {message.orderingKey !== undefined && (
            <>
              {' '}
              · ordering key <code>{message.orderingKey}</code>
            </>
          )}{' '}
          · to <span className="break">{endpoint.url}</span>
        </p>
        <button type="button" onClick={resend} disabled={busy}>
          Resend
        </button>
      </div>
      {notice && <Notice>{notice}</Notice>}
      {error && <ErrorMessage error={error} />}
      {attempts.length === 0 ? (
        <p className="muted">
          No attempts yet{nextAttempt ? `; the first is due ${formatTime(nextAttempt)}` : ''}.
        </p>
      ) : (
        <>
          <ol className="attempt-list" aria-label="Attempts, newest first">
            {attempts.map((attempt) => (
              <li key={attempt.id}>
                <button
                  type="button"
                  className={attempt.id === selected ? 'attempt-pick current' : 'attempt-pick'}
                  aria-pressed={attempt.id === selected}
                  onClick={() => setChosen(attempt.id)}
                >
                  <StatusBadge status={attempt.statusText} />{' '}
                  {attempt.responseStatusCode === 0
                    ? (attempt.errorClass ?? 'no response')
                    : attempt.responseStatusCode}{' '}
                  · {duration(attempt.responseDurationMs)} · {formatTime(attempt.timestamp)}
                  {attempt.triggerType === 1 ? ' · manual' : ''}
                </button>
              </li>
            ))}
          </ol>
          {selected && (
            <AttemptLoader
              path={`${base}/msg/${enc(msgId)}/attempt/${enc(selected)}`}
              message={message}
              nextAttempt={selected === attempts[0]?.id ? nextAttempt : undefined}
            />
          )}
        </>
      )}
    </div>
  );
}

function AttemptLoader({
  path,
  message,
  nextAttempt,
}: {
  path: string;
  message: Message;
  nextAttempt?: string | null;
}) {
  const { api } = useSession();
  const attempt = useResource(`attempt:${path}`, () => api.get<AttemptDetail>(path));
  // Loaded once: an error comes only before there is data.
  if (!attempt.data) return <ResourceState resource={attempt} loading="Loading the attempt" />;
  return <AttemptView attempt={attempt.data} message={message} nextAttempt={nextAttempt} />;
}
