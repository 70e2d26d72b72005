import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { EventType, TemplateContent, TemplateContentType } from '../../src/store/index.js';
import { checkTemplate, compile, CompiledCache } from '../../src/templates/compile.js';
import { toForm, toXml } from '../../src/templates/convert.js';
import { MAX_OUTPUT_CHARS, RENDER_TIME_LIMIT_MS } from '../../src/templates/limits.js';
import { describeProblem } from '../../src/templates/problems.js';
import { convertBody, renderTemplate, type TemplateScope } from '../../src/templates/render.js';

const scope: TemplateScope = {
  event: {
    type: 'invoice.paid',
    id: 'msg_1',
    timestamp: '2024-05-06T07:08:09.000Z',
    eventId: 'evt_1',
    channels: ['eu'],
    data: {
      invoiceId: 'inv_42',
      amount: 1234567.891,
      note: 'He said "hi" </script> & left\u2028',
      customer: { name: 'Zoë & Co', email: null },
      lines: [
        { sku: 'a', qty: 2 },
        { sku: 'b<', qty: 1 },
      ],
    },
  },
  endpoint: { id: 'ep_1', uid: 'erp', metadata: { region: 'eu' } },
  app: { id: 'app_1', uid: 'acme', name: 'Acme', metadata: { tier: 'gold' } },
};

function render(body: string, contentType: TemplateContentType = 'text', data?: TemplateScope) {
  const compiled = compile({ contentType, body });
  if (!compiled.ok) throw new Error(compiled.problems.map(describeProblem).join('; '));
  return renderTemplate(compiled.compiled, data ?? scope);
}

function rendered(body: string, contentType: TemplateContentType = 'text') {
  const result = render(body, contentType);
  if (!result.ok) throw new Error(result.problems.map(describeProblem).join('; '));
  return result;
}

const invoicePaid: EventType = {
  name: 'invoice.paid',
  description: '',
  archived: false,
  deprecated: false,
  featureFlags: null,
  groupName: null,
  retrySchedule: null,
  deprecatedVersions: [],
  createdAt: 0,
  updatedAt: 0,
  schemas: {
    '1': { type: 'object', properties: { id: { type: 'string' } } },
    '2': {
      type: 'object',
      properties: {
        invoiceId: { type: 'string' },
        amount: { type: 'number' },
        customer: { $ref: '#/$defs/customer' },
        lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' } } } },
        extra: {
          type: 'object',
          additionalProperties: { type: 'object', properties: { x: { type: 'string' } } },
        },
      },
      $defs: { customer: { type: 'object', properties: { name: { type: 'string' }, email: {} } } },
    },
  },
};

const content = (body: string, overrides: Partial<TemplateContent> = {}): TemplateContent => ({
  contentType: 'json',
  body,
  eventType: 'invoice.paid',
  payloadVersion: null,
  ...overrides,
});

describe('rendering each content type', () => {
  it('renders a Slack-style JSON body, embedding strings safely with json', () => {
    const result = rendered(
      '{"text": {{ event.data.note | json }}, "who": {{ event.data.customer | json }}, "type": "{{ event.type }}"}',
      'json',
    );
    expect(result.contentType).toBe('application/json');
    expect(result.body).not.toContain('</script>');
    expect(JSON.parse(result.body)).toEqual({
      text: scope.event.data.note,
      who: { name: 'Zoë & Co', email: null },
      type: 'invoice.paid',
    });
  });

  it('renders XML with escaping and UTC dates', () => {
    const result = rendered(
      '<invoice id="{{ event.data.invoiceId | xml_escape }}"><customer>{{ event.data.customer.name | xml_escape }}</customer>' +
        '{% for line in event.data.lines %}<line sku="{{ line.sku | xml_escape }}"/>{% endfor %}' +
        '<at>{{ event.timestamp | date: "%d/%m/%Y %H:%M" }}</at></invoice>',
      'xml',
    );
    expect(result.contentType).toBe('application/xml');
    expect(result.body).toBe(
      '<invoice id="inv_42"><customer>Zoë &amp; Co</customer><line sku="a"/><line sku="b&lt;"/>' +
        '<at>06/05/2024 07:08</at></invoice>',
    );
  });

  it('renders a form body', () => {
    const result = rendered(
      'invoice={{ event.data.invoiceId | url_encode }}&customer={{ event.data.customer.name | url_encode }}\n',
      'form',
    );
    expect(result.contentType).toBe('application/x-www-form-urlencoded');
    expect(new URLSearchParams(result.body.trim()).get('customer')).toBe('Zoë & Co');
  });

  it('renders text, with endpoint and app variables', () => {
    const result = rendered(
      '{{ app.name }}/{{ app.metadata.tier }} → {{ endpoint.uid }} ({{ endpoint.metadata.region }})',
    );
    expect(result).toEqual({
      ok: true,
      body: 'Acme/gold → erp (eu)',
      contentType: 'text/plain; charset=utf-8',
    });
  });
});

