/** The endpoint form's fields. Each says what is wrong as soon as it has been typed into. */
import { useState } from 'react';
import type { EventType } from '../lib/types';
import { Field } from '../components/Field';
import type { EndpointDraft, draftErrors } from './draft';
import { EventTypePicker } from './EventTypePicker';
import { FilterEditor } from './FilterEditor';
import { HeadersEditor } from './HeadersEditor';

type ChoiceField = 'headerStyle' | 'compression' | 'ordering' | 'orderingAfterGiveUp';
type Options<K extends ChoiceField> = Array<[EndpointDraft[K], string]>;

const HEADER_STYLES: Options<'headerStyle'> = [
  ['standard', 'Standard Webhooks (webhook-id, webhook-signature…)'],
  ['svix', 'Svix (svix-id, svix-signature…)'],
];
const COMPRESSIONS: Options<'compression'> = [
  ['none', 'None'],
  ['gzip', 'gzip'],
  ['br', 'Brotli (br)'],
];
const ORDERINGS: Options<'ordering'> = [
  ['none', 'None (each message on its own, fastest)'],
  ['endpoint', 'Whole endpoint (one message at a time)'],
  ['key', 'Per ordering key (one at a time per key)'],
];
const AFTER_GIVE_UP: Options<'orderingAfterGiveUp'> = [
  ['skip', 'Move on (skip it)'],
  ['block', 'Wait (block the sequence)'],
];

interface Props {
  appId: string;
  draft: EndpointDraft;
  onChange: (draft: EndpointDraft) => void;
  errors: ReturnType<typeof draftErrors>;
  /** After a submit, every error shows, touched or not. */
  showAll: boolean;
  catalogue: EventType[];
}

