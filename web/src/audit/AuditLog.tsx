/** The audit log, for admin keys: who did what, from where, to which endpoint or key, newest first. */
import { useState } from 'react';
import type { Page } from '../lib/types';
import { formatTime, pretty } from '../lib/format';
import { useResource } from '../lib/use-resource';
import { usePager } from '../lib/use-pager';
import { useOpenItem } from '../lib/use-open-item';
import { useSession } from '../lib/session-context';
import { Field } from '../components/Field';
import { FilterSelect } from '../components/FilterSelect';
import { Code } from '../components/Code';
import { ToggleButton } from '../components/ToggleButton';
import type { Column } from '../components/DataTable';
import { ListView } from '../components/ListView';
import { Empty } from '../components/states';

interface AuditRecord {
  id: string;
  timestamp: string;
  actor: string;
  ip: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  appId: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** Action families to filter by; `action` also takes an exact action. */
const FAMILIES = [
  { value: 'endpoint.', label: 'Endpoints (secrets, headers, URLs…)' },
  { value: 'endpoint.secret.', label: 'Signing secrets' },
  { value: 'api_key.', label: 'API keys' },
  { value: 'auth.', label: 'Refused requests' },
  { value: 'delivery.', label: 'Blocked deliveries' },
];

export function AuditLog() {
  const { api } = useSession();
  const [action, setAction] = useState('');
  const [app, setApp] = useState('');
  const { open, toggle } = useOpenItem<string>();
  const pager = usePager(`audit:${action}:${app}`, { back: 'Newer', next: 'Older', backTo: 'previous' });
  const records = useResource(`audit:${action}:${app}:${pager.iterator ?? ''}`, () =>
    api.get<Page<AuditRecord>>('/audit-log', {
      limit: 50,
      action: action || undefined,
      app_id: app.trim() || undefined,
      iterator: pager.iterator,
    }),
  );
  const columns: Array<Column<AuditRecord>> = [
    { header: 'Time', cell: (record) => formatTime(record.timestamp) },
    { header: 'Action', cell: (record) => <code>{record.action}</code> },
    {
      header: 'Target',
      className: 'url-cell',
      cell: (record) => (
        <>
          {record.targetId ? <code>{record.targetId}</code> : <span className="muted">–</span>}
          {record.appId && <div className="muted small">in {record.appId}</div>}
        </>
      ),
    },
    { header: 'Actor', cell: (record) => <code>{record.actor}</code> },
    { header: 'IP', cell: (record) => record.ip ?? <span className="muted">–</span> },
    {
      header: <span className="sr-only">Changes</span>,
      cell: (record) =>
        (record.before || record.after) && (
          <ToggleButton
            open={open === record.id}
            onToggle={() => toggle(record.id)}
            labels={['Changes', 'Hide']}
            of={` of ${record.action}`}
          />
        ),
    },
  ];

  return (
    <>
      <h1>Audit log</h1>
      <p className="muted">
        Security events, newest first: secret reveals and rotations, key changes, refused requests. Secrets
        themselves are never recorded.
      </p>
      <form className="filters" aria-label="Filter the audit log" onSubmit={(e) => e.preventDefault()}>
        <FilterSelect
          label="Action"
          any="Any action"
          choices={FAMILIES}
          value={action}
          onChange={setAction}
        />
        <Field label="Application (id or uid)">
          <input value={app} onChange={(e) => setApp(e.target.value)} spellCheck={false} />
        </Field>
      </form>
      <ListView
        resource={records}
        loading="Loading the audit log"
        empty={<Empty title="No audit records match." />}
        caption="Audit records"
        columns={columns}
        rowKey={(record) => record.id}
        detail={(record) =>
          open === record.id && (
            <div className="grid-2">
              <Code label="Before" text={record.before ? pretty(record.before) : ''} />
              <Code label="After" text={record.after ? pretty(record.after) : ''} />
            </div>
          )
        }
        pager={pager.steps(records.data)}
      />
    </>
  );
}
