/**
 * The SLAs of an application or of one endpoint: each with its status, its value against each target, the
 * error budget left and a compliance chart over its window. Admins and application keys add and delete them;
 * the consumer portal shows them read only, since the promise is the platform's to make.
 */
import { useState } from 'react';
import type { Sla } from '../lib/types';
import { enc } from '../lib/api';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/use-action';
import { ConfirmButton } from '../components/ConfirmButton';
import { ErrorMessage, ResourceState } from '../components/states';
import { ComplianceChart } from './ComplianceChart';
import { SlaForm } from './SlaForm';
import { BudgetMeter, objectives, SlaBadge } from './SlaStatus';

const POLL_MS = 15_000;

interface Props {
  appId: string;
  /** Only this endpoint's SLAs, and new ones are about it. */
  endpointId?: string | undefined;
}

export function SlaCard({ appId, endpointId }: Props) {
  const { api, session } = useSession();
  const base = `/app/${enc(appId)}/sla`;
  const slas = useResource(
    `slas:${appId}:${endpointId ?? ''}`,
    async () => {
      const list = await api.get<{ data: Sla[] }>(base, endpointId ? { endpoint_id: endpointId } : {});
      // Each SLA's history, for its chart: at most 20 SLAs per application.
      return Promise.all(list.data.map((sla) => api.get<Sla>(`${base}/${enc(sla.id)}`)));
    },
    POLL_MS,
  );
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const removal = useAction();
  const manage = !session.portal;
  const remove = (sla: Sla) =>
    removal.run(async () => {
      await api.del(`${base}/${enc(sla.id)}`);
      await slas.reload();
    });

  return (
    <section className="card" aria-labelledby="sla-title">
      <div className="section-head">
        <h2 id="sla-title">Delivery SLAs</h2>
        {manage && !adding && (
          <button type="button" onClick={() => setAdding(true)}>
            Add SLA
          </button>
        )}
      </div>
      {adding && (
        <SlaForm
          appId={appId}
          endpointId={endpointId}
          onCancel={() => setAdding(false)}
          onSaved={() => {
            setAdding(false);
            void slas.reload();
          }}
        />
      )}
      <ResourceState resource={slas} loading="Loading SLAs" />
      {slas.data?.length === 0 && !adding && (
        <p className="muted">
          No SLA yet. An SLA promises a share of messages delivered, or delivered in time, over a window.
        </p>
      )}
      {slas.data?.map((sla) => (
        <article key={sla.id} className="sla" aria-label={`SLA ${sla.name}`}>
          <div className="section-head">
            <h3>
              {sla.name} <SlaBadge status={sla.compliance.status} />
            </h3>
            {manage && (
              <div className="actions">
                <button type="button" onClick={() => setEditing(sla.id)} disabled={editing === sla.id}>
                  Edit
                </button>
                <ConfirmButton
                  label="Delete"
                  question={`Delete the SLA "${sla.name}"?`}
                  confirmLabel="Delete SLA"
                  danger
                  onConfirm={() => remove(sla)}
                />
              </div>
            )}
          </div>
          {editing === sla.id && (
            <SlaForm
              appId={appId}
              sla={sla}
              onCancel={() => setEditing(null)}
              onSaved={() => {
                setEditing(null);
                void slas.reload();
              }}
            />
          )}
          <p className="muted small">
            {sla.endpointId && !endpointId ? `Endpoint ${sla.endpointId}, ` : ''}
            last {sla.window}, {sla.compliance.messages} messages counted
          </p>
          <ul className="plain">
            {objectives(sla.compliance).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          <BudgetMeter figures={sla.compliance} />
          <ComplianceChart sla={sla} />
        </article>
      ))}
      {removal.error && <ErrorMessage error={removal.error} />}
    </section>
  );
}
