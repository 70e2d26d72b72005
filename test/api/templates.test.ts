import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, type ApiFixture } from '../helpers/env.js';
import { client, createApp, createEndpoint, createEventType, expectError, type Client } from './support.js';

const SCHEMAS = {
  '1': {
    type: 'object',
    properties: { id: { type: 'string' }, total: { type: 'string' } },
    required: ['id', 'total'],
    examples: [{ id: 'inv_1', total: '10.00' }],
  },
  '2': {
    type: 'object',
    properties: {
      invoiceId: { type: 'string' },
      amount: { type: 'number' },
      customer: { type: 'object', properties: { name: { type: 'string' } } },
    },
    required: ['invoiceId', 'amount'],
    examples: [{ invoiceId: 'inv_42', amount: 12.5, customer: { name: 'Zoë' } }],
  },
};

const SLACK = '{"text": {{ event.type | append: ": " | append: event.data.invoiceId | json }}}';

describe('templates API', () => {
  let f: ApiFixture;
  let admin: Client;
  let count = 0;
  const unique = (label: string) => `${label}-${++count}`;

  beforeAll(async () => {
    f = await apiFixture();
    admin = client(f);
    await createEventType(f, 'invoice.paid', { schemas: SCHEMAS });
  });
  afterAll(async () => f.close());

  async function createTemplate(body: Record<string, unknown> = {}) {
    const res = await admin.post('/template', {
      name: unique('slack'),
      contentType: 'json',
      body: SLACK,
      eventType: 'invoice.paid',
      ...body,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }

  it('creates, reads and lists templates', async () => {
    const created = await createTemplate({ description: 'Slack incoming webhook' });
    expect(created).toMatchObject({
      name: expect.stringMatching(/^slack-/),
      description: 'Slack incoming webhook',
      latestVersion: 1,
      contentType: 'json',
      body: SLACK,
      eventType: 'invoice.paid',
      payloadVersion: null,
    });
    expect(created.id).toMatch(/^tmpl_/);
    expect((await admin.get(`/template/${created.id}`)).json()).toEqual(created);
    const list = (await admin.get('/template?limit=250')).json();
    expect(list.data.map((t: { id: string }) => t.id)).toContain(created.id);
    expectError(await admin.get('/template/tmpl_01ABCDEF'), 404, 'not_found');
    expectError(await admin.post('/template', { name: created.name, contentType: 'text', body: 'x' }), 409);
  });

  it('creates a new version on every content edit and keeps the old ones', async () => {
    const created = await createTemplate();
    const renamed = (await admin.patch(`/template/${created.id}`, { description: 'only metadata' })).json();
    expect(renamed).toMatchObject({ latestVersion: 1, description: 'only metadata' });
    const edited = await admin.patch(`/template/${created.id}`, { body: '{"text": {{ event.id | json }}}' });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({ latestVersion: 2, body: '{"text": {{ event.id | json }}}' });
    const replaced = (
      await admin.put(`/template/${created.id}`, {
        name: created.name,
        contentType: 'text',
        body: 'plain {{ event.type }}',
      })
    ).json();
    expect(replaced).toMatchObject({
      latestVersion: 3,
      contentType: 'text',
      eventType: null,
      description: '',
    });
    // The same content again is not a new version.
    const again = (
      await admin.put(`/template/${created.id}`, {
        name: created.name,
        contentType: 'text',
        body: 'plain {{ event.type }}',
      })
    ).json();
    expect(again.latestVersion).toBe(3);
    const versions = (await admin.get(`/template/${created.id}/version`)).json();
    expect(versions.data.map((v: { version: number }) => v.version)).toEqual([1, 2, 3]);
    expect(versions.data[0]).toMatchObject({
      templateId: created.id,
      version: 1,
      body: SLACK,
      contentType: 'json',
    });
    const newest = (await admin.get(`/template/${created.id}/version?order=descending&limit=1`)).json();
    expect(newest.data.map((v: { version: number }) => v.version)).toEqual([3]);
    const next = (
      await admin.get(`/template/${created.id}/version?order=descending&limit=1&iterator=${newest.iterator}`)
    ).json();
    expect(next.data.map((v: { version: number }) => v.version)).toEqual([2]);
    expect((await admin.get(`/template/${created.id}/version/2`)).json().body).toBe(
      '{"text": {{ event.id | json }}}',
    );
    expectError(await admin.get(`/template/${created.id}/version/9`), 404);
  });

  it('refuses syntax errors with line and column', async () => {
    const res = await admin.post('/template', {
      name: unique('broken'),
      contentType: 'json',
      body: '{\n  "text": {{ event.type }\n}',
    });
    const error = expectError(res, 422, 'validation', /line 2, column 11: output .* not closed/);
    expect(error.problems).toEqual([
      expect.objectContaining({ loc: ['body', 'body'], type: 'template.syntax', line: 2, column: 11 }),
    ]);
  });

  it('refuses unknown filters and variables the schema does not have', async () => {
    expectError(
      await admin.post('/template', {
        name: unique('f'),
        contentType: 'text',
        body: '{{ event.type | shout }}',
      }),
      422,
      'validation',
      /undefined filter: shout/,
    );
    const res = await admin.post('/template', {
      name: unique('v'),
      contentType: 'text',
      eventType: 'invoice.paid',
      body: '{{ event.data.invoiceId }}\n{{ event.data.amont }} {{ event.data.customer.nmae }} {{ secret }}',
    });
    const error = expectError(res, 422, 'validation');
    expect(error.problems).toEqual([
      expect.objectContaining({ type: 'template.unknown_variable', line: 2, column: 4 }),
      expect.objectContaining({ type: 'template.unknown_variable', line: 2, column: 27 }),
      expect.objectContaining({ type: 'template.unknown_variable', line: 2, column: 58 }),
    ]);
    expect(error.detail).toMatch(/event\.data has no field "amont"/);
  });

  it('refuses unknown event types and payload versions, and edits that break a template', async () => {
    expectError(
      await admin.post('/template', {
        name: unique('e'),
        contentType: 'text',
        body: 'x',
        eventType: 'no.such',
      }),
      422,
      'validation',
      /not in the catalogue/,
    );
    expectError(
      await admin.post('/template', {
        name: unique('e'),
        contentType: 'text',
        body: 'x',
        eventType: 'invoice.paid',
        payloadVersion: '3',
      }),
      422,
      'validation',
      /no payload version "3"/,
    );
    const created = await createTemplate();
    expectError(await admin.patch(`/template/${created.id}`, { body: '{% if %}' }), 422, 'validation');
    expect((await admin.get(`/template/${created.id}`)).json().latestVersion).toBe(1);
  });

  it('test-renders against the example and against a given payload', async () => {
    const created = await createTemplate();
    const example = await admin.post(`/template/${created.id}/render`);
    expect(example.statusCode, example.body).toBe(200);
    expect(example.json()).toEqual({
      ok: true,
      version: 1,
      body: '{"text": "invoice.paid: inv_42"}',
      headers: { 'content-type': 'application/json' },
      errors: [],
    });
    const given = (
      await admin.post(`/template/${created.id}/render`, { payload: { invoiceId: 'inv_7', amount: 1 } })
    ).json();
    expect(JSON.parse(given.body)).toEqual({ text: 'invoice.paid: inv_7' });
    await admin.patch(`/template/${created.id}`, {
      body: '{{ app.name }}|{{ endpoint.metadata.team }}',
      contentType: 'text',
    });
    const old = (await admin.post(`/template/${created.id}/render`, { version: 1 })).json();
    expect(old).toMatchObject({ ok: true, version: 1 });
    const latest = (
      await admin.post(`/template/${created.id}/render`, {
        app: { name: 'Acme' },
        endpoint: { metadata: { team: 'ops' } },
      })
    ).json();
    expect(latest).toMatchObject({
      ok: true,
      version: 2,
      body: 'Acme|ops',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
    expectError(await admin.post(`/template/${created.id}/render`, { version: 5 }), 404);
  });

  it('reports invalid output on a test render', async () => {
    const json = await createTemplate({ body: '{"text": {{ event.data.invoiceId }}}' });
    const res = (await admin.post(`/template/${json.id}/render`)).json();
    expect(res.ok).toBe(false);
    expect(res.body).toBe('{"text": inv_42}');
    expect(res.errors).toEqual([
      { kind: 'output', message: 'the output is not valid JSON: unexpected "i"', line: 1, column: 10 },
    ]);
    const xml = await createTemplate({ contentType: 'xml', body: '<a><b>{{ event.type }}</a>' });
    const xmlRes = (await admin.post(`/template/${xml.id}/render`)).json();
    expect(xmlRes.ok).toBe(false);
    expect(xmlRes.errors[0]).toMatchObject({ kind: 'output', line: 1 });
    expect(xmlRes.errors[0].message).toMatch(/not well-formed XML/);
  });

  it('checks JSON output against the schema of its payload version', async () => {
    const mapping = await createTemplate({
      payloadVersion: '1',
      body: '{"id": {{ event.data.invoiceId | json }}, "total": {{ event.data.amount | format_number: 2 | json }}}',
    });
    const res = (await admin.post(`/template/${mapping.id}/render`)).json();
    expect(res).toMatchObject({ ok: true, body: '{"id": "inv_42", "total": "12.50"}' });
    const wrong = await createTemplate({
      payloadVersion: '1',
      body: '{"id": {{ event.data.invoiceId | json }}}',
    });
    const bad = (await admin.post(`/template/${wrong.id}/render`)).json();
    expect(bad.ok).toBe(false);
    expect(bad.errors[0].message).toMatch(/does not match payload version 1 of invoice\.paid: .*total/);
  });

  it('stops hostile templates on a test render with a clear error', async () => {
    const looping = await createTemplate({
      contentType: 'text',
      body: '{% for a in (1..100000) %}{% for b in (1..100000) %}{% endfor %}{% endfor %}',
    });
    // The render limit stops it; a template that ran unbounded would reach the test timeout instead.
    const res = (await admin.post(`/template/${looping.id}/render`)).json();
    expect(res).toMatchObject({ ok: false, body: null });
    expect(res.errors[0]).toMatchObject({ kind: 'render', line: 1, column: 27 });
    expect(res.errors[0].message).toMatch(/time limit/);
  });

  it('test-renders unsaved content, with problems at their line, and saves nothing', async () => {
    const before = (await admin.get('/template')).json().data.length;
    const ok = await admin.post('/template/render', {
      contentType: 'json',
      body: SLACK,
      eventType: 'invoice.paid',
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({
      ok: true,
      body: '{"text": "invoice.paid: inv_42"}',
      headers: { 'content-type': 'application/json' },
      errors: [],
    });
    const given = (
      await admin.post('/template/render', {
        contentType: 'text',
        body: '{{ event.type }} {{ event.data.n }} {{ app.name }}',
        payload: { n: 7 },
        app: { name: 'Acme' },
      })
    ).json();
    expect(given).toMatchObject({ ok: true, body: 'example.event 7 Acme' });
    const broken = (
      await admin.post('/template/render', {
        contentType: 'text',
        body: 'line one\nline two {{ event.type }\nline three',
      })
    ).json();
    expect(broken).toMatchObject({ ok: false, body: null });
    expect(broken.errors[0]).toMatchObject({ kind: 'syntax', line: 2 });
    const unknown = (
      await admin.post('/template/render', {
        contentType: 'json',
        body: '{\n  "x": {{ event.data.nope | json }}\n}',
        eventType: 'invoice.paid',
      })
    ).json();
    expect(unknown.errors[0]).toMatchObject({ kind: 'unknown_variable', line: 2 });
    expect((await admin.get('/template')).json().data.length).toBe(before);
    const app = await createApp(f, { name: 'previews' });
    const appClient = client(f, await f.appKey(app.id));
    const byApp = await appClient.post('/template/render', { contentType: 'text', body: 'x' });
    expect(byApp.statusCode).toBe(200);
  });

  it('lets application keys read and test-render templates but not change them', async () => {
    const created = await createTemplate();
    const app = await createApp(f, { name: 'keyed' });
    const appClient = client(f, await f.appKey(app.id));
    expect((await appClient.get(`/template/${created.id}`)).statusCode).toBe(200);
    expect((await appClient.get('/template')).statusCode).toBe(200);
    expect((await appClient.post(`/template/${created.id}/render`, {})).statusCode).toBe(200);
    expectError(await appClient.patch(`/template/${created.id}`, { body: 'x' }), 403, 'forbidden');
  });

  describe('endpoints', () => {
    let appId: string;
    beforeAll(async () => {
      appId = (await createApp(f, { name: 'endpoints' })).id;
    });

    it('bind a template, pin a version, choose a payload version and a conversion', async () => {
      const template = await createTemplate();
      await admin.patch(`/template/${template.id}`, { body: '{"v": 2}' });
      const endpoint = await createEndpoint(f, appId, {
        templateId: template.id,
        templateVersion: 1,
        payloadVersion: '2',
      });
      expect(endpoint).toMatchObject({
        templateId: template.id,
        templateVersion: 1,
        payloadVersion: '2',
        conversion: 'none',
      });
      const latest = (
        await admin.patch(`/app/${appId}/endpoint/${endpoint.id}`, { templateVersion: null })
      ).json();
      expect(latest).toMatchObject({ templateId: template.id, templateVersion: null, payloadVersion: '2' });
      const unbound = (
        await admin.patch(`/app/${appId}/endpoint/${endpoint.id}`, { templateId: null, conversion: 'xml' })
      ).json();
      expect(unbound).toMatchObject({ templateId: null, templateVersion: null, conversion: 'xml' });
      const replaced = (
        await admin.put(`/app/${appId}/endpoint/${endpoint.id}`, { url: 'https://example.com/hook' })
      ).json();
      expect(replaced).toMatchObject({
        templateId: null,
        templateVersion: null,
        payloadVersion: null,
        conversion: 'none',
      });
      const plain = (await admin.get(`/app/${appId}/endpoint/${endpoint.id}`)).json();
      expect(plain.conversion).toBe('none');
    });

    it('refuse templates and versions that do not exist, and contradictory settings', async () => {
      const template = await createTemplate({
        payloadVersion: '1',
        body: '{"id": {{ event.data.invoiceId | json }}, "total": "1"}',
      });
      const post = (body: Record<string, unknown>) =>
        admin.post(`/app/${appId}/endpoint`, { url: 'https://example.com/hook', ...body });
      expectError(
        await post({ templateId: 'tmpl_01NOSUCHTEMPLATE' }),
        422,
        'validation',
        /is not a template/,
      );
      expectError(
        await post({ templateId: template.id, templateVersion: 4 }),
        422,
        'validation',
        /versions 1 to 1/,
      );
      expectError(await post({ templateVersion: 1 }), 422, 'validation', /set templateId too/);
      expectError(
        await post({ templateId: template.id, conversion: 'xml' }),
        422,
        'validation',
        /a template sets the body/,
      );
      expectError(
        await post({ templateId: template.id, payloadVersion: '2' }),
        422,
        'validation',
        /produces payload version "1"/,
      );
      expectError(await post({ payloadVersion: 'one' }), 422, 'validation');
      expectError(await post({ conversion: 'yaml' }), 422, 'validation');
      expect((await post({ templateId: template.id, payloadVersion: '1' })).statusCode).toBe(201);
    });

    it('keep a template from being deleted while they use it', async () => {
      const template = await createTemplate();
      const endpoint = await createEndpoint(f, appId, { templateId: template.id });
      expectError(await admin.del(`/template/${template.id}`), 409, 'conflict', /1 endpoint uses/);
      await admin.patch(`/app/${appId}/endpoint/${endpoint.id}`, { templateId: null });
      expect((await admin.del(`/template/${template.id}`)).statusCode).toBe(204);
      expectError(await admin.get(`/template/${template.id}`), 404);
      expectError(await admin.get(`/template/${template.id}/version/1`), 404);
    });
  });

  describe('event types', () => {
    it('deprecate payload versions they have', async () => {
      await createEventType(f, 'order.created', { schemas: SCHEMAS, deprecatedVersions: ['1'] });
      const got = (await admin.get('/event-type/order.created')).json();
      expect(got.deprecatedVersions).toEqual(['1']);
      const listed = (await admin.get('/event-type?limit=250')).json();
      expect(
        listed.data.find((e: { name: string }) => e.name === 'order.created').deprecatedVersions,
      ).toEqual(['1']);
      const patched = (await admin.patch('/event-type/order.created', { deprecatedVersions: [] })).json();
      expect(patched.deprecatedVersions).toEqual([]);
      expectError(
        await admin.patch('/event-type/order.created', { deprecatedVersions: ['3'] }),
        422,
        'validation',
        /no schema for: 3/,
      );
      expectError(
        await admin.post('/event-type', { name: 'order.other', description: 'x', deprecatedVersions: ['1'] }),
        422,
        'validation',
      );
    });
  });
});
