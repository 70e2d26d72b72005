/**
 * The query-string parser. Svix's clients may send array parameters in bracket form, `event_types[]=a` or
 * `event_types[0]=a&event_types[1]=b`; they are folded into the plain name (`event_types`), beside any repeated
 * `event_types=a`, so that a filter is never silently dropped.
 */
import { parse } from 'node:querystring';

const BRACKETED = /^(.+)\[\d*\]$/;

const asList = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

export function parseQueryString(raw: string): Record<string, unknown> {
  const parsed = parse(raw);
  const folded: Record<string, unknown> = {};
  const bracketed: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(parsed)) {
    const name = BRACKETED.exec(key)?.[1];
    if (name === undefined) folded[key] = value;
    else bracketed.push([name, value]);
  }
  for (const [name, value] of bracketed) folded[name] = [...asList(folded[name]), ...asList(value)];
  return folded;
}
