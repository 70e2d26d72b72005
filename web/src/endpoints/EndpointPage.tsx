/**
 * One endpoint: its state, health and rate limit, a chart of its deliveries, testing, its secret, the body format
 * it receives, its outbound authentication and allowed networks, and its latest deliveries.
 */
import { useState } from 'react';
import type { Endpoint } from '../lib/types';
import { enc } from '../lib/api';
import { Link, navigate } from '../lib/router';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/use-action';
import { Badge } from '../components/StatusBadge';
import { ConfirmButton } from '../components/ConfirmButton';
import { ErrorMessage, Notice, ResourceState } from '../components/states';
import { AppHeader } from '../apps/AppHeader';
import { DeliveryList } from '../deliveries/DeliveryList';
import { HealthCard } from './HealthCard';
import { ActivityChart } from './ActivityChart';
import { SlaCard } from '../sla/SlaCard';
import { SendTest } from './SendTest';
import { SecretCard } from './SecretCard';
import { RecoverButton } from './RecoverButton';
import { BodyFormatCard } from './BodyFormatCard';
import { TransformationCard } from './TransformationCard';
import { AuthCard } from '../security/AuthCard';
import { NetworksCard } from '../security/NetworksCard';
import { RateLimitLine } from '../security/RateLimits';
import { isPollingUrl, PollingCard } from './PollingCard';

export function EndpointPage({ appId, endpointId }: { appId: string; endpointId: string }) {
  const { api } = useSession();
  const path = `/app/${enc(appId)}/endpoint/${enc(endpointId)}`;
  const endpoint = useResource(`endpoint:${appId}:${endpointId}`, () => api.get<Endpoint>(path));
  const { busy, notice, error, run } = useAction();
  // Bumped after actions that change deliveries, so the cards below reload at once.
  const [version, setVersion] = useState(0);

  const act = (action: () => Promise<string>) =>
    run(async () => {
      const done = await action();
      await endpoint.reload();
      setVersion((v) => v + 1);
      return done;
    });
  const toggle = (disabled: boolean) =>
    act(async () => {
      await api.patch(path, { disabled });
      return disabled
        ? 'Endpoint disabled: Herald sends it nothing until you enable it.'
        : 'Endpoint enabled.';
    });
  const remove = () =>
    run(async () => {
      await api.del(path);
      navigate(`/apps/${enc(appId)}`);
    });

  const ep = endpoint.data;
  // A polling endpoint is read through the poller API: it has no deliveries, so none of the delivery cards.
  const polling = ep !== undefined && ep !== null && isPollingUrl(ep.url);
  return (
    <>
      <AppHeader
        appId={appId}
        section="endpoints"
        title={ep ? <span className="url-title">{ep.url}</span> : 'Endpoint'}
      />
      <ResourceState resource={endpoint} loading="Loading the endpoint" />
      {ep && (
        <>
          <div className="endpoint-summary">
            <div>
              {ep.disabled ? <Badge tone="warn">Disabled</Badge> : <Badge tone="ok">Enabled</Badge>}{' '}
              {ep.description && <span>{ep.description}</span>}
              <p className="muted small">
                <code>{ep.id}</code>
                {ep.uid && (
                  <>
                    {' '}
                    · uid <code>{ep.uid}</code>
                  </>
                )}{' '}
                · {ep.eventTypes ? `receives ${ep.eventTypes.join(', ')}` : 'receives every event type'}
                {ep.ordering && ep.ordering !== 'none' && (
                  <>
                    {' '}
                    · in order {ep.ordering === 'key' ? 'per ordering key' : 'for the whole endpoint'}
                    {ep.orderingAfterGiveUp === 'block' ? ', waiting after a give-up' : ''}
                  </>
                )}
                {ep.propagateTraceContext && <> · sends trace context</>}
                {ep.batching && <> · batches of up to {ep.batching.maxMessages} messages per request</>}
              </p>
              <RateLimitLine appId={appId} endpointId={ep.id} />
              {ep.disabled && ep.disabledReason && (
                <p className="warning">
                  Herald disabled this endpoint: {ep.disabledReason}. Fix the receiver, then enable it again.
                </p>
              )}
            </div>
            <div className="actions">
              <Link to={`/apps/${enc(appId)}/endpoints/${enc(endpointId)}/edit`} className="button">
                Edit
              </Link>
              {ep.disabled ? (
                <button type="button" onClick={() => toggle(false)} disabled={busy}>
                  Enable
                </button>
              ) : (
                <button type="button" onClick={() => toggle(true)} disabled={busy}>
                  Disable
                </button>
              )}
              {!polling && <RecoverButton path={path} onDone={(text) => act(async () => text)} />}
              <ConfirmButton
                label="Delete"
                question="Delete this endpoint? Its delivery history goes with it."
                confirmLabel="Delete endpoint"
                danger
                onConfirm={remove}
              />
            </div>
          </div>
          {notice && <Notice>{notice}</Notice>}
          {error && <ErrorMessage error={error} />}
          {polling ? (
            <PollingCard appId={appId} endpointId={ep.id} />
          ) : (
            <>
              <div className="grid-2 cards">
                <HealthCard appId={appId} endpoint={ep} path={path} version={version} />
                <ActivityChart appId={appId} endpointId={ep.id} version={version} />
              </div>
              <SendTest appId={appId} endpoint={ep} onSent={() => setVersion((v) => v + 1)} />
              <SlaCard appId={appId} endpointId={ep.id} />
              <div className="grid-2 cards">
                <SecretCard path={path} />
                <BodyFormatCard path={path} endpoint={ep} onSaved={endpoint.reload} />
              </div>
              <TransformationCard path={path} endpoint={ep} />
              <div className="grid-2 cards">
                <AuthCard path={path} />
                <NetworksCard path={`${path}/ip-restrictions`} scope="endpoint" url={ep.url} />
              </div>
              <section className="card" aria-labelledby="recent-title">
                <div className="section-head">
                  <h2 id="recent-title">Recent deliveries</h2>
                  <Link to={`/apps/${enc(appId)}/deliveries?endpoint=${enc(ep.id)}`}>
                    Open in the delivery log
                  </Link>
                </div>
                <DeliveryList appId={appId} endpoints={[ep]} filters={{}} live limit={10} version={version} />
              </section>
            </>
          )}
        </>
      )}
    </>
  );
}