describe('filters', () => {
  it('formats numbers', () => {
    expect(rendered('{{ event.data.amount | format_number: 2 }}').body).toBe('1,234,567.89');
    expect(rendered('{{ event.data.amount | format_number: 1, ",", "." }}').body).toBe('1.234.567,9');
    expect(rendered('{{ -0.004 | format_number: 2 }}|{{ -1500 | format_number }}').body).toBe('0.00|-1,500');
    expect(rendered('{{ "n/a" | format_number: 2 }}').body).toBe('n/a');
  });

  it('formats dates', () => {
    expect(rendered('{{ event.timestamp | iso8601 }}').body).toBe('2024-05-06T07:08:09.000Z');
    expect(rendered('{{ event.timestamp | unix }}').body).toBe('1714979289');
    expect(rendered('{{ 0 | iso8601 }}').body).toBe('1970-01-01T00:00:00.000Z');
    expect(rendered('{{ event.timestamp | date: "%Y-%m-%d" }}').body).toBe('2024-05-06');
  });

  it('escapes for XML and embeds JSON safely', () => {
    expect(rendered(`{{ "<a href='x'>&\\"" | xml_escape }}`).body).toBe(
      '&lt;a href=&apos;x&apos;&gt;&amp;&quot;',
    );
    expect(rendered('{{ event.data.note | json }}').body).toBe(
      '"He said \\"hi\\" \\u003c/script\\u003e \\u0026 left\\u2028"',
    );
    expect(rendered('{{ event.data.nothing | json }}').body).toBe('null');
    expect(rendered('{{ event.data.lines | json: 2 }}').body).toContain('\n  {');
  });

  it('falls back with default', () => {
    expect(
      rendered('{{ event.data.customer.email | default: "none" }}|{{ event.data.nothing | default: 3 }}')
        .body,
    ).toBe('none|3');
  });
});

