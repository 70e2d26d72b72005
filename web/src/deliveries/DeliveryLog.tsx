/**
 * The delivery log of an application: filter by endpoint, status, event type and time; follows new ones live.
 * With `msg` beside `endpoint` in the address, one message's delivery opens above the list (the health card
 * links a blocked sequence's head here).
 */
import { useState } from 'react';
import type { Endpoint, EventType, Status } from '../lib/types';
import { enc } from '../lib/api';
import { navigate, useLocation } from '../lib/router';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { Empty, ErrorMessage, ResourceState } from '../components/states';
import { Link } from '../lib/router';
import { AppHeader } from '../apps/AppHeader';
import { DeliveryList } from './DeliveryList';
import { DeliveryDetail } from './DeliveryDetail';
import { DeliveryFilterBar, type FilterValues } from './DeliveryFilterBar';

function fromQuery(query: URLSearchParams): FilterValues {
  return {
    endpoint: query.get('endpoint') ?? '',
    status: query.get('status') ?? '',
    eventType: query.get('eventType') ?? '',
    after: query.get('after') ?? '',
    before: query.get('before') ?? '',
  };
}

/** How many endpoints "All endpoints" merges at most. */
const MERGED_ENDPOINTS = 25;

const isoOf = (local: string) => (local === '' ? undefined : new Date(local).toISOString());

export function DeliveryLog({ appId }: { appId: string }) {
  const { api } = useSession();
  const { path, query } = useLocation();
  const values = fromQuery(query);
  const [live, setLive] = useState(true);
  const context = useResource(`log-context:${appId}`, async () => {
    const [endpoints, eventTypes] = await Promise.all([
      api.all<Endpoint>(`/app/${enc(appId)}/endpoint`),
      api.all<EventType>('/event-type', { include_archived: true }),
    ]);
    return { endpoints, eventTypes };
  });

  const change = (next: FilterValues) => {
    const params = new URLSearchParams(Object.entries(next).filter(([, value]) => value !== ''));
    const search = params.toString();
    navigate(search ? `${path}?${search}` : path, { replace: true });
  };

  const msgId = query.get('msg');
  // Closing the message keeps the filters; changing a filter (above) closes it too.
  const closeMessage = () => change(values);
  const [version, setVersion] = useState(0);

  const endpoints = context.data?.endpoints ?? [];
  // Each endpoint's deliveries are a request of their own; the merged log stays bounded.
  const shown = values.endpoint
    ? endpoints.filter((e) => e.id === values.endpoint)
    : endpoints.slice(0, MERGED_ENDPOINTS);
  return (
    <>
      <AppHeader appId={appId} section="deliveries" title="Deliveries" />
      <ResourceState resource={context} />
      {context.data && endpoints.length === 0 && (
        <Empty title="No endpoints, so no deliveries yet.">
          <Link to={`/apps/${enc(appId)}/endpoints/new`}>Add an endpoint</Link>
        </Empty>
      )}
      {context.data && endpoints.length > 0 && (
        <>
          <DeliveryFilterBar
            values={values}
            onChange={change}
            endpoints={endpoints}
            eventTypes={context.data.eventTypes}
            live={live}
            onLive={setLive}
          />
          {!values.endpoint && endpoints.length > MERGED_ENDPOINTS && (
            <p className="warning">
              This log merges the first {MERGED_ENDPOINTS} of {endpoints.length} endpoints; choose an endpoint
              to see any of the others.
            </p>
          )}
          {msgId && shown.length === 1 && (
            <section className="card" aria-labelledby="message-title">
              <div className="section-head">
                <h2 id="message-title">
                  Message <code>{msgId}</code>
                </h2>
                <button type="button" className="small" onClick={closeMessage}>
                  Close
                </button>
              </div>
              <DeliveryDetail
                appId={appId}
                msgId={msgId}
                endpoint={shown[0]!}
                onResent={() => setVersion((v) => v + 1)}
              />
            </section>
          )}
          {values.endpoint && shown.length === 0 ? (
            <ErrorMessage error="The chosen endpoint no longer exists; choose another." />
          ) : (
            <DeliveryList
              appId={appId}
              endpoints={shown}
              live={live}
              version={version}
              filters={{
                status: values.status === '' ? undefined : (Number(values.status) as Status),
                eventTypes: values.eventType ? [values.eventType] : undefined,
                after: isoOf(values.after),
                before: isoOf(values.before),
              }}
            />
          )}
        </>
      )}
    </>
  );
}
