/**
 * Replays dead letters in bulk: a dry run counts them first; after the replay, progress follows the queued
 * deliveries until none of them is waiting any more.
 */
import { useEffect, useRef, useState } from 'react';
import type { Endpoint, EndpointStats } from '../lib/types';
import { enc } from '../lib/api';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/use-action';
import { ErrorMessage } from '../components/states';

export interface ReplayFilter {
  endpointId: string;
  eventType: string;
}

interface Props {
  appId: string;
  filter: ReplayFilter;
  endpoints: Endpoint[];
  onReplayed: () => void;
}

type Step =
  | { step: 'idle' }
  | { step: 'counted'; count: number }
  | { step: 'replaying'; total: number; remaining: number; baseline: number };

const PROGRESS_POLL_MS = 1000;

export function BulkReplay({ appId, filter, endpoints, onReplayed }: Props) {
  const { api } = useSession();
  const [state, setState] = useState<Step>({ step: 'idle' });
  const { busy, error, run } = useAction();
  const base = `/app/${enc(appId)}`;
  const body = {
    endpointId: filter.endpointId || undefined,
    eventTypes: filter.eventType ? [filter.eventType] : undefined,
  };
  const affected = filter.endpointId ? endpoints.filter((e) => e.id === filter.endpointId) : endpoints;

  /** Deliveries of the affected endpoints that are still waiting or being sent. */
  const waiting = async () => {
    const stats = await Promise.all(
      affected.map((e) => api.get<EndpointStats>(`${base}/endpoint/${enc(e.id)}/stats`)),
    );
    return stats.reduce((sum, s) => sum + s.pending + s.sending, 0);
  };

  useEffect(() => setState({ step: 'idle' }), [filter.endpointId, filter.eventType]);

  const count = () =>
    run(async () => {
      const result = await api.post<{ count: number }>(`${base}/dead-letter/replay`, {
        ...body,
        dryRun: true,
      });
      setState({ step: 'counted', count: result.count });
    });
  const replay = () =>
    run(async () => {
      const baseline = await waiting();
      const result = await api.post<{ count: number }>(`${base}/dead-letter/replay`, {
        ...body,
        dryRun: false,
      });
      setState({ step: 'replaying', total: result.count, remaining: result.count, baseline });
      onReplayed();
    });

  const latest = useRef(waiting);
  latest.current = waiting;
  const replaying = state.step === 'replaying' && state.remaining > 0;
  useEffect(() => {
    if (!replaying) return;
    const timer = window.setInterval(async () => {
      try {
        const now = await latest.current();
        setState((s) =>
          s.step === 'replaying'
            ? { ...s, remaining: Math.min(s.remaining, Math.max(0, now - s.baseline)) }
            : s,
        );
      } catch {
        // The next tick tries again; the replay itself already happened.
      }
    }, PROGRESS_POLL_MS);
    return () => window.clearInterval(timer);
  }, [replaying]);
  const finished = state.step === 'replaying' && state.remaining === 0;
  const notify = useRef(onReplayed);
  notify.current = onReplayed;
  useEffect(() => {
    if (finished) notify.current();
  }, [finished]);

  return (
    <section className="card" aria-labelledby="replay-title">
      <h2 id="replay-title">Replay dead letters</h2>
      {state.step === 'idle' && (
        <button type="button" onClick={count} disabled={busy}>
          {busy ? 'Counting…' : 'Count dead letters to replay'}
        </button>
      )}
      {state.step === 'counted' && (
        <div className="confirm" role="group" aria-label="Confirm replay">
          <span role="status">
            {state.count === 0
              ? 'No dead letters match these filters.'
              : `${state.count} dead ${state.count === 1 ? 'letter matches' : 'letters match'} these filters.`}
          </span>
          {state.count > 0 && (
            <button type="button" className="primary" onClick={replay} disabled={busy}>
              {busy ? 'Replaying…' : `Replay ${state.count}`}
            </button>
          )}
          <button type="button" onClick={() => setState({ step: 'idle' })} disabled={busy}>
            {state.count > 0 ? 'Cancel' : 'Done'}
          </button>
        </div>
      )}
      {state.step === 'replaying' && (
        <Progress total={state.total} remaining={state.remaining} onDone={() => setState({ step: 'idle' })} />
      )}
      {error && <ErrorMessage error={error} />}
    </section>
  );
}

function Progress({ total, remaining, onDone }: { total: number; remaining: number; onDone: () => void }) {
  const done = total - remaining;
  return (
    <div>
      <label className="block">
        <span role="status">
          {remaining === 0
            ? `Replayed ${total}: every one has been attempted again. Failures show up in the delivery log.`
            : `Replaying: ${done} of ${total} attempted so far…`}
        </span>
        <progress max={Math.max(total, 1)} value={done} />
      </label>
      {remaining === 0 && (
        <button type="button" className="small" onClick={onDone}>
          Done
        </button>
      )}
    </div>
  );
}
