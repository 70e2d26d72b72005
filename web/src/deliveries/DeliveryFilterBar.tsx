/** The delivery log's filters. Each change applies at once and is kept in the address, so it can be shared. */
import type { Endpoint, EventType } from '../lib/types';
import { Field } from '../components/Field';

export interface FilterValues {
  endpoint: string;
  status: string;
  eventType: string;
  /** datetime-local values, in the browser's time zone. */
  after: string;
  before: string;
}

interface Props {
  values: FilterValues;
  onChange: (values: FilterValues) => void;
  endpoints: Endpoint[];
  eventTypes: EventType[];
  live: boolean;
  onLive: (live: boolean) => void;
}

export function DeliveryFilterBar({ values, onChange, endpoints, eventTypes, live, onLive }: Props) {
  const set = (field: keyof FilterValues) => (value: string) => onChange({ ...values, [field]: value });
  const inverted = values.after !== '' && values.before !== '' && values.before <= values.after;
  const any = Object.values(values).some((value) => value !== '');
  return (
    <form
      className="filters"
      role="search"
      aria-label="Filter deliveries"
      onSubmit={(e) => e.preventDefault()}
    >
      <Field label="Endpoint">
        <select value={values.endpoint} onChange={(e) => set('endpoint')(e.target.value)}>
          <option value="">All endpoints</option>
          {endpoints.map((endpoint) => (
            <option key={endpoint.id} value={endpoint.id}>
              {endpoint.url}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Status">
        <select value={values.status} onChange={(e) => set('status')(e.target.value)}>
          <option value="">Any status</option>
          <option value="0">Succeeded</option>
          <option value="1">Pending (retrying)</option>
          <option value="3">Sending</option>
          <option value="2">Failed (dead letter)</option>
        </select>
      </Field>
      <Field label="Event type">
        <select value={values.eventType} onChange={(e) => set('eventType')(e.target.value)}>
          <option value="">Any event type</option>
          {eventTypes.map((type) => (
            <option key={type.name} value={type.name}>
              {type.name}
            </option>
          ))}
        </select>
      </Field>
      <Field label="From">
        <input type="datetime-local" value={values.after} onChange={(e) => set('after')(e.target.value)} />
      </Field>
      <Field label="Until" error={inverted ? 'must be later than "From"' : undefined}>
        <input type="datetime-local" value={values.before} onChange={(e) => set('before')(e.target.value)} />
      </Field>
      <div className="filter-tools">
        <label className="check">
          <input type="checkbox" checked={live} onChange={(e) => onLive(e.target.checked)} />
          <span>Follow new deliveries live</span>
        </label>
        {any && (
          <button
            type="button"
            className="small"
            onClick={() => onChange({ endpoint: '', status: '', eventType: '', after: '', before: '' })}
          >
            Clear filters
          </button>
        )}
      </div>
    </form>
  );
}
