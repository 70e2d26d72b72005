/** Every application's SLAs that were breached or at risk at their last evaluation, the least budget left first. */
import type { Sla } from '../lib/types';
import { enc } from '../lib/api';
import { Link } from '../lib/router';
import { timeAgo } from '../lib/format';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { Empty, ResourceState } from '../components/states';
import { BudgetMeter, objectives, SlaBadge } from './SlaStatus';

const POLL_MS = 15_000;

export function SlasAtRisk() {
  const { api } = useSession();
  const slas = useResource('slas-at-risk', () => api.get<{ data: Sla[] }>('/sla/at-risk'), POLL_MS);
  return (
    <>
      <h1>SLAs at risk</h1>
      <p className="muted">
        SLAs of every application that were breached or had less than a quarter of an error budget left when
        last evaluated.
      </p>
      <ResourceState resource={slas} loading="Loading SLAs" />
      {slas.data?.data.length === 0 && <Empty title="Every SLA is met, with budget to spare." />}
      {slas.data && slas.data.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">SLAs at risk</caption>
            <thead>
              <tr>
                <th scope="col">SLA</th>
                <th scope="col">Status</th>
                <th scope="col">Figures</th>
                <th scope="col">Error budget</th>
                <th scope="col">Evaluated</th>
              </tr>
            </thead>
            <tbody>
              {slas.data.data.map((sla) => (
                <tr key={sla.id}>
                  <td>
                    <Link
                      to={
                        sla.endpointId
                          ? `/apps/${enc(sla.appId)}/endpoints/${enc(sla.endpointId)}`
                          : `/apps/${enc(sla.appId)}`
                      }
                    >
                      {sla.name}
                    </Link>
                    <div className="muted small">
                      {sla.appId}
                      {sla.endpointId ? ` · ${sla.endpointId}` : ''} · last {sla.window}
                    </div>
                  </td>
                  <td>
                    <SlaBadge status={sla.compliance.status} />
                  </td>
                  <td>
                    {objectives(sla.compliance).map((line) => (
                      <div key={line}>{line}</div>
                    ))}
                  </td>
                  <td>
                    <BudgetMeter figures={sla.compliance} />
                  </td>
                  <td>{timeAgo(sla.evaluatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
