/** Templates: Liquid templates that shape the body endpoints receive. Admins create and edit them. */
import type { Template } from '../lib/types';
import { enc } from '../lib/api';
import { timeAgo } from '../lib/format';
import { Link } from '../lib/router';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import type { Column } from '../components/DataTable';
import { ListView } from '../components/ListView';
import { Empty } from '../components/states';

const COLUMNS: Array<Column<Template>> = [
  {
    header: 'Name',
    cell: (template) => (
      <>
        <Link to={`/templates/${enc(template.id)}`}>{template.name}</Link>
        {template.description && <div className="muted small">{template.description}</div>}
      </>
    ),
  },
  { header: 'Renders', cell: (template) => template.contentType.toUpperCase() },
  {
    header: 'Event type',
    cell: (template) =>
      template.eventType ? <code>{template.eventType}</code> : <span className="muted">any</span>,
  },
  { header: 'Version', cell: (template) => template.latestVersion },
  { header: 'Changed', cell: (template) => timeAgo(template.updatedAt) },
];

export function TemplateList() {
  const { api, session } = useSession();
  const templates = useResource('templates', () => api.all<Template>('/template'));
  return (
    <>
      <div className="page-head">
        <h1>Templates</h1>
        {!session.scoped && (
          <Link to="/templates/new" className="button primary">
            New template
          </Link>
        )}
      </div>
      <p className="muted">
        A template shapes the body an endpoint receives, for receivers that cannot take Herald&apos;s standard
        JSON: a Slack message, XML for an ERP, a form post. Choose one on an endpoint&apos;s page.
      </p>
      <ListView
        resource={templates}
        loading="Loading templates"
        empty={
          <Empty title="No templates yet.">
            <p>
              Endpoints receive the standard JSON body until they use a template.{' '}
              {!session.scoped && <Link to="/templates/new">Create a template</Link>}
            </p>
          </Empty>
        }
        caption="Templates"
        columns={COLUMNS}
        rowKey={(template) => template.id}
      />
    </>
  );
}
