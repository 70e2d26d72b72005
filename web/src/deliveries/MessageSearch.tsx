/**
 * An application's messages, found with `POST …/msg/search`: by event type, channel and time (the 90 days
 * before "Until" when "From" is blank), newest first, a page at a time. Each opens in the delivery log.
 */
import { useState, type FormEvent } from 'react';
import type { EventType, Message } from '../lib/types';
import { enc } from '../lib/api';
import { Link } from '../lib/router';
import { formatTime } from '../lib/format';
import { nameError } from '../lib/validate';
import { useAction } from '../lib/use-action';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { AppHeader } from '../apps/AppHeader';
import { Field } from '../components/Field';
import { EventTypeFilter } from '../components/FilterSelect';
import { Empty, ErrorMessage } from '../components/states';

interface SearchPage {
  data: Message[];
  iterator: string | null;
  done: boolean;
}

const isoOf = (local: string) => (local === '' ? null : new Date(local).toISOString());

export function MessageSearch({ appId }: { appId: string }) {
  const { api } = useSession();
  const eventTypes = useResource('event-types:all', () =>
    api.all<EventType>('/event-type', { include_archived: true }),
  );
  const [eventType, setEventType] = useState('');
  const [channel, setChannel] = useState('');
  const [after, setAfter] = useState('');
  const [before, setBefore] = useState('');
  const [found, setFound] = useState<SearchPage | null>(null);
  const { busy, error, run } = useAction();
  const channelError = nameError(channel, 'A channel');

  const search = (iterator: string | null) =>
    run(async () => {
      const page = await api.post<SearchPage>(`/app/${enc(appId)}/msg/search`, {
        limit: 50,
        iterator,
        event_types: eventType === '' ? null : [eventType],
        channel: channel === '' ? null : channel,
        after: isoOf(after),
        before: isoOf(before),
      });
      setFound((previous) =>
        iterator && previous ? { ...page, data: [...previous.data, ...page.data] } : page,
      );
    });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!channelError) void search(null);
  };

  return (
    <>
      <AppHeader appId={appId} section="messages" title="Messages" />
      <form className="filters" role="search" aria-label="Search messages" onSubmit={submit} noValidate>
        <EventTypeFilter eventTypes={eventTypes.data ?? []} value={eventType} onChange={setEventType} />
        <Field label="Channel" error={channelError}>
          <input value={channel} onChange={(e) => setChannel(e.target.value)} spellCheck={false} />
        </Field>
        <Field label="From">
          <input type="datetime-local" value={after} onChange={(e) => setAfter(e.target.value)} />
        </Field>
        <Field label="Until">
          <input type="datetime-local" value={before} onChange={(e) => setBefore(e.target.value)} />
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Searching…' : 'Search'}
        </button>
      </form>
      {error && <ErrorMessage error={error} />}
      {found && found.data.length === 0 && <Empty title="No messages match this search." />}
      {found && found.data.length > 0 && (
        <div className="table-wrap">
          <table className="messages">
            <thead>
              <tr>
                <th scope="col">Message</th>
                <th scope="col">Event type</th>
                <th scope="col">Channels</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {found.data.map((message) => (
                <tr key={message.id}>
                  <td>
                    <Link to={`/apps/${enc(appId)}/deliveries?msg=${enc(message.id)}`}>
                      <code>{message.eventId ?? message.id}</code>
                    </Link>
                  </td>
                  <td>{message.eventType}</td>
                  <td>{message.channels?.join(', ') ?? '—'}</td>
                  <td>{formatTime(message.timestamp)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {found && !found.done && found.iterator && (
        <button type="button" disabled={busy} onClick={() => void search(found.iterator)}>
          More messages
        </button>
      )}
    </>
  );
}
