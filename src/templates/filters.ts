/**
 * Filters Herald adds to Liquid's standard ones, for the formats receivers want. Each charges what it allocates
 * to the render's memory limit, as liquidjs's own filters do.
 *
 * - `json`: the value as JSON, safe to embed anywhere in a JSON body (and in HTML): `<`, `>`, `&`, U+2028 and
 *   U+2029 are written as `\u` escapes, and a missing value is `null`. An optional argument indents.
 * - `xml_escape`: escapes `& < > " '` for XML text and attribute values.
 * - `iso8601`: a date (ISO string, Unix seconds or Date) as an ISO 8601 UTC timestamp.
 * - `unix`: a date as whole seconds since the Unix epoch.
 * - `format_number`: `1234567.891 | format_number: 2` is `1,234,567.89`; optional arguments set the decimal
 *   and thousands separators. A value that is not a number is returned as it is.
 */
import type { Liquid } from 'liquidjs';

/** What liquidjs binds `this` to in a filter; only the render context is used. */
interface FilterImpl {
  context: { memoryLimit: { use(count: number): void } };
}

type Filter = (this: FilterImpl, value: unknown, ...args: unknown[]) => unknown;

const UNSAFE_IN_JSON = /[<>&\u2028\u2029]/g;

function safeJson(value: unknown, indent?: number): string {
  const text = JSON.stringify(value === undefined ? null : value, null, indent) ?? 'null';
  return text.replace(UNSAFE_IN_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => XML_ESCAPES[char]!);
}

/** Liquid's convention: numbers are Unix seconds; strings are parsed as dates. */
function toDate(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === 'number') return Number.isFinite(value) ? new Date(value * 1000) : null;
  if (typeof value === 'string') {
    if (value.trim() === '') return null;
    const date = /^-?\d+(\.\d+)?$/.test(value.trim()) ? new Date(Number(value) * 1000) : new Date(value);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  return null;
}

function formatNumber(value: number, decimals: number, decimalSep: string, thousandsSep: string): string {
  const fixed = Math.abs(value).toFixed(decimals);
  const [whole = '0', fraction] = fixed.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, thousandsSep);
  const sign = value < 0 && Number(fixed) !== 0 ? '-' : '';
  return sign + grouped + (fraction === undefined ? '' : decimalSep + fraction);
}

const asText = (value: unknown, fallback: string) =>
  value === undefined || value === null ? fallback : String(value);

export const HERALD_FILTERS: Record<string, Filter> = {
  json(value, indent) {
    const text = safeJson(value, typeof indent === 'number' ? Math.min(Math.max(indent, 0), 10) : undefined);
    this.context.memoryLimit.use(text.length);
    return text;
  },
  xml_escape(value) {
    const text = asText(value, '');
    this.context.memoryLimit.use(text.length);
    return xmlEscape(text);
  },
  iso8601(value) {
    const date = toDate(value);
    return date === null ? value : date.toISOString();
  },
  unix(value) {
    const date = toDate(value);
    return date === null ? value : Math.floor(date.getTime() / 1000);
  },
  format_number(value, decimals, decimalSep, thousandsSep) {
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number)) return value;
    const places = typeof decimals === 'number' ? Math.min(Math.max(Math.trunc(decimals), 0), 20) : 0;
    const text = formatNumber(number, places, asText(decimalSep, '.'), asText(thousandsSep, ','));
    this.context.memoryLimit.use(text.length);
    return text;
  },
};

export function registerHeraldFilters(liquid: Liquid): void {
  for (const [name, filter] of Object.entries(HERALD_FILTERS)) liquid.registerFilter(name, filter);
}
