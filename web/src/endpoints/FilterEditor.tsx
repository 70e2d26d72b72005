/**
 * The endpoint form's content filter: a MongoDB-style query typed as JSON, tried as you type against a sample
 * message on the server, which says whether it matches or, naming the place, why it would be refused.
 */
import { useState } from 'react';
import { Field } from '../components/Field';
import { JsonEditor, parseJson } from '../components/JsonEditor';
import { Badge } from '../components/StatusBadge';
import type { EventType } from '../lib/types';
import { parseFilter } from './draft';
import { useFilterTest } from './use-filter-test';

interface Props {
  appId: string;
  value: string;
  onChange: (text: string) => void;
  /** The form's own check of the filter (not JSON, not an object). */
  error: string | undefined;
  catalogue: EventType[];
}

const EXAMPLE = '{\n  "payload.amount": {"$gte": 1000},\n  "payload.currency": {"$in": ["EUR", "USD"]}\n}';

/** The example payload of an event type's newest schema, as the sample to start from. */
function exampleOf(eventType: EventType | undefined): string {
  const schemas = eventType?.schemas ?? {};
  const newest = Object.keys(schemas).sort((a, b) => Number(b) - Number(a))[0];
  const examples = newest === undefined ? undefined : (schemas[newest] as { examples?: unknown[] }).examples;
  return JSON.stringify(examples?.[0] ?? { amount: 1200, currency: 'EUR' }, null, 2);
}

export function FilterEditor({ appId, value, onChange, error, catalogue }: Props) {
  const [eventType, setEventType] = useState(catalogue[0]?.name ?? '');
  const [sample, setSample] = useState(() => exampleOf(catalogue[0]));
  const parsedSample = parseJson(sample);
  const sampleError =
    parsedSample.error ??
    (parsedSample.value !== undefined &&
    (typeof parsedSample.value !== 'object' ||
      parsedSample.value === null ||
      Array.isArray(parsedSample.value))
      ? 'the payload is a JSON object'
      : undefined);
  const filter = parseFilter(value);
  const ready = error === undefined && sampleError === undefined && value.trim() !== '';
  const test = useFilterTest(
    appId,
    ready
      ? {
          filter: filter.value ?? null,
          ...(eventType !== '' && { eventType }),
          payload: (parsedSample.value ?? {}) as Record<string, unknown>,
        }
      : null,
  );

  return (
    <fieldset>
      <legend>Content filter</legend>
      <JsonEditor
        label="Filter (optional)"
        hint={
          'A MongoDB-style query over eventType, channels and payload; only messages that match it are ' +
          'delivered. Operators: $eq $ne $gt $gte $lt $lte $in $nin $exists $regex $and $or $not $size. ' +
          'Blank: every message.'
        }
        value={value}
        onChange={onChange}
        error={error ?? (ready ? (test.error ?? undefined) : undefined)}
        rows={5}
      />
      {value.trim() === '' && (
        <p className="muted small">
          For example: <code>{EXAMPLE.replace(/\s+/g, ' ')}</code>{' '}
          <button type="button" className="link" onClick={() => onChange(EXAMPLE)}>
            Use this example
          </button>
        </p>
      )}
      <div className="grid-2">
        <Field label="Try it on event type" hint="The sample message's type; nothing is sent or saved.">
          <select
            value={eventType}
            onChange={(e) => {
              setEventType(e.target.value);
              setSample(exampleOf(catalogue.find((type) => type.name === e.target.value)));
            }}
          >
            <option value="">(none)</option>
            {catalogue.map((type) => (
              <option key={type.name} value={type.name}>
                {type.name}
              </option>
            ))}
          </select>
        </Field>
        <JsonEditor label="Sample payload" value={sample} onChange={setSample} error={sampleError} rows={5} />
      </div>
      <p role="status" aria-label="Filter result" className="preview-state">
        {!ready ? (
          ''
        ) : test.testing ? (
          'Trying the filter…'
        ) : test.matches === true ? (
          <>
            <Badge tone="ok">Matches</Badge> this message would be delivered to the endpoint
          </>
        ) : test.matches === false ? (
          <>
            <Badge tone="bad">No match</Badge> this message would not be delivered to the endpoint
          </>
        ) : (
          ''
        )}
      </p>
    </fieldset>
  );
}
