/** The event-type catalogue: every type endpoints can subscribe to. Admins create and edit them. */
import { useState } from 'react';
import type { EventType } from '../lib/types';
import { enc } from '../lib/api';
import { Link } from '../lib/router';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { Badge } from '../components/StatusBadge';
import type { Column } from '../components/DataTable';
import { ListView } from '../components/ListView';
import { Empty } from '../components/states';

const COLUMNS: Array<Column<EventType>> = [
  {
    header: 'Name',
    cell: (type) => (
      <>
        <Link to={`/event-types/${enc(type.name)}`}>
          <code>{type.name}</code>
        </Link>{' '}
        {type.deprecated && <Badge tone="warn">Deprecated</Badge>}{' '}
        {type.archived && <Badge tone="info">Archived</Badge>}
      </>
    ),
  },
  { header: 'Description', cell: (type) => type.description },
  {
    header: 'Schema versions',
    cell: (type) => Object.keys(type.schemas ?? {}).length || <span className="muted">none</span>,
  },
];

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
      <ListView
        resource={types}
        loading="Loading the catalogue"
        empty={
          <Empty title="The catalogue is empty.">
            {!session.scoped && (
              <p>
                Add an event type for each kind of event, such as <code>invoice.paid</code>.{' '}
                <Link to="/event-types/new">Create an event type</Link>
              </p>
            )}
          </Empty>
        }
        caption="Event types"
        columns={COLUMNS}
        rowKey={(type) => type.name}
      />
    </>
  );
}
