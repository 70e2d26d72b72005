/**
 * Choosing which event types an endpoint receives, from the catalogue: names, descriptions, deprecated types
 * marked, and each type's example payload on request. None chosen means every event type.
 */
import { useState } from 'react';
import type { EventType } from '../lib/types';
import { pretty } from '../lib/format';
import { useOpenItem } from '../lib/use-open-item';
import { exampleOf } from '../catalogue/examples';
import { Badge } from '../components/StatusBadge';
import { Code } from '../components/Code';
import { ToggleButton } from '../components/ToggleButton';

interface Props {
  catalogue: EventType[];
  selected: string[];
  onChange: (names: string[]) => void;
}

export function EventTypePicker({ catalogue, selected, onChange }: Props) {
  const [filter, setFilter] = useState('');
  const opened = useOpenItem<string>();
  const chosen = new Set(selected);
  const toggle = (name: string) =>
    onChange(chosen.has(name) ? selected.filter((n) => n !== name) : [...selected, name]);
  const shown = catalogue.filter(
    (type) =>
      type.name.toLowerCase().includes(filter.toLowerCase()) ||
      type.description.toLowerCase().includes(filter.toLowerCase()),
  );
  // Names the endpoint has that the catalogue no longer offers (archived since): kept visible so they can go.
  const missing = selected.filter((name) => !catalogue.some((type) => type.name === name));

  return (
    <fieldset className="picker">
      <legend>Event types</legend>
      <p className="hint">
        {selected.length === 0
          ? 'None chosen: this endpoint receives every event type.'
          : `${selected.length} chosen: this endpoint receives only these.`}
      </p>
      {catalogue.length > 8 && (
        <label className="inline">
          <span>Find</span>
          <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </label>
      )}
      {catalogue.length === 0 && (
        <p className="muted">The catalogue is empty: this endpoint will receive every event type.</p>
      )}
      <ul className="picker-list">
        {missing.map((name) => (
          <li key={name}>
            <label className="check">
              <input type="checkbox" checked onChange={() => toggle(name)} />
              <span>
                <strong>{name}</strong> <Badge tone="warn">Not in the catalogue</Badge>
              </span>
            </label>
          </li>
        ))}
        {shown.map((type) => {
          const example = exampleOf(type);
          return (
            <li key={type.name}>
              <label className="check">
                <input type="checkbox" checked={chosen.has(type.name)} onChange={() => toggle(type.name)} />
                <span>
                  <strong>{type.name}</strong> {type.deprecated && <Badge tone="warn">Deprecated</Badge>}
                  <span className="muted small block">{type.description}</span>
                </span>
              </label>
              {example && (
                <ToggleButton
                  className="link small"
                  open={opened.open === type.name}
                  onToggle={() => opened.toggle(type.name)}
                  labels={['Show example', 'Hide example']}
                  of={` of ${type.name}`}
                />
              )}
              {opened.open === type.name && example && (
                <Code label={`Example of ${type.name}`} text={pretty(example)} />
              )}
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}
