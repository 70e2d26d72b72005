/**
 * Format conversion without a template: an endpoint can receive its standard JSON body as XML or form-encoded.
 * Both are deterministic functions of the payload alone (the same payload always gives the same bytes).
 *
 * XML (`application/xml`):
 * - `<?xml version="1.0" encoding="UTF-8"?>` then one root element, `<payload>`.
 * - An object's members become child elements in the payload's order; a member whose name is not a plain XML
 *   name (ASCII letters, digits, `_`, `-`, `.`, not starting with a digit, `-`, `.` or `xml`) becomes
 *   `<entry key="the name">` instead, so keys such as `@id`, `#text`, `1st` or `a b` never change the structure.
 * - An array becomes its element with one `<item>` child per entry: `{"tags": ["a", "b"]}` is
 *   `<tags><item>a</item><item>b</item></tags>`; an empty array or object is an empty element, `<tags/>`.
 * - Strings are escaped text; numbers and booleans are written as JSON writes them; `null` is
 *   `<name nil="true"/>`, which tells it apart from the empty string (`<name></name>`).
 * - Characters XML 1.0 cannot carry (control characters other than tab, newline and carriage return) become
 *   U+FFFD.
 *
 * Form (`application/x-www-form-urlencoded`):
 * - Nested members are flattened with brackets: `{"a": {"b": [1, 2]}}` is `a[b][0]=1&a[b][1]=2` (the
 *   brackets percent-encoded, `a%5Bb%5D%5B0%5D=1`, as URLSearchParams writes them; PHP, Rails and most form
 *   parsers read that back into the structure).
 * - Numbers and booleans as JSON writes them, `null` and empty arrays and objects as an empty value (`a=`).
 * - Pairs in the payload's order; spaces as `+`.
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { Json, JsonObject } from '../store/index.js';

const XML_NAME = /^(?!xml)[A-Za-z_][A-Za-z0-9_.-]*$/i;
// eslint-disable-next-line no-control-regex -- these are exactly the characters being replaced
const NOT_IN_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

const builder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: true,
  suppressBooleanAttributes: false,
  processEntities: true,
  format: false,
});

type XmlNode = Record<string, unknown>;

const clean = (text: string) => text.replace(NOT_IN_XML, '\uFFFD');

function element(name: string, value: Json): XmlNode {
  const valid = XML_NAME.test(name);
  const node: XmlNode = { [valid ? name : 'entry']: children(value) };
  const attributes: Record<string, string> = {};
  if (!valid) attributes['@_key'] = clean(name);
  if (value === null) attributes['@_nil'] = 'true';
  if (Object.keys(attributes).length > 0) node[':@'] = attributes;
  return node;
}

function children(value: Json): XmlNode[] {
  if (value === null) return [];
  if (Array.isArray(value)) return value.map((entry) => element('item', entry));
  if (typeof value === 'object') return Object.entries(value).map(([key, entry]) => element(key, entry));
  const text = typeof value === 'string' ? clean(value) : JSON.stringify(value);
  return text === '' ? [] : [{ '#text': text }];
}

export function toXml(payload: JsonObject): string {
  const body = builder.build([element('payload', payload)]) as string;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}

function flatten(prefix: string, value: Json, out: URLSearchParams): void {
  if (value === null) out.append(prefix, '');
  else if (Array.isArray(value)) {
    if (value.length === 0) out.append(prefix, '');
    value.forEach((entry, index) => flatten(`${prefix}[${index}]`, entry, out));
  } else if (typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) out.append(prefix, '');
    for (const [key, entry] of entries) flatten(`${prefix}[${key}]`, entry, out);
  } else out.append(prefix, typeof value === 'string' ? value : JSON.stringify(value));
}

export function toForm(payload: JsonObject): string {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(payload)) flatten(key, value, out);
  return out.toString();
}