describe('errors with where they are', () => {
  it('reports syntax errors with line and column', () => {
    const problems = checkTemplate(content('{\n  "a": {{ event.type }\n}'), invoicePaid);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'syntax', line: 2, column: 8 });
    expect(describeProblem(problems[0]!)).toMatch(/^line 2, column 8: output .* not closed$/);
  });

  it('reports unknown tags and filters', () => {
    expect(checkTemplate(content('ok\n{% unknowntag %}'), invoicePaid)[0]).toMatchObject({
      kind: 'syntax',
      line: 2,
      column: 1,
    });
    expect(checkTemplate(content('{{ event.type | shout }}'), invoicePaid)[0]).toMatchObject({
      kind: 'unknown_filter',
      message: 'undefined filter: shout',
      line: 1,
    });
  });

  it('reports variables the event type schema does not have (strict mode)', () => {
    const problems = checkTemplate(
      content(
        '{{ event.data.invoiceId }} {{ event.data.amont }}\n' +
          '{{ event.data.customer.name }} {{ event.data.customer.nmae }}\n' +
          '{% for l in event.data.lines %}{{ l.anything }}{% endfor %}{{ event.data.lines.first.sku }}' +
          '{{ event.data.lines[0].skew }}\n' +
          '{{ event.data.extra.foo.x }}{{ event.data.extra.foo.y }}{{ event.data.amount.cents }}',
      ),
      invoicePaid,
    );
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [
        1,
        '"event.data.amont" is not in the schema of invoice.paid version 2: event.data has no field "amont" ' +
          '(its fields: invoiceId, amount, customer, lines, extra)',
      ],
      [
        2,
        '"event.data.customer.nmae" is not in the schema of invoice.paid version 2: event.data.customer has no ' +
          'field "nmae" (its fields: name, email)',
      ],
      [
        3,
        '"event.data.lines[0].skew" is not in the schema of invoice.paid version 2: event.data.lines[0] has no ' +
          'field "skew" (its fields: sku)',
      ],
      [4, expect.stringContaining('event.data.extra.foo has no field "y"')],
      [4, expect.stringContaining('event.data.amount is a number, with no field "cents"')],
    ]);
    expect(problems.every((p) => p.kind === 'unknown_variable' && p.column !== null)).toBe(true);
  });

  it('reports variables templates are not given', () => {
    const problems = checkTemplate(
      content(
        '{{ secrets }} {{ event.payload }} {{ endpoint.url }} {% assign x = 1 %}{{ x }} {{ app.metadata.any }}',
        { eventType: null },
      ),
      undefined,
    );
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^unknown variable "secrets"; templates can read event, endpoint, app/),
      expect.stringMatching(/^unknown variable "event.payload"; event has type, id, timestamp/),
      expect.stringMatching(/^unknown variable "endpoint.url"; endpoint has id, uid, metadata/),
    ]);
  });

  it('does not check event.data without a schema, and checks event type and payload version names', () => {
    expect(checkTemplate(content('{{ event.data.whatever.deep }}', { eventType: null }), undefined)).toEqual(
      [],
    );
    expect(checkTemplate(content('{}', { eventType: 'nope.type' }), undefined)[0]?.message).toMatch(
      /not in the catalogue/,
    );
    expect(checkTemplate(content('{}', { payloadVersion: '7' }), invoicePaid)[0]?.message).toMatch(
      /has no payload version "7" \(it has 1, 2\)/,
    );
    expect(
      checkTemplate(content('{}', { eventType: null, payloadVersion: '1' }), undefined)[0]?.message,
    ).toMatch(/payloadVersion needs eventType/);
  });

  it('reports invalid output for the content type', () => {
    const json = render('{"a": {{ event.data.note }}}', 'json');
    expect(json.ok).toBe(false);
    if (!json.ok) {
      expect(json.problems[0]).toMatchObject({ kind: 'output', line: 1, column: 7 });
      expect(json.problems[0]!.message).toMatch(/not valid JSON/);
      expect(json.body).toContain('He said');
    }
    const xml = render('<a>\n<b></a>', 'xml');
    expect(!xml.ok && xml.problems[0]).toMatchObject({ kind: 'output', line: 2 });
    const form = render('a={{ event.data.customer.name }}', 'form');
    expect(!form.ok && form.problems[0]?.message).toMatch(/unencoded whitespace/);
  });
});

describe('safety', () => {
  it('cannot include or render files', () => {
    for (const body of [
      '{% include "/etc/passwd" %}',
      '{% render "x" %}',
      '{% layout "x" %}{% block a %}{% endblock %}',
    ])
      expect(checkTemplate(content(body, { eventType: null }), undefined)[0]).toMatchObject({
        kind: 'syntax',
      });
    expect(compile({ contentType: 'text', body: '{% include "package.json" %}' }).ok).toBe(false);
  });

  it('cannot reach prototypes or constructors', () => {
    expect(rendered('[{{ event.constructor }}][{{ event.data.__proto__ }}][{{ app.toString }}]').body).toBe(
      '[][][]',
    );
  });

  it('stops a template that loops for too long, quickly and clearly', () => {
    const started = performance.now();
    const result = render('{% for a in (1..100000) %}{% for b in (1..100000) %}{% endfor %}{% endfor %}');
    expect(performance.now() - started).toBeLessThan(RENDER_TIME_LIMIT_MS + 4_000);
    expect(!result.ok && result.problems[0]).toMatchObject({
      kind: 'render',
      message: `rendering took longer than ${RENDER_TIME_LIMIT_MS} ms (time limit)`,
    });
  });

  it('stops a template that produces a huge output', () => {
    const started = performance.now();
    const result = render('{% for a in (1..100000000) %}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{% endfor %}');
    expect(performance.now() - started).toBeLessThan(RENDER_TIME_LIMIT_MS + 4_000);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]!.message).toMatch(/memory limit|output limit|time limit/);
    const output = render(
      '{% capture s %}{% for i in (1..1000) %}{{ event.data.note }}{% endfor %}{% endcapture %}' +
        '{% for i in (1..1000) %}{{ s }}{% endfor %}',
    );
    expect(!output.ok && output.problems[0]?.message).toBe(
      `the output is larger than ${MAX_OUTPUT_CHARS} characters (output limit)`,
    );
  });

  it('stops strings that double in captures and appends', () => {
    for (const body of [
      '{% capture s %}xxxxxxxxxx{% endcapture %}{% for i in (1..40) %}{% capture s %}{{s}}{{s}}{% endcapture %}{% endfor %}{{ s | size }}',
      '{% assign s = "xxxxxxxxxx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}',
    ]) {
      const result = render(body);
      expect(!result.ok && result.problems[0]?.message).toMatch(/memory limit/);
    }
  });

  it('refuses a template source over the size limit', () => {
    const problems = checkTemplate(content('x'.repeat(70_000), { eventType: null }), undefined);
    expect(problems[0]?.message).toMatch(/longer than/);
  });
});

