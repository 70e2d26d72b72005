/**
 * A filter's select: "any" first, which is the empty value and filters nothing, then one option a choice. The
 * endpoint and event-type filters are the same on every screen that has them.
 */
import type { Endpoint, EventType } from '../lib/types';
import { Field } from './Field';

export interface FilterChoice {
  value: string;
  label: string;
}

interface Props {
  label: string;
  /** What the empty value says, such as "Any status". */
  any: string;
  choices: readonly FilterChoice[];
  value: string;
  onChange: (value: string) => void;
}

export function FilterSelect({ label, any, choices, value, onChange }: Props) {
  return (
    <Field label={label}>
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{any}</option>
        {choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

type Filter = Omit<Props, 'label' | 'any' | 'choices'>;

/** Filters by endpoint, shown by its URL. */
export function EndpointFilter({ endpoints, ...props }: Filter & { endpoints: Endpoint[] }) {
  const choices = endpoints.map((endpoint) => ({ value: endpoint.id, label: endpoint.url }));
  return <FilterSelect label="Endpoint" any="All endpoints" choices={choices} {...props} />;
}

export function EventTypeFilter({ eventTypes, ...props }: Filter & { eventTypes: EventType[] }) {
  const choices = eventTypes.map((type) => ({ value: type.name, label: type.name }));
  return <FilterSelect label="Event type" any="Any event type" choices={choices} {...props} />;
}
