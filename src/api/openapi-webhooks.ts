/**
 * Reading event types out of an OpenAPI document, as Svix's `event-type/import/openapi` does: every entry of
 * `webhooks` (OpenAPI 3.1) or `x-webhooks` (the extension before it) is an event type named by its key. Its
 * description is the operation's, its payload schema (version "1") is the JSON request body's schema with the
 * document's local `$ref`s resolved, and the body's examples become the schema's `examples`. A document that
 * cannot be read this way is a 422 that names the place, such as `spec.webhooks.pet.new.post.requestBody`.
 */
import { parse as parseYaml } from 'yaml';
import type { JsonObject } from '../store/index.js';
import { badRequest, unprocessable } from './errors.js';
import { NAME_PATTERN } from './schemas/common.js';

export interface EventTypeFromOpenApi {
  name: string;
  description: string;
  schemas: Record<string, JsonObject> | null;
  deprecated: boolean;
}

const METHODS = ['post', 'put', 'patch', 'get', 'delete'];
const NAME = new RegExp(NAME_PATTERN);
/** How deep `$ref`s may nest before the document is taken to refer to itself without end. */
const MAX_REF_DEPTH = 32;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The document from `spec` or `specRaw` (YAML or JSON), exactly one of which must be given. */
export function openApiDocument(spec: unknown, specRaw: string | null | undefined): JsonObject {
  const hasSpec = spec !== undefined && spec !== null;
  const hasRaw = specRaw !== undefined && specRaw !== null;
  if (hasSpec === hasRaw)
    throw badRequest('send the OpenAPI document as either spec (an object) or specRaw (text)');
  if (hasSpec) {
    if (!isObject(spec)) throw unprocessable('spec must be an object: an OpenAPI document');
    return spec;
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(specRaw!, { maxAliasCount: 100 });
  } catch (error) {
    throw unprocessable(`specRaw is neither YAML nor JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!isObject(parsed)) throw unprocessable('specRaw must hold an object: an OpenAPI document');
  return parsed;
}

/** The event types the document's webhooks describe, in the document's order. */
export function eventTypesFromOpenApi(
  document: JsonObject,
  from: 'spec' | 'specRaw',
): EventTypeFromOpenApi[] {
  const key = document.webhooks !== undefined ? 'webhooks' : 'x-webhooks';
  const webhooks = document[key];
  if (webhooks === undefined)
    throw unprocessable(`${from}.webhooks is missing: the document describes no webhooks`);
  if (!isObject(webhooks)) throw unprocessable(`${from}.${key} must be an object of webhooks by name`);
  return Object.entries(webhooks).map(([name, item]) => {
    const place = `${from}.${key}.${name}`;
    if (name.length > 256 || !NAME.test(name))
      throw unprocessable(
        `${place}: "${name.slice(0, 64)}" is not an event type name (letters, digits, - _ .)`,
      );
    if (!isObject(item)) throw unprocessable(`${place} must be a Path Item object`);
    const method = METHODS.find((candidate) => item[candidate] !== undefined);
    if (method === undefined) throw unprocessable(`${place} has no operation (post, put, …)`);
    const operation = item[method];
    if (!isObject(operation)) throw unprocessable(`${place}.${method} must be an Operation object`);
    const body = resolve(document, operation.requestBody, `${place}.${method}.requestBody`, 0);
    const media = isObject(body) && isObject(body.content) ? body.content['application/json'] : undefined;
    let schema: JsonObject | null = null;
    if (isObject(media) && media.schema !== undefined) {
      const mediaPlace = `${place}.${method}.requestBody.content.application/json`;
      const resolved = inline(document, media.schema, `${mediaPlace}.schema`, 0);
      if (!isObject(resolved)) throw unprocessable(`${mediaPlace}.schema must be a schema object`);
      schema = { ...resolved, ...examplesOf(media, resolved) };
    }
    const description = [
      operation.description,
      operation.summary,
      isObject(body) ? body.description : undefined,
    ].find((text): text is string => typeof text === 'string');
    return {
      name,
      description: (description ?? '').slice(0, 4096),
      schemas: schema === null ? null : { '1': schema },
      deprecated: operation.deprecated === true,
    };
  });
}

/** The media type's `example` and `examples` (OpenAPI's Example objects), as JSON Schema `examples`. */
function examplesOf(media: JsonObject, schema: JsonObject): { examples?: JsonObject[keyof JsonObject][] } {
  const examples = Array.isArray(schema.examples) ? [...schema.examples] : [];
  if (media.example !== undefined) examples.push(media.example);
  if (isObject(media.examples))
    for (const example of Object.values(media.examples))
      if (isObject(example) && example.value !== undefined) examples.push(example.value);
  return examples.length > 0 ? { examples } : {};
}

/** Follows a `$ref` to a place in the same document (`#/components/…`). */
function resolve(document: JsonObject, value: unknown, place: string, depth: number): unknown {
  if (!isObject(value) || typeof value.$ref !== 'string') return value;
  if (depth > MAX_REF_DEPTH)
    throw unprocessable(`${place}.$ref: references nest too deep (or refer to themselves)`);
  const ref = value.$ref;
  if (!ref.startsWith('#/'))
    throw unprocessable(`${place}.$ref "${ref}": only references within the document are read`);
  let target: unknown = document;
  for (const part of ref.slice(2).split('/')) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    target = isObject(target) ? target[key] : undefined;
    if (target === undefined) throw unprocessable(`${place}.$ref "${ref}" points at nothing in the document`);
  }
  return resolve(document, target, place, depth + 1);
}

/** A schema with every `$ref` in it replaced by what it points at. */
function inline(document: JsonObject, value: unknown, place: string, depth: number): unknown {
  if (depth > MAX_REF_DEPTH)
    throw unprocessable(`${place}: references nest too deep (or refer to themselves)`);
  const resolved = resolve(document, value, place, 0);
  if (Array.isArray(resolved))
    return resolved.map((item, i) => inline(document, item, `${place}[${i}]`, depth + 1));
  if (!isObject(resolved)) return resolved;
  return Object.fromEntries(
    Object.entries(resolved).map(([key, item]) => [
      key,
      inline(document, item, `${place}.${key}`, depth + 1),
    ]),
  );
}

/**
 * The inverse of `eventTypesFromOpenApi`: an OpenAPI 3.1 document whose `webhooks` are the event types, each a
 * `post` with the description and, when the event type has a schema, its newest payload version's schema as the
 * JSON request body. Importing the document gives back the same names, descriptions, deprecations and schemas.
 */
export function openApiFromEventTypes(eventTypes: readonly EventTypeFromOpenApi[]): JsonObject {
  const webhooks: JsonObject = {};
  for (const eventType of eventTypes) {
    const versions = Object.keys(eventType.schemas ?? {}).sort((a, b) => Number(a) - Number(b));
    const schema = versions.length > 0 ? eventType.schemas![versions[versions.length - 1]!] : undefined;
    webhooks[eventType.name] = {
      post: {
        operationId: eventType.name,
        description: eventType.description,
        ...(eventType.deprecated ? { deprecated: true } : {}),
        ...(schema ? { requestBody: { content: { 'application/json': { schema } } } } : {}),
        responses: { '2XX': { description: 'Return any 2XX status to indicate that the data was received' } },
      },
    };
  }
  return { openapi: '3.1.0', info: { title: 'Webhooks', version: '1.0.0' }, paths: {}, webhooks };
}
