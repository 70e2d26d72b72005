/**
 * Payloads for `herald simulate events`: generated from an event type's newest JSON Schema (the version Herald
 * validates a message against) by json-schema-faker, or taken from the schema's `examples`. Every payload is
 * checked against the schema with Ajv, configured as Herald's ingest check is, before it is sent, so none is
 * rejected for its shape; a generated payload that fails is generated again, then an example takes its place.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { generateSync, type JsonSchema } from 'json-schema-faker';
import type { Random } from './random.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
/** Generations tried for one payload before an example is used instead. */
const TRIES = 10;

type JsonObject = Record<string, unknown>;

/** An event type as `GET /api/v1/event-type?with_content=true` lists it. */
export interface CatalogueEventType {
  name: string;
  deprecated?: boolean;
  archived?: boolean;
  schemas?: Record<string, JsonObject> | null;
}

export type PayloadMode = 'generated' | 'examples';
export type PayloadOrigin = 'generated' | 'example' | 'unconstrained';

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The schema Herald checks a new message against: the highest payload version's. */
export function newestSchema(type: CatalogueEventType): JsonObject | null {
  const versions = Object.keys(type.schemas ?? {}).sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? null : type.schemas![versions[0]]!;
}

export class PayloadSource {
  readonly #validate: ValidateFunction | null;
  readonly #examples: JsonObject[];
  #generationFailed = false;
  #sequence = 0;

  private constructor(
    readonly eventType: string,
    private readonly schema: JsonObject | null,
    private readonly mode: PayloadMode,
    private readonly random: Random,
  ) {
    if (schema === null) {
      this.#validate = null;
      this.#examples = [];
      return;
    }
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    this.#validate = ajv.compile(schema);
    const examples = Array.isArray(schema.examples) ? schema.examples : [];
    this.#examples = examples.filter(
      (example): example is JsonObject => isObject(example) && this.valid(example),
    );
  }

  /** A source for `type`, or the reason it cannot give payloads that pass its schema. */
  static for(type: CatalogueEventType, mode: PayloadMode, random: Random): PayloadSource | string {
    let source: PayloadSource;
    try {
      source = new PayloadSource(type.name, newestSchema(type), mode, random);
    } catch (error) {
      return `its schema does not compile: ${(error as Error).message}`;
    }
    if (source.schema === null) return source;
    if (mode === 'examples' && source.#examples.length === 0)
      return 'its schema has no example that passes it (--payloads examples)';
    if (mode === 'generated' && source.#examples.length === 0 && source.#generate() === null)
      return 'json-schema-faker could not generate a payload that passes its schema, and it has no example';
    return source;
  }

  private valid(payload: unknown): boolean {
    return this.#validate === null || (isObject(payload) && this.#validate(payload) === true);
  }

  #generate(): JsonObject | null {
    for (let i = 0; i < TRIES; i++) {
      let payload: unknown;
      try {
        payload = generateSync(this.schema as JsonSchema, { seed: this.random.int(0, 2 ** 31 - 1) });
      } catch {
        continue;
      }
      if (isObject(payload) && this.valid(payload)) return payload;
    }
    return null;
  }

  /** The next payload and where it came from; null in the rare case that no generation passed and there is no example. */
  next(): { payload: JsonObject; origin: PayloadOrigin } | null {
    this.#sequence += 1;
    // Without a schema any object passes: a small one that tells the events apart.
    if (this.schema === null)
      return { payload: { simulated: true, sequence: this.#sequence }, origin: 'unconstrained' };
    if (this.mode === 'generated' && !this.#generationFailed) {
      const payload = this.#generate();
      if (payload !== null) return { payload, origin: 'generated' };
      if (this.#examples.length === 0) return null;
      // A schema the generator rarely satisfies would cost TRIES generations per event: use the examples.
      this.#generationFailed = true;
    }
    const example = this.#examples[this.random.int(0, this.#examples.length - 1)]!;
    return { payload: example, origin: 'example' };
  }
}
