/**
 * Content filters: a MongoDB-style query over a message that decides whether an endpoint receives it. The query
 * is evaluated by `sift`, given only the operators below, so an operator outside the list can never run (`$where`
 * above all). `$regex` is evaluated by RE2 (`re2js`), which matches in time linear in the input whatever the
 * pattern, instead of JavaScript's backtracking RegExp: no pattern a user saves can stall the ingest path on a
 * hostile payload. `checkContentFilter` says what is wrong with a filter and where, before it is saved;
 * `ContentFilters` compiles each distinct filter once and tests messages against it at fan-out.
 */
import { createRequire } from 'node:module';
import { RE2JS } from 're2js';
import type * as Sift from 'sift';
import type { Json, JsonObject } from '../store/index.js';

/**
 * sift ships as a CommonJS bundle whose exports Node's ESM loader cannot name, so it is loaded with `require`
 * (an `import { … } from 'sift'` works under bundlers but not in the built Herald).
 */
const {
  $and,
  $eq,
  $exists,
  $gt,
  $gte,
  $in,
  $lt,
  $lte,
  $ne,
  $nin,
  $not,
  $options,
  $or,
  $size,
  createEqualsOperation,
  createQueryTester,
} = createRequire(import.meta.url)('sift') as typeof Sift;

/** What a filter reads: the message's event type, its channels (empty when it has none) and its payload. */
export interface FilterSubject {
  eventType: string;
  channels: readonly string[];
  payload: JsonObject;
}

const REGEX_FLAGS: Record<string, number> = {
  i: RE2JS.CASE_INSENSITIVE,
  m: RE2JS.MULTILINE,
  s: RE2JS.DOTALL,
};

/** Compiles a `$regex` pattern with RE2; throws on syntax RE2 does not take, or a program too large. */
function compileRegex(pattern: string, options: unknown): RE2JS {
  let flags = 0;
  for (const flag of typeof options === 'string' ? options : '') flags |= REGEX_FLAGS[flag] ?? 0;
  return RE2JS.compile(pattern, flags);
}

/** sift's `$regex`, matched by RE2: a string field matches when the pattern is found anywhere in it. */
function $regex(
  pattern: string,
  ownerQuery: Record<string, unknown>,
  options: Parameters<typeof Sift.createEqualsOperation>[2],
) {
  const re = compileRegex(pattern, ownerQuery.$options);
  return createEqualsOperation(
    (value: unknown) => typeof value === 'string' && re.test(value),
    ownerQuery,
    options,
  );
}

/** The operators a filter may use, and nothing else. `$options` only beside `$regex`. */
const OPERATIONS = {
  $and,
  $or,
  $eq,
  $ne,
  $gt,
  $gte,
  $lt,
  $lte,
  $in,
  $nin,
  $exists,
  $regex,
  $options,
  $not,
  $size,
};
const FIELD_OPERATORS = [
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$exists',
  '$regex',
  '$not',
  '$size',
];
const LOGICAL_OPERATORS = ['$and', '$or'];

/** Limits that keep a filter cheap to store and to evaluate on every message. */
export const FILTER_LIMITS = {
  /** Characters of the filter as JSON. */
  size: 16 * 1024,
  /** Levels of `$and`, `$or` and `$not` inside one another. */
  depth: 8,
  /** Conditions in one `$and`/`$or`, values in one `$in`/`$nin`. */
  items: 100,
  /** Characters of a path, and segments in it. */
  pathLength: 256,
  pathSegments: 32,
  /** Characters of a `$regex` pattern. */
  regexLength: 256,
} as const;

const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/** What is wrong with a filter: the place (for example `body.filter["payload.amount"].$gte`) and the fix. */
export interface FilterProblem {
  place: string;
  problem: string;
}

