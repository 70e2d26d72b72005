/**
 * An endpoint's transformation (docs/transformations.md): JavaScript that may change each request's body,
 * method, URL and headers, or cancel it, edited in the same code editor as templates, switched on or off, and
 * simulated on a payload before it is saved.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { Endpoint } from '../lib/types';
import { useAction } from '../lib/use-action';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { CodeEditor } from '../components/CodeEditor';
import { Code, HeaderTable } from '../components/Code';
import { Field } from '../components/Field';
import { JsonEditor, parseJson } from '../components/JsonEditor';
import { SaveButton } from '../components/FormActions';
import { ErrorMessage, Notice, ResourceState } from '../components/states';

interface Transformation {
  code: string | null;
  enabled: boolean;
}

interface Simulated {
  url: string;
  method: string | null;
  payload: string;
  cancel: boolean;
  headers?: Record<string, string>;
}

const STARTER = `function handler(webhook) {
  // webhook: { method, url, eventType, payload, headers }
  // Change what you need, or set webhook.cancel = true to send nothing.
  return webhook;
}`;

interface Props {
  path: string;
  endpoint: Endpoint;
}

export function TransformationCard({ path, endpoint }: Props) {
  const { api } = useSession();
  const url = `${path}/transformation`;
  const saved = useResource(url, () => api.get<Transformation>(url));
  const [code, setCode] = useState(STARTER);
  const [enabled, setEnabled] = useState(false);
  const [eventType, setEventType] = useState(endpoint.eventTypes?.[0] ?? 'example.event');
  const [payload, setPayload] = useState('{\n  "id": "example"\n}');
  const [simulated, setSimulated] = useState<Simulated | null>(null);
  const save = useAction();
  const simulate = useAction();

  useEffect(() => {
    if (!saved.data) return;
    setCode(saved.data.code ?? STARTER);
    setEnabled(saved.data.enabled);
  }, [saved.data]);

  const unchanged =
    saved.data !== undefined && code === (saved.data.code ?? STARTER) && enabled === saved.data.enabled;
  const parsed = parseJson(payload);

  const onSave = (event: FormEvent) => {
    event.preventDefault();
    void save.run(async () => {
      await api.patch(url, { code, enabled });
      await saved.reload();
      return enabled
        ? 'Saved: the next deliveries run this transformation.'
        : 'Saved: the transformation is kept but does not run.';
    });
  };

  const onSimulate = () => {
    setSimulated(null);
    void simulate.run(async () => {
      setSimulated(
        await api.post<Simulated>(`${url}/simulate`, {
          code,
          eventType,
          payload: parsed.value ?? {},
        }),
      );
    });
  };

  return (
    <section className="card" aria-labelledby="transformation-title">
      <h2 id="transformation-title">Transformation</h2>
      <p className="muted small">
        JavaScript run on each request after the body format: it may change the body, method, URL and headers,
        or cancel the delivery. It runs in a sandbox with time and memory limits.
      </p>
      <ResourceState resource={saved} loading="Loading the transformation" />
      {saved.data && (
        <form onSubmit={onSave} noValidate aria-label="Transformation">
          <Field label="Code">
            <CodeEditor value={code} onChange={setCode} rows={10} />
          </Field>
          <label className="check">
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
            <span>Run this transformation on deliveries</span>
          </label>
          <SaveButton busy={save.busy} label="Save transformation" disabled={unchanged} />
          {save.notice && <Notice>{save.notice}</Notice>}
          {save.error && <ErrorMessage error={save.error} />}

          <h3>Simulate</h3>
          <Field label="Sample eventType">
            <input value={eventType} onChange={(e) => setEventType(e.target.value)} />
          </Field>
          <JsonEditor
            label="Sample JSON"
            value={payload}
            onChange={setPayload}
            error={parsed.error}
            rows={5}
            hint="The body the handler gets as webhook.payload (after the body format)."
          />
          <button type="button" onClick={onSimulate} disabled={simulate.busy || parsed.error !== undefined}>
            {simulate.busy ? 'Simulating…' : 'Simulate'}
          </button>
          {simulate.error && <ErrorMessage error={simulate.error} />}
          {simulated && (
            <div aria-label="Simulation result" role="region">
              {simulated.cancel ? (
                <Notice>Cancelled: this delivery would not be sent.</Notice>
              ) : (
                <p>
                  Would send <strong>{simulated.method ?? 'POST'}</strong> to <code>{simulated.url}</code>
                </p>
              )}
              <HeaderTable headers={simulated.headers ?? {}} caption="Added headers" />
              <Code label="Body" text={simulated.payload} />
            </div>
          )}
        </form>
      )}
    </section>
  );
}
