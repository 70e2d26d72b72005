/** Templates: Liquid templates that shape the body endpoints receive. Admins create and edit them. */
import type { Template } from '../lib/types';
import { enc } from '../lib/api';
import { timeAgo } from '../lib/format';
import { Link } from '../lib/router';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { Empty, ErrorMessage, Loading } from '../components/states';

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
      {templates.error && <ErrorMessage error={templates.error} retry={templates.reload} />}
      {templates.loading && !templates.data && <Loading what="Loading templates" />}
      {templates.data && templates.data.length === 0 && (
        <Empty title="No templates yet.">
          <p>
            Endpoints receive the standard JSON body until they use a template.{' '}
            {!session.scoped && <Link to="/templates/new">Create a template</Link>}
          </p>
        </Empty>
      )}
      {templates.data && templates.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Templates</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Renders</th>
                <th scope="col">Event type</th>
                <th scope="col">Version</th>
                <th scope="col">Changed</th>
              </tr>
            </thead>
            <tbody>
              {templates.data.map((template) => (
                <tr key={template.id}>
                  <td>
                    <Link to={`/templates/${enc(template.id)}`}>{template.name}</Link>
                    {template.description && <div className="muted small">{template.description}</div>}
                  </td>
                  <td>{template.contentType.toUpperCase()}</td>
                  <td>
                    {template.eventType ? (
                      <code>{template.eventType}</code>
                    ) : (
                      <span className="muted">any</span>
                    )}
                  </td>
                  <td>{template.latestVersion}</td>
                  <td>{timeAgo(template.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
