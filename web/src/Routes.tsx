/** Which screen each path shows. */
import { match, useLocation } from './lib/router';
import { useSession } from './lib/session-context';
import { AppList } from './apps/AppList';
import { AppOverview } from './apps/AppOverview';
import { AppFormPage } from './apps/AppFormPage';
import { ScopedHome } from './apps/ScopedHome';
import { EndpointFormPage } from './endpoints/EndpointFormPage';
import { EndpointPage } from './endpoints/EndpointPage';
import { DeliveryLog } from './deliveries/DeliveryLog';
import { MessageSearch } from './deliveries/MessageSearch';
import { DeadLetters } from './dead-letters/DeadLetters';
import { EventTypeList } from './catalogue/EventTypeList';
import { EventTypeEditor } from './catalogue/EventTypeEditor';
import { AuditLog } from './audit/AuditLog';
import { TemplateList } from './templates/TemplateList';
import { TemplateEditor } from './templates/TemplateEditor';
import { AppSecurity } from './security/AppSecurity';
import { SlasAtRisk } from './sla/SlasAtRisk';
import { EnvironmentPage } from './environment/EnvironmentPage';
import { Empty } from './components/states';
import { Link } from './lib/router';

export function Routes() {
  const { path } = useLocation();
  const { session } = useSession();
  let params: Record<string, string> | null;

  if (match('/', path) || match('/portal', path)) return session.scoped ? <ScopedHome /> : <AppList />;
  if (match('/apps/new', path)) return <AppFormPage />;
  if ((params = match('/apps/:app/edit', path))) return <AppFormPage appId={params.app!} />;
  if ((params = match('/apps/:app/endpoints/new', path))) return <EndpointFormPage appId={params.app!} />;
  if ((params = match('/apps/:app/endpoints/:ep/edit', path)))
    return <EndpointFormPage appId={params.app!} endpointId={params.ep!} />;
  if ((params = match('/apps/:app/endpoints/:ep', path)))
    return <EndpointPage key={params.ep} appId={params.app!} endpointId={params.ep!} />;
  if ((params = match('/apps/:app/deliveries', path))) return <DeliveryLog appId={params.app!} />;
  if ((params = match('/apps/:app/messages', path))) return <MessageSearch appId={params.app!} />;
  if ((params = match('/apps/:app/dead-letters', path))) return <DeadLetters appId={params.app!} />;
  if ((params = match('/apps/:app/security', path))) return <AppSecurity appId={params.app!} />;
  if ((params = match('/apps/:app', path))) return <AppOverview key={params.app} appId={params.app!} />;
  if (match('/audit-log', path)) return <AuditLog />;
  if (match('/slas', path)) return <SlasAtRisk />;
  if (match('/environment', path)) return <EnvironmentPage />;
  if (match('/event-types', path)) return <EventTypeList />;
  if (match('/event-types/new', path)) return <EventTypeEditor />;
  if ((params = match('/event-types/:name', path)))
    return <EventTypeEditor key={params.name} name={params.name!} />;
  if (match('/templates', path)) return <TemplateList />;
  if (match('/templates/new', path)) return <TemplateEditor key="new" />;
  if ((params = match('/templates/:id', path))) return <TemplateEditor key={params.id} id={params.id!} />;
  return (
    <>
      <h1>Page not found</h1>
      <Empty title={`There is nothing at ${path}.`}>
        <Link to="/">Go to the start page</Link>
      </Empty>
    </>
  );
}