export function EndpointFields({ appId, draft, onChange, errors, showAll, catalogue }: Props) {
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const set = <K extends keyof EndpointDraft>(field: K, value: EndpointDraft[K]) => {
    setTouched((t) => new Set(t).add(field));
    onChange({ ...draft, [field]: value });
  };
  const error = (field: keyof typeof errors) => (showAll || touched.has(field) ? errors[field] : undefined);
  /** A select among the fixed values of one field. */
  const choice = <K extends ChoiceField>(
    field: K,
    label: string,
    options: Options<K>,
    hint?: string,
    disabled = false,
  ) => (
    <Field label={label} hint={hint}>
      <select
        value={draft[field]}
        onChange={(e) => set(field, e.target.value as EndpointDraft[K])}
        disabled={disabled}
      >
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </Field>
  );

  return (
    <>
      <Field
        label="URL"
        hint="Where Herald sends the webhooks, such as https://example.com/webhooks; or poll://inbox for a polling endpoint, which Herald sends nothing and your customer reads through the poller API."
        error={error('url')}
      >
        <input
          type="url"
          value={draft.url}
          onChange={(e) => set('url', e.target.value)}
          onBlur={() => setTouched((t) => new Set(t).add('url'))}
          spellCheck={false}
          required
        />
      </Field>
      <Field label="Description (optional)" error={error('description')}>
        <input value={draft.description} onChange={(e) => set('description', e.target.value)} />
      </Field>
      <EventTypePicker
        catalogue={catalogue}
        selected={draft.eventTypes}
        onChange={(names) => set('eventTypes', names)}
      />
      <FilterEditor
        appId={appId}
        value={draft.filter}
        onChange={(text) => set('filter', text)}
        error={errors.filter}
        catalogue={catalogue}
      />
      <fieldset>
        <legend>Delivery settings</legend>
        <div className="grid-2">
          <Field
            label="Timeout (seconds)"
            hint="1 to 60; blank uses Herald's default."
            error={error('timeoutSeconds')}
          >
            <input
              inputMode="numeric"
              value={draft.timeoutSeconds}
              onChange={(e) => set('timeoutSeconds', e.target.value)}
            />
          </Field>
          <Field
            label="Rate limit (per second)"
            hint="1 to 65535; blank for none."
            error={error('throttleRate')}
          >
            <input
              inputMode="numeric"
              value={draft.throttleRate}
              onChange={(e) => set('throttleRate', e.target.value)}
            />
          </Field>
          <Field
            label="Retry schedule (seconds)"
            hint="Comma-separated waits before each retry, such as 5, 300, 1800; blank uses the event type's schedule, or the default."
            error={error('retrySchedule')}
          >
            <input value={draft.retrySchedule} onChange={(e) => set('retrySchedule', e.target.value)} />
          </Field>
          <Field
            label="Channels (optional)"
            hint="Comma-separated; blank receives every channel."
            error={error('channels')}
          >
            <input
              value={draft.channels}
              onChange={(e) => set('channels', e.target.value)}
              spellCheck={false}
            />
          </Field>
          {choice('headerStyle', 'Signature headers', HEADER_STYLES)}
          {choice(
            'compression',
            'Compression',
            COMPRESSIONS,
            'Large bodies are sent with Content-Encoding; the signature covers the uncompressed body.',
          )}
          <Field
            label="Compress bodies from (bytes)"
            hint="Smaller bodies are sent plain; blank uses 1024."
            error={error('compressionThreshold')}
          >
            <input
              inputMode="numeric"
              value={draft.compressionThreshold}
              onChange={(e) => set('compressionThreshold', e.target.value)}
              disabled={draft.compression === 'none'}
            />
          </Field>
          <Field label="UID (optional)" hint="Your own identifier for this endpoint." error={error('uid')}>
            <input value={draft.uid} onChange={(e) => set('uid', e.target.value)} spellCheck={false} />
          </Field>
          {choice(
            'ordering',
            'Ordering',
            ORDERINGS,
            'Ordered, a message is sent only after the one before it succeeded or was given up, in the order Herald accepted them.',
          )}
          {choice(
            'orderingAfterGiveUp',
            'After a message is given up',
            AFTER_GIVE_UP,
            'Wait holds its sequence until you resend or skip it on the health card.',
            draft.ordering === 'none',
          )}
        </div>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.batching}
            onChange={(e) => set('batching', e.target.checked)}
          />
          <span>Batch messages (several per request, as one JSON array; JSON bodies only)</span>
        </label>
        {draft.batching && (
          <div className="grid-2">
            <Field
              label="Messages per request"
              hint="1 to 1000: a batch goes when it has this many."
              error={error('batchMaxMessages')}
            >
              <input
                inputMode="numeric"
                value={draft.batchMaxMessages}
                onChange={(e) => set('batchMaxMessages', e.target.value)}
              />
            </Field>
            <Field
              label="Largest batch (bytes)"
              hint="1024 to 10485760; blank uses 1 MiB. A larger message goes alone."
              error={error('batchMaxBytes')}
            >
              <input
                inputMode="numeric"
                value={draft.batchMaxBytes}
                onChange={(e) => set('batchMaxBytes', e.target.value)}
              />
            </Field>
            <Field
              label="Wait for more (ms)"
              hint="0 to 60000: how long a batch that is not full waits for more messages; blank sends what is due at once."
              error={error('batchMaxWaitMs')}
            >
              <input
                inputMode="numeric"
                value={draft.batchMaxWaitMs}
                onChange={(e) => set('batchMaxWaitMs', e.target.value)}
              />
            </Field>
          </div>
        )}
        <label className="check">
          <input
            type="checkbox"
            checked={draft.disabled}
            onChange={(e) => set('disabled', e.target.checked)}
          />
          <span>Disabled (Herald sends nothing to it)</span>
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.propagateTraceContext}
            onChange={(e) => set('propagateTraceContext', e.target.checked)}
          />
          <span>Send trace context (traceparent, when Herald's tracing is on)</span>
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.adaptiveThrottling}
            onChange={(e) => set('adaptiveThrottling', e.target.checked)}
          />
          <span>
            Adaptive throttling (fewer requests at once while the endpoint answers slowly, times out or
            answers 429 or 503)
          </span>
        </label>
      </fieldset>
      <HeadersEditor
        rows={draft.headers}
        onChange={(rows) => set('headers', rows)}
        error={error('headers')}
      />
    </>
  );
}
