/** The delivery log's filters. Each change applies at once and is kept in the address, so it can be shared. */
import type { Endpoint, EventType } from '../lib/types';
import { Field } from '../components/Field';
import { EndpointFilter, EventTypeFilter, FilterSelect } from '../components/FilterSelect';

export interface FilterValues {
  endpoint: string;
  status: string;
  eventType: string;
  /** datetime-local values, in the browser's time zone. */
  after: string;
  before: string;
}

/**
 * The API's status codes, in the order of a delivery's life. As in Svix, a delivery that was tried and waits
 * for its next attempt is "sending", like one in flight; "pending" is one not tried yet.
 */
const STATUSES = [
  { value: '1', label: 'Pending (not tried yet)' },
  { value: '3', label: 'Sending (in flight or retrying)' },
  { value: '0', label: 'Succeeded' },
  { value: '2', label: 'Failed (dead letter)' },
  { value: '4', label: 'Canceled (never sent)' },
];

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
      <EndpointFilter endpoints={endpoints} value={values.endpoint} onChange={set('endpoint')} />
      <FilterSelect
        label="Status"
        any="Any status"
        choices={STATUSES}
        value={values.status}
        onChange={set('status')}
      />
      <EventTypeFilter eventTypes={eventTypes} value={values.eventType} onChange={set('eventType')} />
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
