/** An event type's schema versions as the editor holds them: schema text and example text, checked as typed. */
import type { EventType, Json, JsonObject } from '../lib/types';
import { pretty } from '../lib/format';
import { parseJson } from '../components/JsonEditor';
import { exampleProblem, schemaProblem } from './schema-check';

export interface VersionDraft {
  version: string;
  schema: string;
  example: string;
  /** Examples after the first, kept as they are. */
  more: Json[];
}

export const STARTER_SCHEMA = pretty({
  type: 'object',
  properties: { id: { type: 'string' } },
  required: ['id'],
});

export function versionsOf(type: EventType | undefined): VersionDraft[] {
  return Object.entries(type?.schemas ?? {})
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([version, schema]) => {
      const { examples, ...rest } = schema;
      const list = Array.isArray(examples) ? examples : [];
      return {
        version,
        schema: pretty(rest),
        example: list[0] === undefined ? '' : pretty(list[0]),
        more: list.slice(1),
      };
    });
}

export function versionErrors(draft: VersionDraft): { schema?: string; example?: string } {
  const schema = parseJson(draft.schema);
  if (schema.error) return { schema: schema.error };
  if (schema.value === undefined) return { schema: 'enter a JSON Schema, or remove this version' };
  const problem = schemaProblem(schema.value);
  if (problem) return { schema: problem };
  const example = parseJson(draft.example);
  if (example.error) return { example: example.error };
  if (example.value === undefined) return {};
  if (typeof example.value !== 'object' || example.value === null || Array.isArray(example.value))
    return { example: 'the example must be a JSON object, as payloads are' };
  const mismatch = exampleProblem(schema.value as Record<string, unknown>, example.value);
  return mismatch ? { example: mismatch } : {};
}

/** The `schemas` field to save; assumes every version is valid. */
export function schemasOf(drafts: VersionDraft[]): Record<string, JsonObject> | null {
  if (drafts.length === 0) return null;
  return Object.fromEntries(
    drafts.map((draft) => {
      const schema = JSON.parse(draft.schema) as JsonObject;
      const example = parseJson(draft.example).value as Json | undefined;
      const examples = [...(example === undefined ? [] : [example]), ...draft.more];
      return [draft.version, examples.length > 0 ? { ...schema, examples } : schema];
    }),
  );
}
