/**
 * An endpoint's health: success rate, latency, last status, circuit state, its adaptive limit on requests in
 * flight with the reason, delivery counts, and the ordered sequences a given-up message holds.
 */
import type { AdaptiveLimit, Endpoint, EndpointHealth, EndpointStats } from '../lib/types';
import { duration, formatTime, percent, timeAgo } from '../lib/format';
import { useReloadOn, useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { ResourceState } from '../components/states';
import { CIRCUIT_TEXT, describeError } from './health';
import { BlockedSequences } from './BlockedSequences';

const POLL_MS = 5000;

interface Props {
  appId: string;
  endpoint: Endpoint;
  path: string;
  version: number;
}

export function HealthCard({ appId, endpoint, path, version }: Props) {
  const { api } = useSession();
  const report = useResource(
    `health:${path}`,
    async () => {
      const [health, stats] = await Promise.all([
        api.get<EndpointHealth>(`${path}/health`),
        api.get<EndpointStats>(`${path}/stats`),
      ]);
      return { health, stats };
    },
    POLL_MS,
  );
  useReloadOn(report, version);
  return (
    <section className="card" aria-labelledby="health-title">
      <h2 id="health-title">Health</h2>
      <ResourceState resource={report} />
      {report.data && (
        <HealthFacts
          {...report.data}
          retryCompression={async () => {
            // Saving the endpoint's compression again makes Herald try compressing again.
            const endpoint = await api.get<Endpoint>(path);
            await api.patch(path, { compression: endpoint.compression ?? 'none' });
            await report.reload();
          }}
        />
      )}
      {report.data && showsBlocked(endpoint, report.data.health) && (
        <BlockedSequences
          appId={appId}
          endpointId={endpoint.id}
          ordering={endpoint.ordering ?? 'none'}
          sequences={report.data.health.blockedSequences ?? []}
          onChanged={report.reload}
        />
      )}
    </section>
  );
}

function HealthFacts({
  health,
  stats,
  retryCompression,
}: {
  health: EndpointHealth;
  stats: EndpointStats;
  retryCompression: () => Promise<void>;
}) {
  const { recent } = health;
  const last =
    recent.lastAttemptAt === null
      ? 'No attempts yet'
      : recent.lastErrorClass
        ? `Failed: ${describeError(recent)}`
        : `HTTP ${recent.lastStatusCode ?? '–'}`;
  return (
    <>
      <dl className="facts">
        <div>
          <dt>Success rate</dt>
          <dd>
            {percent(recent.successRate)}
            <span className="muted small"> of the last {recent.attempts} attempts</span>
          </dd>
        </div>
        <div>
          <dt>Latency p50 / p95</dt>
          <dd>
            {duration(recent.p50Ms)} / {duration(recent.p95Ms)}
          </dd>
        </div>
        <div>
          <dt>Last attempt</dt>
          <dd>
            {last}
            {recent.lastAttemptAt && <span className="muted small"> · {timeAgo(recent.lastAttemptAt)}</span>}
          </dd>
        </div>
        <div>
          <dt>Circuit breaker</dt>
          <dd>
            {CIRCUIT_TEXT[health.circuit]}
            {health.circuitOpenUntil && health.circuit === 'open' && (
              <span className="muted small"> until {formatTime(health.circuitOpenUntil)}</span>
            )}
          </dd>
        </div>
        {health.adaptiveThrottling && (
          <div>
            <dt>Requests in flight</dt>
            <dd data-testid="adaptive-limit">{describeLimit(health.adaptiveThrottling)}</dd>
          </div>
        )}
        {health.failingSince && (
          <div>
            <dt>Failing since</dt>
            <dd>{formatTime(health.failingSince)}</dd>
          </div>
        )}
        {health.compressionRefusedAt && (
          <div>
            <dt>Compression</dt>
            <dd>
              Refused (415) at {formatTime(health.compressionRefusedAt)}; bodies are sent plain.{' '}
              <button type="button" className="link" onClick={() => void retryCompression()}>
                Try compression again
              </button>
            </dd>
          </div>
        )}
        {health.disabledReason && (
          <div>
            <dt>Disabled because</dt>
            <dd>{health.disabledReason}</dd>
          </div>
        )}
        <div>
          <dt>Deliveries</dt>
          <dd>
            {stats.success} succeeded · {stats.fail} failed · {stats.pending + stats.sending} waiting
          </dd>
        </div>
      </dl>
    </>
  );
}

/** The adaptive limit in words: "at most 3 of 10 at once: p95 latency 1.8 s, up from 120 ms". */
function describeLimit(adaptive: AdaptiveLimit): string {
  if (!adaptive.enabled) return 'Fixed (adaptive throttling is off)';
  if (adaptive.limit === null) return 'Adaptive: nothing sent lately';
  return `At most ${adaptive.limit} of ${adaptive.ceiling ?? adaptive.limit} at once: ${adaptive.reason ?? ''}`;
}

/** Blocked sequences show while there are any, and at an endpoint that blocks, also when there are none. */
const showsBlocked = (endpoint: Endpoint, health: EndpointHealth) =>
  (health.blockedSequences ?? []).length > 0 ||
  ((endpoint.ordering ?? 'none') !== 'none' && endpoint.orderingAfterGiveUp === 'block');
