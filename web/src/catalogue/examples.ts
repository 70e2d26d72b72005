/** An event type's example payload: the first `examples` entry of its newest schema, as the API uses it. */
import type { EventType, JsonObject } from '../lib/types';

export function newestVersion(type: EventType): string | undefined {
  return Object.keys(type.schemas ?? {}).sort((a, b) => Number(b) - Number(a))[0];
}

export function exampleOf(type: EventType): JsonObject | undefined {
  const version = newestVersion(type);
  const schema = version === undefined ? undefined : type.schemas![version];
  const example = Array.isArray(schema?.examples) ? schema.examples[0] : undefined;
  return typeof example === 'object' && example !== null && !Array.isArray(example) ? example : undefined;
}
