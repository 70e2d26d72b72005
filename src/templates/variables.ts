/**
 * Strict variable checks, run when a template is saved and on a test render. A template may read only what
 * Herald gives it:
 *
 * - `event.type`, `event.id`, `event.timestamp`, `event.eventId`, `event.channels` and `event.data` (the
 *   payload);
 * - `endpoint.id`, `endpoint.uid`, `endpoint.metadata.*`;
 * - `app.id`, `app.uid`, `app.name`, `app.metadata.*`.
 *
 * When the template names its event type and that type has a schema, every `event.data.…` path must exist in
 * the schema of the newest payload version (the shape events arrive in). A path is checked as far as it is
 * static: `event.data[key]` stops the check at the dynamic part, and variables a template assigns or loops over
 * are its own. `size`, `first` and `last` are Liquid's and always allowed where they apply.
 */
import type { Variable, Variables } from 'liquidjs';
import type { Json, JsonObject } from '../store/index.js';
import { problem, type TemplateProblem } from './problems.js';

export const TEMPLATE_VARIABLES: Record<string, readonly string[]> = {
  event: ['type', 'id', 'timestamp', 'eventId', 'channels', 'data'],
  endpoint: ['id', 'uid', 'metadata'],
  app: ['id', 'uid', 'name', 'metadata'],
};

/** The payload schema that `event.data` is checked against, and what to call it in messages. */
export interface DataSchema {
  schema: JsonObject;
  /** e.g. `invoice.paid version 2` */
  label: string;
}

type Segment = string | number | Variable;
type Verdict = { ok: true } | { ok: false; reason: string };

const OK: Verdict = { ok: true };
const MAX_DEPTH = 32;

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Follows a local `$ref` (`#/definitions/x`, `#/$defs/x`); anything else is left as it is. */
function resolve(node: Json | undefined, root: JsonObject, depth = 0): Json | undefined {
  if (!isObject(node) || typeof node.$ref !== 'string' || depth > MAX_DEPTH) return node;
  if (!node.$ref.startsWith('#')) return true;
  let target: Json | undefined = root;
  for (const part of node.$ref.slice(1).split('/').filter(Boolean)) {
    const key = decodeURIComponent(part).replaceAll('~1', '/').replaceAll('~0', '~');
    target = isObject(target) ? target[key] : undefined;
  }
  return resolve(target, root, depth + 1);
}

function typesOf(node: JsonObject): string[] {
  if (typeof node.type === 'string') return [node.type];
  if (Array.isArray(node.type)) return node.type.filter((t): t is string => typeof t === 'string');
  return [];
}

function fieldNames(node: JsonObject): string {
  const names = isObject(node.properties) ? Object.keys(node.properties) : [];
  return names.length === 0 ? 'none' : names.slice(0, 20).join(', ');
}

/** Does the schema `node`, found at `path[0..index)`, allow the rest of `path`? */
function walk(
  node: Json | undefined,
  path: Segment[],
  index: number,
  root: JsonObject,
  depth: number,
): Verdict {
  const resolved = resolve(node, root);
  if (index >= path.length || !isObject(resolved) || depth > MAX_DEPTH) return OK;
  const segment = path[index]!;
  const here = pathText(path.slice(0, index));
  if (typeof segment === 'object') return OK; // a dynamic lookup: nothing more to check statically
  if (segment === 'size') return OK;

  const branches = ['allOf', 'anyOf', 'oneOf'].flatMap((key) => {
    const list = resolved[key];
    return Array.isArray(list) ? list : [];
  });
  if (branches.length > 0) {
    const verdicts = branches.map((branch) => walk(branch, path, index, root, depth + 1));
    if (verdicts.some((verdict) => verdict.ok)) return OK;
    // Without properties of its own, the node is only its branches.
    if (!isObject(resolved.properties) && !isObject(resolved.items)) return verdicts[0]!;
  }

  const types = typesOf(resolved);
  const isArray = types.includes('array') || resolved.items !== undefined;
  if (isArray && (typeof segment === 'number' || segment === 'first' || segment === 'last')) {
    const items = resolved.items;
    return items === undefined || Array.isArray(items) ? OK : walk(items, path, index + 1, root, depth + 1);
  }
  const key = String(segment);
  if (isObject(resolved.properties) && Object.hasOwn(resolved.properties, key))
    return walk(resolved.properties[key], path, index + 1, root, depth + 1);
  if (isObject(resolved.patternProperties)) {
    for (const [pattern, schema] of Object.entries(resolved.patternProperties)) {
      let matches = false;
      try {
        matches = new RegExp(pattern, 'u').test(key);
      } catch {
        matches = false;
      }
      if (matches) return walk(schema, path, index + 1, root, depth + 1);
    }
  }
  if (isObject(resolved.additionalProperties))
    return walk(resolved.additionalProperties, path, index + 1, root, depth + 1);
  if (isObject(resolved.properties))
    return { ok: false, reason: `${here} has no field "${key}" (its fields: ${fieldNames(resolved)})` };
  const scalar = types.length > 0 && types.every((t) => !['object', 'array'].includes(t));
  if (scalar) return { ok: false, reason: `${here} is a ${types.join(' or ')}, with no field "${key}"` };
  return OK;
}

function pathText(segments: Segment[]): string {
  return segments
    .map((segment, index) =>
      typeof segment === 'object'
        ? `[${segment.toString()}]`
        : typeof segment === 'number'
          ? `[${segment}]`
          : index === 0
            ? segment
            : `.${segment}`,
    )
    .join('');
}

/** Problems with the variables a template reads, each at its line and column. */
export function checkVariables(globals: Variables, data: DataSchema | null): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  for (const [name, uses] of Object.entries(globals)) {
    for (const use of uses) {
      const segments = use.segments;
      const at = (message: string) =>
        problems.push(problem('unknown_variable', message, use.location.row, use.location.col));
      const fields = TEMPLATE_VARIABLES[name];
      if (!fields) {
        at(
          `unknown variable "${pathText(segments)}"; templates can read ${Object.keys(TEMPLATE_VARIABLES).join(', ')} ` +
            '(and variables they assign)',
        );
        continue;
      }
      const field = segments[1];
      if (field === undefined || typeof field === 'object' || field === 'size') continue;
      if (!fields.includes(String(field))) {
        at(`unknown variable "${pathText(segments)}"; ${name} has ${fields.join(', ')}`);
        continue;
      }
      if (name !== 'event' || field !== 'data' || !data) continue;
      const verdict = walk(data.schema, segments, 2, data.schema, 0);
      if (!verdict.ok) at(`"${pathText(segments)}" is not in the schema of ${data.label}: ${verdict.reason}`);
    }
  }
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
