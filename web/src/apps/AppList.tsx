/** Every application, for an admin key. */
import type { Application, Page } from '../lib/types';
import { Link } from '../lib/router';
import { enc } from '../lib/api';
import { formatTime } from '../lib/format';
import { useResource } from '../lib/use-resource';
import { usePager } from '../lib/use-pager';
import { useSession } from '../lib/session-context';
import type { Column } from '../components/DataTable';
import { ListView } from '../components/ListView';
import { Empty } from '../components/states';

const COLUMNS: Array<Column<Application>> = [
  { header: 'Name', cell: (app) => <Link to={`/apps/${enc(app.id)}`}>{app.name}</Link> },
  { header: 'UID', cell: (app) => app.uid ?? <span className="muted">–</span> },
  { header: 'ID', cell: (app) => <code>{app.id}</code> },
  { header: 'Created', cell: (app) => formatTime(app.createdAt) },
];

export function AppList() {
  const { api } = useSession();
  const pager = usePager('apps', { back: 'First page', next: 'Next page', backTo: 'first' });
  const apps = useResource(`apps:${pager.iterator ?? ''}`, () =>
    api.get<Page<Application>>('/app', { limit: 50, order: 'descending', iterator: pager.iterator }),
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
      <ListView
        resource={apps}
        loading="Loading applications"
        empty={
          <Empty title="No applications yet.">
            <p>
              Create one for each customer that receives webhooks.{' '}
              <Link to="/apps/new">Create an application</Link>
            </p>
          </Empty>
        }
        caption="Applications"
        columns={COLUMNS}
        rowKey={(app) => app.id}
        pager={pager.steps(apps.data)}
      />
    </>
  );
}
