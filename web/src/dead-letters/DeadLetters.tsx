/** An application's dead letters (deliveries whose retries ran out), with bulk replay. */
import { useState } from 'react';
import type { DeadLetter, Endpoint, EventType, Page } from '../lib/types';
import { enc } from '../lib/api';
import { formatTime, timeAgo } from '../lib/format';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { Empty, ErrorMessage, Loading } from '../components/states';
import { Field } from '../components/Field';
import { AppHeader } from '../apps/AppHeader';
import { BulkReplay, type ReplayFilter } from './BulkReplay';

export function DeadLetters({ appId }: { appId: string }) {
  const { api } = useSession();
  const base = `/app/${enc(appId)}`;
  const [filter, setFilter] = useState<ReplayFilter>({ endpointId: '', eventType: '' });
  const context = useResource(`dead-context:${appId}`, async () => {
    const [endpoints, eventTypes] = await Promise.all([
      api.all<Endpoint>(`${base}/endpoint`),
      api.all<EventType>('/event-type', { include_archived: true }),
    ]);
    return { endpoints, eventTypes };
  });
  const letters = useResource(`dead:${appId}:${JSON.stringify(filter)}`, () =>
    api.get<Page<DeadLetter>>(`${base}/dead-letter`, {
      limit: 100,
      with_content: false,
      endpoint_id: filter.endpointId || undefined,
      event_types: filter.eventType || undefined,
    }),
  );
  const urlOf = (id: string) => context.data?.endpoints.find((e) => e.id === id)?.url ?? id;

  return (
    <>
      <AppHeader appId={appId} section="dead-letters" title="Dead letters" />
      <p className="muted">
        Deliveries whose retries are exhausted. Fix the receiver first, then replay them: each is sent again
        now, as a manual attempt with a fresh retry schedule.
      </p>
      {context.error && <ErrorMessage error={context.error} retry={context.reload} />}
      {context.data && (
        <form className="filters" aria-label="Filter dead letters" onSubmit={(e) => e.preventDefault()}>
          <Field label="Endpoint">
            <select
              value={filter.endpointId}
              onChange={(e) => setFilter({ ...filter, endpointId: e.target.value })}
            >
              <option value="">All endpoints</option>
              {context.data.endpoints.map((endpoint) => (
                <option key={endpoint.id} value={endpoint.id}>
                  {endpoint.url}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Event type">
            <select
              value={filter.eventType}
              onChange={(e) => setFilter({ ...filter, eventType: e.target.value })}
            >
              <option value="">Any event type</option>
              {context.data.eventTypes.map((type) => (
                <option key={type.name} value={type.name}>
                  {type.name}
                </option>
              ))}
            </select>
          </Field>
        </form>
      )}
      {context.data && (
        <BulkReplay
          appId={appId}
          filter={filter}
          endpoints={context.data.endpoints}
          onReplayed={() => void letters.reload()}
        />
      )}
      {letters.error && <ErrorMessage error={letters.error} retry={letters.reload} />}
      {letters.loading && !letters.data && <Loading what="Loading dead letters" />}
      {letters.data && letters.data.data.length === 0 && (
        <Empty title="No dead letters.">
          <p className="muted">Every delivery that matches either succeeded or is still being retried.</p>
        </Empty>
      )}
      {letters.data && letters.data.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Dead letters</caption>
            <thead>
              <tr>
                <th scope="col">Message</th>
                <th scope="col">Event type</th>
                <th scope="col">Endpoint</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last attempt</th>
              </tr>
            </thead>
            <tbody>
              {letters.data.data.map((letter) => (
                <tr key={`${letter.id}:${letter.endpointId}`}>
                  <td>
                    <code>{letter.id}</code>
                  </td>
                  <td>
                    <code>{letter.eventType}</code>
                  </td>
                  <td className="url-cell">{urlOf(letter.endpointId)}</td>
                  <td>{letter.attempts}</td>
                  <td title={formatTime(letter.lastAttempt)}>{timeAgo(letter.lastAttempt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {!letters.data.done && <p className="muted small">Showing the newest 100.</p>}
        </div>
      )}
    </>
  );
}
