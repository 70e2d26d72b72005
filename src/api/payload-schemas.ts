/**
 * Checks the JSON Schemas of event types when they are saved: each must compile, and each example it carries
 * must satisfy it. A schema that would reject every payload, or an example that contradicts its schema, is
 * reported at once with the version and the reason. An event type's example payload is read here too.
 */
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { EventType, JsonObject } from '../store/index.js';
import { unprocessable } from './errors.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: true });
  addFormats(ajv);
  return ajv;
}

export function checkPayloadSchemas(schemas: Record<string, JsonObject> | null | undefined): void {
  if (!schemas) return;
  for (const [version, schema] of Object.entries(schemas)) {
    // A fresh instance per schema, so a schema's `$id` cannot collide with another's.
    const ajv = newAjv();
    let validate;
    try {
      validate = ajv.compile(schema);
    } catch (error) {
      throw unprocessable(
        ['body', 'schemas', version],
        `is not a valid JSON Schema: ${(error as Error).message}`,
      );
    }
    const examples = Array.isArray(schema.examples) ? schema.examples : [];
    examples.forEach((example, index) => {
      if (!validate(example))
        throw unprocessable(
          ['body', 'schemas', version, 'examples', String(index)],
          `does not match its schema: ${ajv.errorsText(validate.errors)}`,
        );
    });
  }
}

/** Deprecated payload versions must be versions the event type has. */
export function checkDeprecatedVersions(
  deprecated: string[] | undefined,
  schemas: Record<string, JsonObject> | null | undefined,
): void {
  const unknown = (deprecated ?? []).filter((version) => !schemas?.[version]);
  if (unknown.length > 0)
    throw unprocessable(
      ['body', 'deprecatedVersions'],
      `names versions the event type has no schema for: ${unknown.join(', ')}; ` +
        'deprecate only versions in schemas',
    );
}

/** The example payload of an event type: the first `examples` entry of its newest schema version. */
export function exampleOf(eventType: EventType): JsonObject | undefined {
  const versions = Object.keys(eventType.schemas ?? {}).sort((a, b) => Number(b) - Number(a));
  const schema = versions[0] === undefined ? undefined : eventType.schemas![versions[0]];
  const example = Array.isArray(schema?.examples) ? schema.examples[0] : undefined;
  return typeof example === 'object' && example !== null && !Array.isArray(example) ? example : undefined;
}
