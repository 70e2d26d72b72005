/** An application's dead letters (deliveries whose retries ran out), with bulk replay. */
import { useState } from 'react';
import type { DeadLetter, Endpoint, EventType, Page } from '../lib/types';
import { enc } from '../lib/api';
import { formatTime, timeAgo } from '../lib/format';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { Empty, ErrorMessage } from '../components/states';
import { EndpointFilter, EventTypeFilter } from '../components/FilterSelect';
import type { Column } from '../components/DataTable';
import { ListView } from '../components/ListView';
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
  const columns: Array<Column<DeadLetter>> = [
    { header: 'Message', cell: (letter) => <code>{letter.id}</code> },
    { header: 'Event type', cell: (letter) => <code>{letter.eventType}</code> },
    { header: 'Endpoint', className: 'url-cell', cell: (letter) => urlOf(letter.endpointId) },
    { header: 'Attempts', cell: (letter) => letter.attempts },
    {
      header: 'Last attempt',
      title: (letter) => formatTime(letter.lastAttempt),
      cell: (letter) => timeAgo(letter.lastAttempt),
    },
  ];

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
          <EndpointFilter
            endpoints={context.data.endpoints}
            value={filter.endpointId}
            onChange={(endpointId) => setFilter({ ...filter, endpointId })}
          />
          <EventTypeFilter
            eventTypes={context.data.eventTypes}
            value={filter.eventType}
            onChange={(eventType) => setFilter({ ...filter, eventType })}
          />
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
      <ListView
        resource={letters}
        loading="Loading dead letters"
        empty={
          <Empty title="No dead letters.">
            <p className="muted">Every delivery that matches either succeeded or is still being retried.</p>
          </Empty>
        }
        caption="Dead letters"
        columns={columns}
        rowKey={(letter) => `${letter.id}:${letter.endpointId}`}
        footnote={letters.data?.done === false && <p className="muted small">Showing the newest 100.</p>}
      />
    </>
  );
}
