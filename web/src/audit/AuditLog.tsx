/** The audit log, for admin keys: who did what, from where, to which endpoint or key, newest first. */
import { Fragment, useState } from 'react';
import type { Page } from '../lib/types';
import { formatTime, pretty } from '../lib/format';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { Field } from '../components/Field';
import { Code } from '../components/Code';
import { Empty, ErrorMessage, Loading } from '../components/states';

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
  ['', 'Any action'],
  ['endpoint.', 'Endpoints (secrets, headers, URLs…)'],
  ['endpoint.secret.', 'Signing secrets'],
  ['api_key.', 'API keys'],
  ['auth.', 'Refused requests'],
  ['delivery.', 'Blocked deliveries'],
] as const;

export function AuditLog() {
  const { api } = useSession();
  const [action, setAction] = useState('');
  const [app, setApp] = useState('');
  const [iterators, setIterators] = useState<string[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const iterator = iterators[iterators.length - 1];
  const filter = (change: () => void) => {
    change();
    setIterators([]);
  };
  const records = useResource(`audit:${action}:${app}:${iterator ?? ''}`, () =>
    api.get<Page<AuditRecord>>('/audit-log', {
      limit: 50,
      action: action || undefined,
      app_id: app.trim() || undefined,
      iterator,
    }),
  );

  return (
    <>
      <h1>Audit log</h1>
      <p className="muted">
        Security events, newest first: secret reveals and rotations, key changes, refused requests. Secrets
        themselves are never recorded.
      </p>
      <form className="filters" aria-label="Filter the audit log" onSubmit={(e) => e.preventDefault()}>
        <Field label="Action">
          <select value={action} onChange={(e) => filter(() => setAction(e.target.value))}>
            {FAMILIES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Application (id or uid)">
          <input value={app} onChange={(e) => filter(() => setApp(e.target.value))} spellCheck={false} />
        </Field>
      </form>
      {records.error && <ErrorMessage error={records.error} retry={records.reload} />}
      {records.loading && !records.data && <Loading what="Loading the audit log" />}
      {records.data && records.data.data.length === 0 && <Empty title="No audit records match." />}
      {records.data && records.data.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Audit records</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Actor</th>
                <th scope="col">IP</th>
                <th scope="col">
                  <span className="sr-only">Changes</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {records.data.data.map((record) => (
                <Fragment key={record.id}>
                  <tr>
                    <td>{formatTime(record.timestamp)}</td>
                    <td>
                      <code>{record.action}</code>
                    </td>
                    <td className="url-cell">
                      {record.targetId ? <code>{record.targetId}</code> : <span className="muted">–</span>}
                      {record.appId && <div className="muted small">in {record.appId}</div>}
                    </td>
                    <td>
                      <code>{record.actor}</code>
                    </td>
                    <td>{record.ip ?? <span className="muted">–</span>}</td>
                    <td>
                      {(record.before || record.after) && (
                        <button
                          type="button"
                          className="small"
                          aria-expanded={open === record.id}
                          onClick={() => setOpen(open === record.id ? null : record.id)}
                        >
                          {open === record.id ? 'Hide' : 'Changes'}
                          <span className="sr-only"> of {record.action}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                  {open === record.id && (
                    <tr className="detail-row">
                      <td colSpan={6}>
                        <div className="grid-2">
                          <Code label="Before" text={record.before ? pretty(record.before) : ''} />
                          <Code label="After" text={record.after ? pretty(record.after) : ''} />
                        </div>
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="pager">
        {iterators.length > 0 && (
          <button type="button" onClick={() => setIterators(iterators.slice(0, -1))}>
            Newer
          </button>
        )}
        {records.data && !records.data.done && records.data.iterator && (
          <button type="button" onClick={() => setIterators([...iterators, records.data!.iterator!])}>
            Older
          </button>
        )}
      </div>
    </>
  );
}
