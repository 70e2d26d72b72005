import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, DIALECTS, type ApiFixture } from '../helpers/env.js';
import {
  client,
  createApp,
  createEndpoint,
  createEventType,
  expectError,
  expectValidationShape,
  V1,
  type Client,
} from './support.js';

/**
 * Bad input of every kind gets a 4xx with `{code, detail}`, never a 500, and never changes stored data. The
 * last test checks the data set up first is exactly as it was.
 */
describe('hostile and malformed input', () => {
  let f: ApiFixture;
  let admin: Client;
  let appId: string;
  let endpointId: string;
  let snapshot: () => Promise<unknown>;
  let before: unknown;
  beforeAll(async () => {
    f = await apiFixture();
    admin = client(f);
    appId = (await createApp(f, { name: 'Target', uid: 'target', metadata: { tier: 'gold' } })).id;
    await createEventType(f, 'user.signup');
    endpointId = (await createEndpoint(f, appId, { uid: 'target-ep', eventTypes: ['user.signup'] })).id;
    await admin.put(`/app/${appId}/endpoint/${endpointId}/headers`, { headers: { 'X-Team': 'a' } });
    snapshot = async () => ({
      apps: (await admin.get('/app?limit=250')).json(),
      endpoints: (await admin.get(`/app/${appId}/endpoint`)).json(),
      headers: (await admin.get(`/app/${appId}/endpoint/${endpointId}/headers`)).json(),
      secret: (await admin.get(`/app/${appId}/endpoint/${endpointId}/secret`)).json(),
      eventTypes: (await admin.get('/event-type?include_archived=true&with_content=true')).json(),
      keys: (await admin.get('/api-key')).json(),
    });
    before = await snapshot();
  });
  afterAll(async () => f.close());

  const target = () => `/app/${appId}`;
  const endpoint = () => `/app/${appId}/endpoint/${endpointId}`;

  describe('wrong types and missing fields', () => {
    it('answers hostile bodies with a 4xx whose 422 places are well-formed loc arrays, never a 500', async () => {
      const bodies: Array<[string, unknown]> = [
        ['/app', { name: ['x', ['y', [{}]]] }],
        ['/app', { name: 'x', metadata: { 'a/b~c': 5 } }],
        ['/app', { name: 'x', uid: '日本語', '😀': { '': [] } }],
        ['/app', { name: '\u0000', throttleRate: [[1]] }],
        [`/app/${appId}/endpoint`, { url: 'https://example.com/h', channels: [['nested']] }],
        [`/app/${appId}/endpoint`, { url: 'https://example.com/h', channels: ['ok', 5] }],
        [`/app/${appId}/endpoint`, { url: 'https://example.com/h', filterTypes: [{}] }],
        [`/app/${appId}/endpoint`, { url: 'https://example.com/h', headers: { 'Bad Header\n': 'x' } }],
        [`/app/${appId}/endpoint`, { url: 'https://example.com/h', filter: { 'payload."]': { $gt: [] } } }],
        [`/app/${appId}/msg`, { eventType: 'x', payload: [[[]]] }],
        ['/event-type', { name: 'é.ü', description: '', schemas: { '1': { type: 'nope' } } }],
      ];
      const seen = new Map<string, string[][]>();
      for (const [path, body] of bodies) {
        const res = await admin.post(path, body);
        expect(res.statusCode, `${path} ${JSON.stringify(body)}: ${res.body}`).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, `${path} ${JSON.stringify(body)}: ${res.body}`).toBeLessThan(500);
        if (res.statusCode === 422)
          seen.set(
            JSON.stringify(body),
            expectValidationShape(res.json()).problems.map((p) => p.loc),
          );
      }
      // Array indexes and odd keys are loc segments of their own, as strings, exactly as sent.
      expect(seen.get(JSON.stringify(bodies[1]![1]))).toContainEqual(['body', 'metadata', 'a/b~c']);
      expect(seen.get(JSON.stringify(bodies[4]![1]))).toContainEqual(['body', 'channels', '0']);
      expect(seen.get(JSON.stringify(bodies[5]![1]))).toContainEqual(['body', 'channels', '1']);
      expect(seen.get(JSON.stringify(bodies[6]![1]))![0]!.slice(0, 3)).toEqual(['body', 'filterTypes', '0']);
    });

    it.each([
      ['POST', '/app', {}, /body\.name is required/],
      ['POST', '/app', { name: 123 }, /body\.name/],
      ['POST', '/app', { name: '' }, /body\.name/],
      ['POST', '/app', { name: 'x', metadata: ['a'] }, /body\.metadata/],
      ['POST', '/app', { name: 'x', metadata: { k: 1 } }, /body\.metadata/],
      ['POST', '/app', { name: 'x', throttleRate: '10' }, /body\.throttleRate/],
      ['POST', '/app', { name: 'x', uid: 'a/b' }, /body\.uid/],
      ['PATCH', 'TARGET', { name: false }, /body\.name/],
      ['PUT', 'TARGET', { name: ['Target'] }, /body\.name/],
      ['PATCH', 'ENDPOINT', { disabled: 'false' }, /body\.disabled/],
      ['PATCH', 'ENDPOINT', { metadata: null }, /body\.metadata/],
      ['PUT', 'ENDPOINT', { description: 'no url' }, /body\.url is required/],
      ['POST', '/event-type', { name: 'a.b', description: 7 }, /body\.description/],
      ['PATCH', '/event-type/user.signup', { archived: 'yes' }, /body\.archived/],
      ['POST', '/api-key', { name: { first: 'x' } }, /body\.name/],
    ] as const)('%s %s %j → 422 naming the field', async (method, path, body, detail) => {
      const url = path === 'TARGET' ? target() : path === 'ENDPOINT' ? endpoint() : path;
      const res = await admin.send(method, url, body);
      const error = expectError(res, 422, 'validation', detail);
      expect(error.problems).toEqual(
        expect.arrayContaining([expect.objectContaining({ loc: expect.any(Array) })]),
      );
    });

    it.each(['[]', '"a string"', '42', 'null', 'true'])(
      'rejects a JSON body %s that is not an object',
      async (raw) => {
        const res = await admin.post('/app', raw);
        expect([400, 422]).toContain(res.statusCode);
        expectError(res, res.statusCode);
      },
    );
  });

  describe('oversized input', () => {
    it('rejects a 1 MB name with a 4xx, never a 500', async () => {
      const res = await admin.post('/app', { name: 'n'.repeat(1_000_000) });
      expect([413, 422]).toContain(res.statusCode);
      expectError(res, res.statusCode);
    });

    it('rejects a body over the limit with 413', async () => {
      expect(f.config.bodyLimitBytes).toBe(1024 * 1024);
      const res = await admin.post('/app', { name: 'x', metadata: { big: 'y'.repeat(2 * 1024 * 1024) } });
      expectError(res, 413, 'payload_too_large');
    });

    it('applies a configured body limit', async () => {
      const small = await apiFixture(undefined, { HERALD_BODY_LIMIT_BYTES: '2048' });
      try {
        const c = client(small);
        expectError(
          await c.post('/app', { name: 'x', metadata: { a: 'y'.repeat(3000) } }),
          413,
          'payload_too_large',
        );
        expect((await c.post('/app', { name: 'x', metadata: { a: 'y'.repeat(1000) } })).statusCode).toBe(201);
      } finally {
        await small.close();
      }
    });

    it('rejects long strings, long keys and too many entries', async () => {
      expectError(await admin.post('/app', { name: 'x'.repeat(257) }), 422, 'validation', /name/);
      expectError(
        await admin.post('/app', { name: 'x', metadata: { ['k'.repeat(257)]: 'v' } }),
        422,
        'validation',
      );
      expectError(
        await admin.post('/app', { name: 'x', metadata: { k: 'v'.repeat(4097) } }),
        422,
        'validation',
      );
      const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
      expectError(await admin.post('/app', { name: 'x', metadata: many }), 422, 'validation', /metadata/);
    });

    it('rejects deeply nested JSON with a 4xx', async () => {
      const depth = 100_000;
      const nested = `{"name":"x","metadata":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
      const res = await admin.post('/app', nested);
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expectError(res, res.statusCode);
    });
  });

  describe('malformed requests', () => {
    it.each([
      ['truncated', '{"name": "x"'],
      ['a trailing comma', '{"name": "x",}'],
      ['single quotes', "{'name': 'x'}"],
      ['trailing garbage', '{"name": "x"} and more'],
      ['not JSON at all', 'name=x'],
    ])('answers broken JSON (%s) with 400 invalid_json', async (_label, raw) => {
      expectError(await admin.post('/app', raw), 400, 'invalid_json');
    });

    it('answers an empty JSON body with 400', async () => {
      expectError(await admin.post('/app', ''), 400);
    });

    it('refuses prototype pollution with 400 and leaves Object.prototype alone', async () => {
      for (const raw of [
        '{"name":"x","__proto__":{"polluted":"yes"}}',
        '{"name":"x","metadata":{"__proto__":{"polluted":"yes"}}}',
        '{"name":"x","constructor":{"prototype":{"polluted":"yes"}}}',
      ])
        expectError(await admin.post('/app', raw), 400, 'invalid_json');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it.each([
      'text/plain',
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
    ])('answers a %s body with 415', async (type) => {
      expectError(
        await admin.post('/app', '{"name":"x"}', { 'content-type': type }),
        415,
        'unsupported_media_type',
      );
    });

    it('answers a body without a Content-Type with 415', async () => {
      const res = await f.api.inject({
        method: 'POST',
        url: `${V1}/app`,
        headers: f.admin,
        payload: '{"name":"x"}',
      });
      expectError(res, 415, 'unsupported_media_type');
    });

    it('accepts JSON with a charset and in any case', async () => {
      for (const type of ['application/json; charset=utf-8', 'Application/JSON'])
        expect((await admin.post('/app', { name: 'typed' }, { 'content-type': type })).statusCode).toBe(201);
      await Promise.all(
        (await admin.get('/app?limit=250'))
          .json()
          .data.filter((app: { name: string }) => app.name === 'typed')
          .map((app: { id: string }) => admin.del(`/app/${app.id}`)),
      );
    });

    it('answers unknown routes and methods with a JSON 404', async () => {
      for (const [method, path] of [
        ['GET', '/nope'],
        ['POST', '/app/target'],
        ['GET', '/app/target/unknown-child'],
        ['DELETE', '/event-type'],
      ] as const)
        expectError(await admin.send(method, path), 404, 'not_found', /no route/);
      // Paths outside /api/ belong to the dashboard (test/web/serving.test.ts); POSTs there are still 404.
      expectError(await f.api.inject({ method: 'POST', url: '/' }), 404, 'not_found');
      expectError(await f.api.inject({ method: 'GET', url: '/api' }), 404, 'not_found');
      expectError(await f.api.inject({ method: 'GET', url: '/api/v2/app' }), 404, 'not_found');
    });

    it('answers a malformed percent-escape in the path with 400 {code, detail}', async () => {
      expectError(await admin.get('/app/%E0%A4%A'), 400, 'bad_request');
      expectError(await admin.get('/app/target/endpoint/%zz'), 400);
    });

    it('reaches an application whose uid is 256 characters long', async () => {
      const uid = 'u'.repeat(256);
      const created = await createApp(f, { name: 'Long uid', uid });
      const res = await admin.get(`/app/${uid}`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().id).toBe(created.id);
      expect((await admin.del(`/app/${uid}`)).statusCode).toBe(204);
    });

    it('rejects over-long path parameters with a 4xx {code, detail}', async () => {
      expectError(await admin.get(`/app/${'a'.repeat(257)}`), 422, 'validation', /app_id/);
      const res = await admin.get(`/app/${'a'.repeat(5000)}`);
      expect([414, 422]).toContain(res.statusCode);
      expectError(res, res.statusCode);
    });

    it('rejects path parameters with characters outside the id alphabet', async () => {
      for (const id of ['a%00b', 'a%20b', '%F0%9F%98%80', 'a%2Fb'])
        expectError(await admin.get(`/app/${id}`), 422, 'validation', /app_id/);
    });

    it('rejects hostile query strings with 422', async () => {
      const many = Array.from({ length: 101 }, (_, i) => `event_types=e${i}`).join('&');
      expectError(await admin.get(`/app/${appId}/msg?${many}`), 422, 'validation', /event_types/);
      expectError(await admin.get(`/app/${appId}/msg?event_types=${'e'.repeat(10_001)}`), 422, 'validation');
      expectError(await admin.get(`/app/${appId}/msg?event_types=a;drop%20table`), 422, 'validation');
      expectError(await admin.get(`/app/${appId}/msg?channel=${"'%20or%201=1--"}`), 422, 'validation');
      expectError(await admin.get('/app?limit=1&limit=2'), 422, 'validation', /limit/);
    });

    it('treats SQL in a uid as an unknown id, never as SQL', async () => {
      const res = await admin.get(`/app/${encodeURIComponent("x' OR '1'='1")}`);
      expectError(res, 422, 'validation');
      expectError(await admin.get('/app/x--1'), 404, 'not_found');
    });
  });

  describe('unicode', () => {
    const texts = [
      'Café Münster — “quotes” ‘and’ ellipsis…',
      '日本語のアプリケーション',
      'עברית ومرحبا بالعالم',
      'emoji 🎉🚀👩‍👩‍👧‍👦 and flags 🇳🇱',
      'combining e\u0301 and zero\u200Bwidth',
      '\u{1F600}'.repeat(256),
    ];

    it.each(texts)('round-trips %s intact through applications', async (text) => {
      const created = await admin.post('/app', {
        name: text,
        metadata: { note: text, [text.slice(0, 10)]: 'k' },
      });
      expect(created.statusCode, created.body).toBe(201);
      const got = (await admin.get(`/app/${created.json().id}`)).json();
      expect(got.name).toBe(text);
      expect(got.metadata.note).toBe(text);
      expect(got.metadata[text.slice(0, 10)]).toBe('k');
      await admin.del(`/app/${created.json().id}`);
    });

    it('round-trips unicode through endpoint and event type descriptions', async () => {
      const text = texts.slice(0, 5).join(' | ');
      const created = await createEndpoint(f, appId, { description: text });
      expect((await admin.get(`/app/${appId}/endpoint/${created.id}`)).json().description).toBe(text);
      await admin.del(`/app/${appId}/endpoint/${created.id}`);
      await createEventType(f, 'unicode.type', { description: text });
      expect((await admin.get('/event-type/unicode.type')).json().description).toBe(text);
      await admin.del('/event-type/unicode.type?expunge=true');
    });

    it('counts characters, not bytes, against length limits', async () => {
      expect((await admin.post('/app', { name: '😀'.repeat(256) })).statusCode).toBe(201);
      expectError(await admin.post('/app', { name: '😀'.repeat(257) }), 422, 'validation', /name/);
      const apps = (await admin.get('/app?limit=250')).json().data;
      await admin.del(`/app/${apps.find((app: { name: string }) => app.name === '😀'.repeat(256)).id}`);
    });

    it('rejects non-ASCII ids and names where the contract allows only [a-zA-Z0-9-_.]', async () => {
      expectError(await admin.post('/app', { name: 'x', uid: 'café' }), 422, 'validation', /uid/);
      expectError(
        await admin.post('/event-type', { name: 'événement', description: 'x' }),
        422,
        'validation',
      );
    });
  });

  describe('hostile endpoint settings', () => {
    it('refuses header injection and overrides in the headers of a new endpoint', async () => {
      for (const headers of [
        { 'X-Evil': 'a\r\nHost: internal' },
        { 'X-Evil': 'a\nX-Other: 1' },
        { 'X-Evil': 'nul\u0000' },
        { 'X-Evil\r\nHost': 'x' },
        { Host: 'internal.example' },
        { 'Content-Length': '0' },
        { 'Transfer-Encoding': 'chunked' },
        { 'WEBHOOK-SIGNATURE': 'v1,forged' },
        { 'svix-id': 'msg_forged' },
        { ['X-' + 'a'.repeat(1000)]: 'v' },
        { 'X-Long': 'v'.repeat(8193) },
        { 'X-Obj': { nested: true } },
        Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`X-H${i}`, 'v'])),
      ])
        expectError(
          await admin.post(`${target()}/endpoint`, { url: 'https://example.com/', headers }),
          422,
          'validation',
        );
    });

    it('refuses a header both set and deleted, and malformed deleteHeaders, leaving the headers alone', async () => {
      for (const body of [
        { headers: { 'x-team': 'b' }, deleteHeaders: ['X-TEAM'] },
        { headers: {}, deleteHeaders: 'X-Team' },
        { headers: {}, deleteHeaders: [{ name: 'X-Team' }] },
        { headers: {}, deleteHeaders: ['x'.repeat(10_000)] },
        { headers: {}, deleteHeaders: Array.from({ length: 1000 }, (_, i) => `X-${i}`) },
        { deleteHeaders: ['X-Team'] },
      ])
        expectError(await admin.patch(`${endpoint()}/headers`, body), 422, 'validation');
    });

    it('refuses the contract and SDK names of one setting with different values', async () => {
      for (const [path, method, body] of [
        ['/app', 'POST', { name: 'x', throttleRate: 1, rateLimit: 2 }],
        [target(), 'PUT', { name: 'Target', throttleRate: 1, rateLimit: null }],
        [target(), 'PATCH', { throttleRate: null, rateLimit: 2 }],
        [`${target()}/endpoint`, 'POST', { url: 'https://example.com/', throttleRate: 1, rateLimit: 2 }],
        [endpoint(), 'PUT', { url: 'https://example.com/', throttleRate: 1, rateLimit: 2 }],
        [endpoint(), 'PATCH', { eventTypes: ['user.signup'], filterTypes: null }],
      ] as const)
        expectError(await admin.send(method, path, body), 422, 'validation', /the same setting/);
    });

    it('refuses local names however they are spelled, when the allow-list does not open them', async () => {
      const strict = await apiFixture(undefined, { HERALD_SSRF_ALLOW_CIDRS: '' });
      const privateOnly = await apiFixture(undefined, { HERALD_SSRF_ALLOW_CIDRS: '10.0.0.0/8' });
      try {
        const loopbackSpellings = [
          'http://LOCALHOST./',
          'http://localhost%2E/',
          'http://api.localhost../',
          'http://\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54/', // full-width letters
          'http://\u24dbocalhost:8080/', // a circled l
          'http://example.com@localhost/',
          'http://localhost\\@example.com/',
          'http://127.1/',
          'http://[::ffff:127.0.0.1]/',
          // IPv6 addresses that embed 127.0.0.1: IPv4-compatible, NAT64, 6to4 and Teredo (as its client)
          'http://[::127.0.0.1]:8080/',
          'http://[::7f00:1]/',
          'http://[64:ff9b::7f00:1]/',
          'http://[64:ff9b:1:1::127.0.0.1]/',
          'http://[2002:7f00:1::]/',
          'http://[2001:0:808:808::80ff:fffe]/',
        ];
        const privateSpellings = [
          'http://SERVICE.INTERNAL%2E/',
          'http://printer.\uff4c\uff4f\uff43\uff41\uff4c/',
        ];
        for (const [fixture, urls] of [
          [strict, [...loopbackSpellings, ...privateSpellings]],
          [privateOnly, loopbackSpellings],
        ] as const) {
          const c = client(fixture);
          const app = (await c.post('/app', { name: 'Spellings' })).json();
          for (const url of urls)
            expectError(await c.post(`/app/${app.id}/endpoint`, { url }), 422, 'validation', /url/);
          expect((await c.get(`/app/${app.id}/endpoint`)).json().data).toEqual([]);
        }
      } finally {
        await strict.close();
        await privateOnly.close();
      }
    });
  });

  describe('IPv6 addresses that embed an IPv4 address', () => {
    // Judged by the IPv4 inside. The test configuration allows 127.0.0.1 only, so these are all refused.
    const embedding = [
      'http://[::10.0.0.1]/',
      'http://[::169.254.169.254]/latest/meta-data/',
      'http://[::ffff:a9fe:a9fe]/',
      'http://[64:ff9b::a9fe:a9fe]/',
      'http://[64:ff9b:1:abcd::192.168.1.1]/',
      'http://[2002:c0a8:101::1]:8080/',
      'http://[2001:0:a00:1::f7f7:f7f7]/', // Teredo: server 10.0.0.1, client 8.8.8.8
      'http://[2001:0:808:808::5601:5601]/', // Teredo: server 8.8.8.8, client 169.254.169.254
    ];

    it('refuses them on create, PUT and PATCH, saying which IPv4 address is inside', async () => {
      for (const url of embedding) {
        const detail = /url .*embedded in IPv6: (10\.0\.0\.1|169\.254\.169\.254|192\.168\.1\.1)/;
        expectError(await admin.post(`${target()}/endpoint`, { url }), 422, 'validation', detail);
        expectError(await admin.put(endpoint(), { url }), 422, 'validation', detail);
        expectError(await admin.patch(endpoint(), { url }), 422, 'validation', detail);
      }
    });

    it('accepts them once the allow-list opens the IPv4 range inside, and those of public addresses', async () => {
      const privateOnly = await apiFixture(undefined, { HERALD_SSRF_ALLOW_CIDRS: '10.0.0.0/8' });
      try {
        const c = client(privateOnly);
        const app = (await c.post('/app', { name: 'Embedded' })).json();
        for (const url of [
          'http://[::10.0.0.1]/',
          'http://[64:ff9b::a00:1]/',
          'http://[2002:a00:1::1]/',
          'http://[64:ff9b::8.8.8.8]/',
          'http://[2002:808:808::1]/',
        ])
          expect((await c.post(`/app/${app.id}/endpoint`, { url })).statusCode, url).toBe(201);
        for (const url of ['http://[::127.0.0.1]/', 'http://[64:ff9b::a9fe:a9fe]/'])
          expectError(await c.post(`/app/${app.id}/endpoint`, { url }), 422, 'validation', /url/);
      } finally {
        await privateOnly.close();
      }
    });
  });

  it('leaves the data set up first exactly as it was', async () => {
    expect(await snapshot()).toEqual(before);
  });
});

// PostgreSQL cannot store NUL in a text column; without a check at the edge this was a 500 there.
describe.each(DIALECTS)('NUL characters in free text ($name)', ({ make, skip }) => {
  let f: ApiFixture;
  beforeAll(async () => {
    if (!skip) f = await apiFixture(make);
  });
  afterAll(async () => f?.close());

  it.skipIf(skip)('are rejected with 422 wherever they would reach a text column', async () => {
    const admin = client(f);
    const app = await createApp(f, { name: 'NUL target' });
    const endpoint = await createEndpoint(f, app.id);
    await createEventType(f, 'nul.type');
    const requests: Array<[Parameters<Client['send']>[0], string, unknown, RegExp]> = [
      ['POST', '/app', { name: 'a\u0000b' }, /body\.name/],
      ['PUT', `/app/${app.id}`, { name: 'a\u0000' }, /body\.name/],
      ['PATCH', `/app/${app.id}`, { name: '\u0000' }, /body\.name/],
      [
        'POST',
        `/app/${app.id}/endpoint`,
        { url: 'https://example.com/', description: 'x\u0000' },
        /description/,
      ],
      ['PATCH', `/app/${app.id}/endpoint/${endpoint.id}`, { description: 'x\u0000' }, /description/],
      ['POST', '/event-type', { name: 'nul.other', description: 'x\u0000' }, /description/],
      ['PATCH', '/event-type/nul.type', { description: 'x\u0000' }, /description/],
      ['POST', '/api-key', { name: 'x\u0000' }, /body\.name/],
    ];
    for (const [method, path, body, field] of requests)
      expectError(await admin.send(method, path, body), 422, 'validation', field);
    expect((await admin.get(`/app/${app.id}`)).json().name).toBe('NUL target');
    // JSON values keep them: they are stored escaped.
    const meta = await admin.patch(`/app/${app.id}`, { metadata: { k: 'a\u0000b' } });
    expect(meta.statusCode).toBe(200);
    expect((await admin.get(`/app/${app.id}`)).json().metadata).toEqual({ k: 'a\u0000b' });
  });
});
