/**
 * A payload generated from an event type's newest JSON Schema by json-schema-faker, as `herald simulate events`
 * makes them, checked against the schema before it is offered: a generated payload that does not pass is made
 * again, a few times, before giving up with the reason. The generator is loaded on first use, not with the
 * dashboard.
 */
import type { JsonSchema } from 'json-schema-faker';
import type { EventType, JsonObject } from '../lib/types';
import { newestVersion } from './examples';
import { exampleProblem } from './schema-check';

const TRIES = 10;

export async function generatePayload(
  type: EventType,
): Promise<{ payload: JsonObject } | { problem: string }> {
  const version = newestVersion(type);
  const schema = version === undefined ? undefined : type.schemas![version];
  if (schema === undefined) return { problem: `${type.name} has no schema to generate a payload from` };
  const { generateSync } = await import('json-schema-faker');
  let last = 'the generator gave up';
  for (let i = 0; i < TRIES; i++) {
    let payload: unknown;
    try {
      payload = generateSync(schema as JsonSchema, { seed: Math.floor(Math.random() * 2 ** 31) });
    } catch (error) {
      last = (error as Error).message;
      continue;
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      last = 'the schema does not describe an object';
      continue;
    }
    const problem = exampleProblem(schema, payload);
    if (problem === undefined) return { payload: payload as JsonObject };
    last = problem.replace('the example', 'the generated payload');
  }
  return { problem: `no generated payload passed the schema of ${type.name}: ${last}` };
}