describe('the compiled cache', () => {
  it('compiles each version once and evicts the least recently used', () => {
    const cache = new CompiledCache(2);
    const version = (templateId: string, n: number) => ({
      templateId,
      version: n,
      contentType: 'text' as const,
      body: `{{ event.type }} v${n}`,
      eventType: null,
      payloadVersion: null,
      createdAt: 0,
    });
    const first = cache.get(version('tmpl_a', 1));
    expect(cache.get(version('tmpl_a', 1))).toBe(first);
    cache.get(version('tmpl_b', 1));
    cache.get(version('tmpl_a', 1));
    cache.get(version('tmpl_c', 1));
    expect(cache.has('tmpl_a', 1)).toBe(true);
    expect(cache.has('tmpl_b', 1)).toBe(false);
  });
});

describe('format conversion', () => {
  const payload = {
    amount: 42,
    ok: true,
    none: null,
    empty: '',
    tags: ['a', 'b<'],
    noTags: [],
    obj: {},
    '@id': 'attr?',
    '#text': 'text?',
    '1st': 1,
    'a b': { c: [1, { d: 2 }] },
    xmlish: 'x',
    ctl: 'a\u0001b',
    ü: 'ü',
  };

  it('converts to XML deterministically, with the documented mapping', () => {
    const xml = toXml(payload);
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<payload><amount>42</amount><ok>true</ok><none nil="true"/>' +
        '<empty/><tags><item>a</item><item>b&lt;</item></tags><noTags/><obj/><entry key="@id">attr?</entry>' +
        '<entry key="#text">text?</entry><entry key="1st">1</entry><entry key="a b"><c><item>1</item>' +
        '<item><d>2</d></item></c></entry><entry key="xmlish">x</entry><ctl>a\uFFFDb</ctl><entry key="ü">ü</entry></payload>',
    );
    expect(toXml(payload)).toBe(xml);
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml);
    expect(parsed.payload.tags.item).toEqual(['a', 'b<']);
  });

  it('converts to a form body with bracket flattening', () => {
    const form = toForm(payload);
    const pairs = [...new URLSearchParams(form)];
    expect(pairs).toEqual([
      ['amount', '42'],
      ['ok', 'true'],
      ['none', ''],
      ['empty', ''],
      ['tags[0]', 'a'],
      ['tags[1]', 'b<'],
      ['noTags', ''],
      ['obj', ''],
      ['@id', 'attr?'],
      ['#text', 'text?'],
      ['1st', '1'],
      ['a b[c][0]', '1'],
      ['a b[c][1][d]', '2'],
      ['xmlish', 'x'],
      ['ctl', 'a\u0001b'],
      ['ü', 'ü'],
    ]);
    expect(form).toContain('tags%5B0%5D=a&tags%5B1%5D=b%3C');
  });

  it('sets the content type of each conversion', () => {
    expect(convertBody({ a: 1 }, 'none')).toEqual({ body: '{"a":1}', contentType: 'application/json' });
    expect(convertBody({ a: 1 }, 'xml').contentType).toBe('application/xml');
    expect(convertBody({ a: 1 }, 'form')).toEqual({
      body: 'a=1',
      contentType: 'application/x-www-form-urlencoded',
    });
  });
});
