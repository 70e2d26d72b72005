/**
 * Creating or changing an SLA: a name, a window, and a success-rate target, a delay target or both. The API checks
 * the rest and names what is wrong.
 */
import { useState, type FormEvent } from 'react';
import { enc } from '../lib/api';
import type { Sla } from '../lib/types';
import { useSession } from '../lib/session-context';
import { useAction } from '../lib/use-action';
import { Field } from '../components/Field';
import { FormActions } from '../components/FormActions';
import { ErrorMessage } from '../components/states';

const WINDOWS = [
  ['1h', 'the last hour'],
  ['1d', 'the last day'],
  ['30d', 'the last 30 days'],
] as const;
const DELAYS = [1, 5, 10, 30, 60, 300, 900, 3600];

interface Props {
  appId: string;
  /** The endpoint the SLA is about; none: the whole application. */
  endpointId?: string | undefined;
  /** The SLA to change; none: a new one. */
  sla?: Sla | undefined;
  onSaved(): void;
  onCancel(): void;
}

const percentProblem = (text: string) =>
  text.trim() === '' || (Number(text) >= 1 && Number(text) <= 99.999)
    ? undefined
    : 'enter a percentage from 1 to 99.999, or nothing';

const text = (value: number | null | undefined, fallback: string) =>
  value === undefined ? fallback : value === null ? '' : String(value);

export function SlaForm({ appId, endpointId, sla, onSaved, onCancel }: Props) {
  const { api } = useSession();
  const [name, setName] = useState(sla?.name ?? '');
  const [window, setWindow] = useState(sla?.window ?? '1d');
  const [success, setSuccess] = useState(text(sla?.successTarget, '99.9'));
  const [delay, setDelay] = useState(text(sla?.delayTarget, ''));
  const [delaySeconds, setDelaySeconds] = useState(text(sla?.delaySeconds, '30') || '30');
  const { busy, error, run } = useAction();
  const problems = { success: percentProblem(success), delay: percentProblem(delay) };

  const save = (event: FormEvent) => {
    event.preventDefault();
    if (problems.success || problems.delay) return;
    void run(async () => {
      const body = {
        name: name.trim(),
        window,
        endpointId: sla ? sla.endpointId : (endpointId ?? null),
        successTarget: success.trim() === '' ? null : Number(success),
        delayTarget: delay.trim() === '' ? null : Number(delay),
        delaySeconds: delay.trim() === '' ? null : Number(delaySeconds),
      };
      if (sla) await api.put(`/app/${enc(appId)}/sla/${enc(sla.id)}`, body);
      else await api.post(`/app/${enc(appId)}/sla`, body);
      onSaved();
    });
  };

  return (
    <form onSubmit={save} noValidate aria-label={sla ? `Edit SLA ${sla.name}` : 'New SLA'}>
      <Field label="Name">
        <input value={name} onChange={(e) => setName(e.target.value)} required />
      </Field>
      <Field label="Window">
        <select value={window} onChange={(e) => setWindow(e.target.value)}>
          {WINDOWS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </Field>
      <Field
        label="Delivered (%)"
        hint="Share of messages that must be delivered; empty: no such target."
        error={problems.success}
      >
        <input inputMode="decimal" value={success} onChange={(e) => setSuccess(e.target.value)} />
      </Field>
      <Field
        label="Delivered in time (%)"
        hint="Share of messages that must be delivered within the delay below; empty: no delay target."
        error={problems.delay}
      >
        <input inputMode="decimal" value={delay} onChange={(e) => setDelay(e.target.value)} />
      </Field>
      {delay.trim() !== '' && (
        <Field label="Delay (seconds after creation)">
          <select value={delaySeconds} onChange={(e) => setDelaySeconds(e.target.value)}>
            {DELAYS.map((seconds) => (
              <option key={seconds} value={seconds}>
                {seconds}
              </option>
            ))}
          </select>
        </Field>
      )}
      <FormActions busy={busy} submit={sla ? 'Save SLA' : 'Create SLA'} out={{ onCancel }} />
      {error && <ErrorMessage error={error} />}
    </form>
  );
}
