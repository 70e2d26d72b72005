/** The event-type catalogue: every type endpoints can subscribe to. Admins create and edit them. */
import { useState } from 'react';
import type { EventType } from '../lib/types';
import { enc } from '../lib/api';
import { Link } from '../lib/router';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { Badge } from '../components/StatusBadge';
import { Empty, ErrorMessage, Loading } from '../components/states';

export function EventTypeList() {
  const { api, session } = useSession();
  const [archived, setArchived] = useState(false);
  const types = useResource(`catalogue:${archived}`, () =>
    api.all<EventType>('/event-type', { with_content: true, include_archived: archived }),
  );
  return (
    <>
      <div className="page-head">
        <h1>Event types</h1>
        {!session.scoped && (
          <Link to="/event-types/new" className="button primary">
            New event type
          </Link>
        )}
      </div>
      <p className="muted">
        The catalogue of events{session.scoped ? ' your endpoints can subscribe to' : ' your platform sends'},
        with their payload schemas and examples.
      </p>
      <label className="check">
        <input type="checkbox" checked={archived} onChange={(e) => setArchived(e.target.checked)} />
        <span>Show archived event types</span>
      </label>
      {types.error && <ErrorMessage error={types.error} retry={types.reload} />}
      {types.loading && !types.data && <Loading what="Loading the catalogue" />}
      {types.data && types.data.length === 0 && (
        <Empty title="The catalogue is empty.">
          {!session.scoped && (
            <p>
              Add an event type for each kind of event, such as <code>invoice.paid</code>.{' '}
              <Link to="/event-types/new">Create an event type</Link>
            </p>
          )}
        </Empty>
      )}
      {types.data && types.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Event types</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Description</th>
                <th scope="col">Schema versions</th>
              </tr>
            </thead>
            <tbody>
              {types.data.map((type) => (
                <tr key={type.name}>
                  <td>
                    <Link to={`/event-types/${enc(type.name)}`}>
                      <code>{type.name}</code>
                    </Link>{' '}
                    {type.deprecated && <Badge tone="warn">Deprecated</Badge>}{' '}
                    {type.archived && <Badge tone="info">Archived</Badge>}
                  </td>
                  <td>{type.description}</td>
                  <td>{Object.keys(type.schemas ?? {}).length || <span className="muted">none</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
