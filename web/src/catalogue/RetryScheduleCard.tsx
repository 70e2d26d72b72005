/**
 * An event type's own retry schedule (admins only): the waits before each retry of its messages, at endpoints
 * without a schedule of their own. The API takes Svix durations ({secs, nanos}); the form takes seconds.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { enc } from '../lib/api';
import { useAction } from '../lib/use-action';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { listOf, scheduleError } from '../lib/validate';
import { Field } from '../components/Field';
import { ErrorMessage, Notice, ResourceState } from '../components/states';
import { SaveButton } from '../components/FormActions';

interface Duration {
  secs: number;
  nanos: number;
}
interface Schedule {
  retrySchedule: Duration[] | null;
}

const seconds = ({ secs, nanos }: Duration) => String(secs + Math.round(nanos / 1e6) / 1000);
const duration = (text: string): Duration => {
  const ms = Math.round(Number(text) * 1000);
  return { secs: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
};

/** What the schedule does now, in words. */
function summary(schedule: Duration[] | null): string {
  if (schedule === null) return 'None: endpoints use their own schedule, or the default.';
  if (schedule.length === 0) return 'Never retried, at endpoints without a schedule of their own.';
  return `Retried after ${schedule.map((d) => `${seconds(d)} s`).join(', ')}.`;
}

export function RetryScheduleCard({ name }: { name: string }) {
  const { api } = useSession();
  const path = `/event-type/${enc(name)}/retry-schedule`;
  const current = useResource(`retry-schedule:${name}`, () => api.get<Schedule>(path));
  const [text, setText] = useState('');
  const [never, setNever] = useState(false);
  const { busy, notice, error, run } = useAction();

  useEffect(() => {
    const schedule = current.data?.retrySchedule;
    if (schedule === undefined) return;
    setNever(schedule !== null && schedule.length === 0);
    setText(schedule === null ? '' : schedule.map(seconds).join(', '));
  }, [current.data]);

  const problem = never ? undefined : scheduleError(text, true);
  const save = (event: FormEvent) => {
    event.preventDefault();
    if (problem) return;
    void run(async () => {
      const retrySchedule = never ? [] : text.trim() === '' ? null : listOf(text).map(duration);
      const saved = await api.put<Schedule>(path, { retrySchedule });
      await current.reload();
      return `Saved. ${summary(saved.retrySchedule)}`;
    });
  };

  return (
    <section className="card form" aria-labelledby="retry-schedule-title">
      <h2 id="retry-schedule-title">Retry schedule</h2>
      <p className="muted small">
        The waits before each retry of this event type&apos;s messages. An endpoint&apos;s own retry schedule
        (in its delivery settings) comes first; this one applies at endpoints without one, and without either
        the default applies (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h). Each wait varies by ±20 %.
      </p>
      <ResourceState resource={current} loading="Loading the retry schedule" />
      {current.data && (
        <form onSubmit={save} noValidate aria-label="Retry schedule">
          <p>
            <strong>Now:</strong> {summary(current.data.retrySchedule)}
          </p>
          <Field
            label="Waits before each retry (seconds)"
            hint="Comma-separated, such as 5, 300, 1800 (at most 20); blank removes this schedule."
            error={problem}
          >
            <input value={text} disabled={never} onChange={(e) => setText(e.target.value)} />
          </Field>
          <label className="check">
            <input type="checkbox" checked={never} onChange={(e) => setNever(e.target.checked)} />
            <span>Never retry (one attempt only)</span>
          </label>
          <SaveButton busy={busy} label="Save retry schedule" disabled={problem !== undefined} />
        </form>
      )}
      {notice && <Notice>{notice}</Notice>}
      {error && <ErrorMessage error={error} />}
    </section>
  );
}
