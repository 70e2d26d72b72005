/**
 * Redaction rules: which values of a JSON document are replaced by `[redacted]`. A rule is either
 *
 * - a path from the document's root, `payload.customer.email`: `payload` names the root (the message payload, or
 *   the body an attempt sent or received), and a `*` segment matches any one key; or
 * - a field name anywhere, `*.card_number` or just `card_number`: that key at any depth.
 *
 * Arrays are looked through: a segment applied to an array applies to each of its items. A key matches its
 * segment exactly (case-sensitive), as JSON keys are.
 */

export const REDACTED = '[redacted]';
export const MAX_REDACTION_RULES = 100;
const MAX_RULE_LENGTH = 256;
/** One segment: a JSON key without dots, or `*`. */
const SEGMENT = /^(?:\*|[^.*\s[\]]+)$/;

type Rule = { anywhere: string } | { path: string[] };

/** A set of parsed rules, applied to documents. */
export interface Redactor {
  /** The value with every matched field replaced; the input is not changed. */
  redact(value: unknown): unknown;
  /**
   * A JSON text with every matched field replaced. Text that is not JSON is returned as it is, except text that
   * starts as JSON and does not parse (a body cut at its size limit): its fields cannot be found, so all of it
   * reads `[redacted]`.
   */
  redactText(text: string): string;
}

/** Why `rule` is not a redaction rule, or null when it is one. */
export function redactionRuleProblem(rule: string): string | null {
  if (rule.length === 0) return 'is empty';
  if (rule.length > MAX_RULE_LENGTH) return `is longer than ${MAX_RULE_LENGTH} characters`;
  const segments = rule.split('.');
  const bad = segments.find((segment) => !SEGMENT.test(segment));
  if (bad !== undefined)
    return bad === ''
      ? 'has an empty segment (two dots, or a dot at an end)'
      : `has the segment "${bad}"; a segment is a field name (no spaces, brackets or *) or * alone`;
  if (segments.length === 1 && segments[0] === '*') return 'matches everything; name a field';
  if (segments.length > 1 && segments[0] !== 'payload' && segments[0] !== '*')
    return 'must start with `payload.` (a path from the root) or `*.` (a field at any depth)';
  if (segments[0] === '*' && segments.length !== 2)
    return '`*.` takes one field name after it (`*.card_number`); use `payload.…` for a path';
  if (segments[0] === '*' && segments[1] === '*') return 'matches everything; name a field';
  if (segments[0] === 'payload' && segments.length === 1) return 'is the whole document; name a field in it';
  return null;
}

function parseRule(rule: string): Rule {
  const segments = rule.split('.');
  if (segments.length === 1) return { anywhere: segments[0]! };
  if (segments[0] === '*') return { anywhere: segments[1]! };
  return { path: segments.slice(1) };
}

/** A redactor for `rules` (already validated), or null when there are none. */
export function redactorFor(rules: readonly string[] | null): Redactor | null {
  if (rules === null || rules.length === 0) return null;
  const parsed = rules.map(parseRule);
  const anywhere = new Set(parsed.flatMap((rule) => ('anywhere' in rule ? [rule.anywhere] : [])));
  const paths = parsed.flatMap((rule) => ('path' in rule ? [rule.path] : []));
  const redact = (value: unknown): unknown => {
    let out = anywhere.size > 0 ? redactAnywhere(value, anywhere) : value;
    for (const path of paths) out = redactPath(out, path);
    return out;
  };
  return {
    redact,
    redactText(text) {
      let parsedText: unknown;
      try {
        parsedText = JSON.parse(text);
      } catch {
        return /^\s*[[{]/.test(text) ? REDACTED : text;
      }
      if (parsedText === null || typeof parsedText !== 'object') return text;
      return JSON.stringify(redact(parsedText));
    },
  };
}

function redactAnywhere(value: unknown, names: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((item) => redactAnywhere(item, names));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value))
    out[key] = names.has(key) ? REDACTED : redactAnywhere(item, names);
  return out;
}

function redactPath(value: unknown, path: readonly string[]): unknown {
  if (path.length === 0) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactPath(item, path));
  if (value === null || typeof value !== 'object') return value;
  const [head, ...rest] = path;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const key of Object.keys(out)) if (head === '*' || head === key) out[key] = redactPath(out[key], rest);
  return out;
}
