/**
 * Checks a JSON Schema in the editor before it is saved: that it is shaped like a JSON Schema, and that the
 * example payload satisfies it. The API checks again when saving (it compiles the schema with Ajv), so this
 * catches the common mistakes early rather than every possible one.
 */
import { Validator, type Schema } from '@cfworker/json-schema';

const TYPES = new Set(['null', 'boolean', 'object', 'array', 'number', 'integer', 'string']);
const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas'];
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const SCHEMA_ONES = ['not', 'if', 'then', 'else', 'contains', 'propertyNames', 'additionalItems'];
const COUNTS = ['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties'];
const NUMBERS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The first problem found in a schema, as "where: what", or undefined. */
export function schemaProblem(schema: unknown, at = 'schema'): string | undefined {
  if (typeof schema === 'boolean') return undefined;
  if (!isObject(schema)) return `${at}: a schema must be a JSON object`;
  const type = schema.type;
  if (type !== undefined) {
    const types = Array.isArray(type) ? type : [type];
    const bad = types.find((t) => typeof t !== 'string' || !TYPES.has(t));
    if (bad !== undefined || types.length === 0)
      return `${at}.type: ${JSON.stringify(bad)} is not a type; use one of ${[...TYPES].join(', ')}`;
  }
  if (schema.required !== undefined) {
    const required = schema.required;
    if (!Array.isArray(required) || required.some((name) => typeof name !== 'string'))
      return `${at}.required: must be a list of property names`;
    if (new Set(required).size !== required.length) return `${at}.required: lists a property twice`;
  }
  if (schema.enum !== undefined && (!Array.isArray(schema.enum) || schema.enum.length === 0))
    return `${at}.enum: must be a non-empty list of values`;
  if (schema.pattern !== undefined) {
    if (typeof schema.pattern !== 'string') return `${at}.pattern: must be a string`;
    try {
      new RegExp(schema.pattern, 'u');
    } catch (error) {
      return `${at}.pattern: not a valid regular expression (${(error as Error).message})`;
    }
  }
  for (const key of COUNTS)
    if (schema[key] !== undefined && !(Number.isInteger(schema[key]) && (schema[key] as number) >= 0))
      return `${at}.${key}: must be a whole number, 0 or more`;
  for (const key of NUMBERS)
    if (schema[key] !== undefined && typeof schema[key] !== 'number') return `${at}.${key}: must be a number`;
  if (schema.examples !== undefined && !Array.isArray(schema.examples))
    return `${at}.examples: must be a list of example payloads`;
  for (const key of SCHEMA_MAPS) {
    const map = schema[key];
    if (map === undefined) continue;
    if (!isObject(map)) return `${at}.${key}: must be an object of schemas`;
    for (const [name, sub] of Object.entries(map)) {
      const problem = schemaProblem(sub, `${at}.${key}.${name}`);
      if (problem) return problem;
    }
  }
  for (const key of SCHEMA_LISTS) {
    const list = schema[key];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.length === 0) return `${at}.${key}: must be a non-empty list of schemas`;
    for (const [i, sub] of list.entries()) {
      const problem = schemaProblem(sub, `${at}.${key}[${i}]`);
      if (problem) return problem;
    }
  }
  for (const key of [...SCHEMA_ONES, 'additionalProperties', 'unevaluatedProperties']) {
    if (schema[key] === undefined) continue;
    const problem = schemaProblem(schema[key], `${at}.${key}`);
    if (problem) return problem;
  }
  if (schema.items !== undefined) {
    const items = Array.isArray(schema.items) ? schema.items : [schema.items];
    for (const [i, sub] of items.entries()) {
      const problem = schemaProblem(sub, Array.isArray(schema.items) ? `${at}.items[${i}]` : `${at}.items`);
      if (problem) return problem;
    }
  }
  if (schema.$ref !== undefined && typeof schema.$ref !== 'string') return `${at}.$ref: must be a string`;
  return undefined;
}

/** Why `example` does not satisfy `schema`, or undefined when it does. */
export function exampleProblem(schema: Record<string, unknown>, example: unknown): string | undefined {
  let result;
  try {
    result = new Validator(schema as Schema, '7', false).validate(example);
  } catch (error) {
    return `the schema cannot be used: ${(error as Error).message}`;
  }
  if (result.valid) return undefined;
  // The deepest errors say most; the first few are enough to act on.
  const messages = result.errors
    .filter(
      (e) => !['properties', 'allOf', 'anyOf', 'items'].includes(e.keyword) || result.errors.length === 1,
    )
    .slice(0, 3)
    .map((e) => `${e.instanceLocation.replace(/^#/, 'payload') || 'payload'}: ${e.error}`);
  return `the example does not match the schema: ${messages.join('; ')}`;
}
