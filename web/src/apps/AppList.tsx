/** Every application, for an admin key. */
import type { Application, Page } from '../lib/types';
import { Link } from '../lib/router';
import { enc } from '../lib/api';
import { formatTime } from '../lib/format';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { Empty, ErrorMessage, Loading } from '../components/states';
import { useState } from 'react';

export function AppList() {
  const { api } = useSession();
  const [iterator, setIterator] = useState<string | null>(null);
  const apps = useResource(`apps:${iterator ?? ''}`, () =>
    api.get<Page<Application>>('/app', { limit: 50, order: 'descending', iterator }),
  );
  return (
    <>
      <div className="page-head">
        <h1>Applications</h1>
        <Link to="/apps/new" className="button primary">
          New application
        </Link>
      </div>
      <p className="muted">Each application is one of your customers, with its own endpoints and messages.</p>
      {apps.error && <ErrorMessage error={apps.error} retry={apps.reload} />}
      {apps.loading && !apps.data && <Loading what="Loading applications" />}
      {apps.data && apps.data.data.length === 0 && (
        <Empty title="No applications yet.">
          <p>
            Create one for each customer that receives webhooks.{' '}
            <Link to="/apps/new">Create an application</Link>
          </p>
        </Empty>
      )}
      {apps.data && apps.data.data.length > 0 && (
        <>
          <div className="table-wrap">
            <table>
              <caption className="sr-only">Applications</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">UID</th>
                  <th scope="col">ID</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {apps.data.data.map((app) => (
                  <tr key={app.id}>
                    <td>
                      <Link to={`/apps/${enc(app.id)}`}>{app.name}</Link>
                    </td>
                    <td>{app.uid ?? <span className="muted">–</span>}</td>
                    <td>
                      <code>{app.id}</code>
                    </td>
                    <td>{formatTime(app.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="pager">
            {iterator && (
              <button type="button" onClick={() => setIterator(null)}>
                First page
              </button>
            )}
            {!apps.data.done && (
              <button type="button" onClick={() => setIterator(apps.data!.iterator)}>
                Next page
              </button>
            )}
          </div>
        </>
      )}
    </>
  );
}
