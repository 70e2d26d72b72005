/**
 * Validates message payloads against their event type's JSON Schema (the highest payload version). Compiled
 * validators are cached by event type and its `updatedAt`, so a schema is compiled once per change, not once
 * per message.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { EventType } from '../store/index.js';
import { unprocessable } from './errors.js';
import { type Loc, pointerSegments } from './problems.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const CACHE_LIMIT = 1000;
const cache = new Map<string, { updatedAt: number; validate: ValidateFunction | null }>();

function latestSchema(eventType: EventType) {
  if (!eventType.schemas) return null;
  const versions = Object.keys(eventType.schemas).sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? null : eventType.schemas[versions[0]]!;
}

function validatorFor(eventType: EventType): ValidateFunction | null {
  const hit = cache.get(eventType.name);
  if (hit && hit.updatedAt === eventType.updatedAt) return hit.validate;
  const schema = latestSchema(eventType);
  let validate: ValidateFunction | null = null;
  if (schema) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validate = ajv.compile(schema);
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(eventType.name, { updatedAt: eventType.updatedAt, validate });
  return validate;
}

/** Throws a 422 naming what is wrong when `payload` does not satisfy the event type's schema. */
export function checkPayload(
  eventType: EventType | undefined,
  payload: unknown,
  field: Loc = ['body', 'payload'],
): void {
  if (!eventType) return;
  const validate = validatorFor(eventType);
  if (!validate || validate(payload)) return;
  const problems = (validate.errors ?? []).slice(0, 5).map((error) => ({
    loc: [...field, ...pointerSegments(error.instancePath)],
    msg: `${error.message ?? 'is invalid'}, as the schema of event type "${eventType.name}" says`,
    type: `value_error.schema.${error.keyword}`,
  }));
  throw unprocessable(problems);
}