class Invalid extends Error {
  constructor(
    readonly place: string,
    readonly problem: string,
  ) {
    super(`${place}: ${problem}`);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks a filter before it is saved or tried: its shape, its paths, its operators and their operands, and the
 * cost of its regular expressions. `place` names the filter in messages (`body.filter`). Null means it is fine.
 */
export function checkContentFilter(filter: unknown, place: string): FilterProblem | null {
  try {
    if (JSON.stringify(filter).length > FILTER_LIMITS.size)
      throw new Invalid(place, `is larger than ${FILTER_LIMITS.size} characters as JSON; simplify it`);
    checkQuery(filter, place, 0);
    // sift is given the same operators: a filter that passed the checks compiles.
    createQueryTester(filter as JsonObject, { operations: OPERATIONS });
    return null;
  } catch (error) {
    if (error instanceof Invalid) return { place: error.place, problem: error.problem };
    return { place, problem: `cannot be evaluated (${(error as Error).message})` };
  }
}

function checkQuery(query: unknown, place: string, depth: number): void {
  if (!isObject(query))
    throw new Invalid(place, 'must be an object of conditions, such as {"payload.amount": {"$gte": 1000}}');
  if (depth > FILTER_LIMITS.depth)
    throw new Invalid(place, `nests $and, $or and $not more than ${FILTER_LIMITS.depth} levels deep`);
  for (const [key, value] of Object.entries(query)) {
    if (LOGICAL_OPERATORS.includes(key)) {
      const inner = `${place}.${key}`;
      if (!Array.isArray(value) || value.length === 0 || value.length > FILTER_LIMITS.items)
        throw new Invalid(inner, `takes a list of 1 to ${FILTER_LIMITS.items} conditions`);
      value.forEach((item, index) => checkQuery(item, `${inner}[${index}]`, depth + 1));
    } else if (key.startsWith('$')) {
      throw new Invalid(
        `${place}.${key}`,
        FIELD_OPERATORS.includes(key)
          ? `applies to a field: write {"payload.field": {"${key}": …}}`
          : `is not an operator a filter may use at this level; use $and, $or or a path such as "payload.amount"`,
      );
    } else {
      const inner = `${place}[${JSON.stringify(key)}]`;
      checkPath(key, inner);
      checkCondition(value, inner, depth);
    }
  }
}

function checkPath(path: string, place: string): void {
  const segments = path.split('.');
  const [root] = segments;
  const fix =
    'paths are eventType, channels, payload, or payload.<field>[.<field>…] (for example "payload.amount")';
  if (root !== 'eventType' && root !== 'channels' && root !== 'payload')
    throw new Invalid(place, `is not a path a filter can read; ${fix}`);
  if (root !== 'payload' && segments.length > 1) throw new Invalid(place, `${root} has no fields; ${fix}`);
  if (path.length > FILTER_LIMITS.pathLength || segments.length > FILTER_LIMITS.pathSegments)
    throw new Invalid(
      place,
      `is longer than ${FILTER_LIMITS.pathLength} characters or ${FILTER_LIMITS.pathSegments} segments`,
    );
  for (const segment of segments) {
    if (segment === '') throw new Invalid(place, `has an empty segment; ${fix}`);
    if (segment.startsWith('$') || FORBIDDEN_SEGMENTS.has(segment))
      throw new Invalid(place, `has a segment "${segment}" that a path may not use`);
  }
}

/** A field's condition: a value it must equal, or an object of operators. */
function checkCondition(condition: unknown, place: string, depth: number): void {
  if (!isObject(condition)) return;
  const keys = Object.keys(condition);
  if (keys.length === 0 || !keys.every((key) => key.startsWith('$')))
    throw new Invalid(
      place,
      'must be a value to equal or an object of operators such as {"$gte": 1000}; to compare a nested field ' +
        'use a dotted path ("payload.customer.country"), to compare a whole object use {"$eq": {…}}',
    );
  for (const key of keys) checkOperand(key, condition[key], condition, `${place}.${key}`, depth);
}

function checkOperand(
  operator: string,
  operand: unknown,
  condition: Record<string, unknown>,
  place: string,
  depth: number,
): void {
  switch (operator) {
    case '$eq':
    case '$ne':
      return;
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      if (typeof operand !== 'number' && typeof operand !== 'string')
        throw new Invalid(place, 'takes a number or a string');
      return;
    case '$in':
    case '$nin':
      if (!Array.isArray(operand) || operand.length > FILTER_LIMITS.items)
        throw new Invalid(place, `takes a list of at most ${FILTER_LIMITS.items} values`);
      return;
    case '$exists':
      if (typeof operand !== 'boolean') throw new Invalid(place, 'takes true or false');
      return;
    case '$size':
      if (!Number.isInteger(operand) || (operand as number) < 0)
        throw new Invalid(place, 'takes a whole number of items, 0 or more');
      return;
    case '$regex':
      checkRegex(operand, condition.$options, place);
      return;
    case '$options':
      if (!('$regex' in condition)) throw new Invalid(place, 'goes beside $regex');
      return;
    case '$not':
      if (!isObject(operand) || !Object.keys(operand).every((key) => key.startsWith('$')))
        throw new Invalid(place, 'takes an object of operators, such as {"$regex": "^test_"}');
      if (depth + 1 > FILTER_LIMITS.depth)
        throw new Invalid(place, `nests $and, $or and $not more than ${FILTER_LIMITS.depth} levels deep`);
      checkCondition(operand, place, depth + 1);
      return;
    default:
      throw new Invalid(
        place,
        `is not an operator a filter may use; use one of ${[...LOGICAL_OPERATORS, ...FIELD_OPERATORS].join(' ')}`,
      );
  }
}

/**
 * A regular expression must be at most 256 characters, use only the flags i, m and s, and compile with RE2: RE2
 * syntax has no lookaround or backreferences (they cannot run in linear time), and RE2 refuses a pattern whose
 * program would be too large (a counted repetition over 1000, or nested ones whose product is).
 */
function checkRegex(pattern: unknown, options: unknown, place: string): void {
  if (typeof pattern !== 'string') throw new Invalid(place, 'takes a regular expression as a string');
  if (pattern.length > FILTER_LIMITS.regexLength)
    throw new Invalid(place, `is longer than ${FILTER_LIMITS.regexLength} characters`);
  if (options !== undefined && (typeof options !== 'string' || !/^[ims]*$/.test(options)))
    throw new Invalid(place.replace(/\$regex$/, '$options'), 'takes the flags i, m and s only, as a string');
  try {
    compileRegex(pattern, options);
  } catch (error) {
    throw new Invalid(
      place,
      `is not a regular expression Herald can evaluate safely (${(error as Error).message}); filters use RE2 ` +
        'syntax: no lookaround or backreferences, counted repetitions up to 1000',
    );
  }
}

/** The subject of a message for its filters. */
export function filterSubject(
  eventType: string,
  channels: readonly string[] | null,
  payload: Json,
): FilterSubject {
  return { eventType, channels: channels ?? [], payload: isObject(payload) ? (payload as JsonObject) : {} };
}

type Tester = (subject: FilterSubject) => boolean;

/** Compiles a filter that `checkContentFilter` accepted. */
export function compileContentFilter(filter: JsonObject): Tester {
  const test = createQueryTester<FilterSubject>(filter as never, { operations: OPERATIONS });
  return (subject) => {
    try {
      return test(subject);
    } catch {
      // A filter that cannot be evaluated on this message does not match it.
      return false;
    }
  };
}

/** Distinct filters kept compiled at most; past it the cache starts again (filters are few in practice). */
const CACHED_FILTERS = 10_000;

/** Filters compiled once per distinct stored text, and tested against each message routed. */
export class ContentFilters {
  readonly #compiled = new Map<string, Tester>();

  /** Whether the subject matches the filter stored as `text` (null: no filter, everything matches). */
  matches(text: string | null, subject: FilterSubject): boolean {
    if (text === null) return true;
    let tester = this.#compiled.get(text);
    if (tester === undefined) {
      if (this.#compiled.size >= CACHED_FILTERS) this.#compiled.clear();
      try {
        tester = compileContentFilter(JSON.parse(text) as JsonObject);
      } catch {
        // Every filter is checked when saved; one that still fails to compile matches nothing.
        tester = () => false;
      }
      this.#compiled.set(text, tester);
    }
    return tester(subject);
  }
}
