/**
 * Sends a test event to one endpoint: pick an event type, edit its example payload, send, and see the attempt:
 * status, response, duration and the signature headers the receiver got.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { Attempt, AttemptDetail, Endpoint, EventType, Message, Page } from '../lib/types';
import { enc } from '../lib/api';
import { duration, pretty, prettyBody } from '../lib/format';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/session-context';
import { JsonEditor, parseJson } from '../components/JsonEditor';
import { ErrorMessage, ResourceState } from '../components/states';
import { StatusBadge } from '../components/StatusBadge';
import { Code, HeaderTable } from '../components/Code';
import { exampleOf, newestVersion } from '../catalogue/examples';
import { generatePayload } from '../catalogue/generate';
import { isSignatureHeader, RequestBody } from '../deliveries/AttemptView';

const WAIT_MS = 30_000;
const POLL_MS = 500;

type Outcome =
  | { state: 'waiting'; message: Message }
  | { state: 'done'; message: Message; attempt: AttemptDetail }
  | { state: 'no-attempt'; message: Message };

interface Props {
  appId: string;
  endpoint: Endpoint;
  onSent: () => void;
}

export function SendTest({ appId, endpoint, onSent }: Props) {
  const { api } = useSession();
  const catalogue = useResource('catalogue:content', () =>
    api.all<EventType>('/event-type', { with_content: true }),
  );
  const [eventType, setEventType] = useState('');
  const [payload, setPayload] = useState('{}');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [generateProblem, setGenerateProblem] = useState<string | null>(null);
  const selectId = useId();

  const types = sortForEndpoint(catalogue.data ?? [], endpoint);
  const choose = (name: string) => {
    setEventType(name);
    setGenerateProblem(null);
    const type = types.find((t) => t.name === name);
    setPayload(pretty(type ? (exampleOf(type) ?? {}) : {}));
  };
  const generate = async (type: EventType) => {
    const generated = await generatePayload(type);
    if ('payload' in generated) {
      setPayload(pretty(generated.payload));
      setGenerateProblem(null);
    } else setGenerateProblem(generated.problem);
  };
  useEffect(() => {
    if (eventType === '' && types[0]) choose(types[0].name);
  });

  const parsed = parseJson(payload);
  const payloadError =
    parsed.error ??
    (parsed.value === undefined ||
    typeof parsed.value !== 'object' ||
    Array.isArray(parsed.value) ||
    parsed.value === null
      ? 'the payload must be a JSON object, such as {"id": 1}'
      : undefined);

  const send = async (event: FormEvent) => {
    event.preventDefault();
    if (payloadError || eventType === '') return;
    setError(null);
    setOutcome(null);
    try {
      const base = `/app/${enc(appId)}`;
      const message = await api.post<Message>(`${base}/endpoint/${enc(endpoint.id)}/send-example`, {
        eventType,
        payload: parsed.value,
      });
      setOutcome({ state: 'waiting', message });
      onSent();
      const deadline = Date.now() + WAIT_MS;
      while (Date.now() < deadline) {
        const page = await api.get<Page<Attempt>>(`${base}/attempt/msg/${enc(message.id)}`, {
          endpoint_id: endpoint.id,
          limit: 1,
        });
        const first = page.data[0];
        if (first) {
          const attempt = await api.get<AttemptDetail>(
            `${base}/msg/${enc(message.id)}/attempt/${enc(first.id)}`,
          );
          setOutcome({ state: 'done', message, attempt });
          onSent();
          return;
        }
        await new Promise((resolve) => window.setTimeout(resolve, POLL_MS));
      }
      setOutcome({ state: 'no-attempt', message });
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  const chosen = types.find((t) => t.name === eventType);
  return (
    <section className="card" aria-labelledby="test-title">
      <h2 id="test-title">Send a test event</h2>
      <ResourceState resource={catalogue} loading="Loading event types" />
      {catalogue.data && types.length === 0 && (
        <p className="muted">
          The event-type catalogue is empty. An admin adds event types under Event types.
        </p>
      )}
      {types.length > 0 && (
        <form onSubmit={send} noValidate>
          {endpoint.disabled && (
            <p className="warning">This endpoint is disabled: the test event waits until it is enabled.</p>
          )}
          <div className="field">
            <label htmlFor={selectId}>Event type</label>
            <select id={selectId} value={eventType} onChange={(e) => choose(e.target.value)}>
              {types.map((type) => (
                <option key={type.name} value={type.name}>
                  {type.name}
                  {type.deprecated ? ' (deprecated)' : ''}
                  {endpoint.eventTypes && !endpoint.eventTypes.includes(type.name) ? ' (not subscribed)' : ''}
                </option>
              ))}
            </select>
            {chosen && <p className="hint">{chosen.description}</p>}
          </div>
          <JsonEditor
            label="Payload"
            hint="Starts as the event type's example; generate another from its schema, or edit it freely. It is sent to this endpoint only."
            value={payload}
            onChange={setPayload}
            error={payloadError}
            rows={8}
          />
          {chosen && newestVersion(chosen) !== undefined && (
            <div className="actions">
              <button type="button" onClick={() => void generate(chosen)}>
                Generate from schema
              </button>
              <button type="button" onClick={() => choose(chosen.name)}>
                Use the example
              </button>
            </div>
          )}
          {generateProblem && <p className="warning">{generateProblem}</p>}
          <button
            type="submit"
            className="primary"
            disabled={Boolean(payloadError) || outcome?.state === 'waiting'}
          >
            {outcome?.state === 'waiting' ? 'Waiting for the attempt…' : 'Send test event'}
          </button>
        </form>
      )}
      {error && <ErrorMessage error={error} />}
      <div aria-live="polite">{outcome && <TestOutcome outcome={outcome} />}</div>
    </section>
  );
}

/** Subscribed event types first, then the others; deprecated ones last within each. */
function sortForEndpoint(types: EventType[], endpoint: Endpoint): EventType[] {
  const rank = (type: EventType) =>
    (endpoint.eventTypes && !endpoint.eventTypes.includes(type.name) ? 2 : 0) + (type.deprecated ? 1 : 0);
  return [...types].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

function TestOutcome({ outcome }: { outcome: Outcome }) {
  if (outcome.state === 'waiting')
    return (
      <p role="status" className="muted">
        Message <code>{outcome.message.id}</code> queued; waiting for the attempt…
      </p>
    );
  if (outcome.state === 'no-attempt')
    return (
      <p className="warning" role="status">
        Message <code>{outcome.message.id}</code> is queued but no attempt was made within {WAIT_MS / 1000} s.
        The endpoint may be disabled, rate limited or paused by its circuit breaker; follow it in the delivery
        log.
      </p>
    );
  const { attempt } = outcome;
  const signatures = Object.fromEntries(
    Object.entries(attempt.requestHeaders ?? {}).filter(([name]) => isSignatureHeader(name)),
  );
  return (
    <div className="test-result" role="status">
      <h3>
        <StatusBadge status={attempt.statusText} />{' '}
        {attempt.responseStatusCode === 0 ? 'No response' : `HTTP ${attempt.responseStatusCode}`} in{' '}
        {duration(attempt.responseDurationMs)}
      </h3>
      {attempt.errorClass && (
        <p className="warning">
          Failed: <code>{attempt.errorClass}</code> {attempt.errorDetail}. Herald retries it on the
          endpoint&apos;s schedule.
        </p>
      )}
      <HeaderTable headers={signatures} caption="Signature headers" />
      {typeof attempt.requestBody === 'string' && <RequestBody attempt={attempt} />}
      <Code label="Response body" text={prettyBody(attempt.response)} />
    </div>
  );
}
