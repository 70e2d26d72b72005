import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, type ApiFixture } from '../helpers/env.js';
import { client, createApp, createEndpoint, createEventType, expectError, type Client } from './support.js';

describe('endpoints', () => {
  let f: ApiFixture;
  let admin: Client;
  let appId: string;
  beforeAll(async () => {
    f = await apiFixture();
    admin = client(f);
    appId = (await createApp(f, { name: 'Endpoints', uid: 'ep-app' })).id;
    await createEventType(f, 'invoice.paid');
    await createEventType(f, 'invoice.failed');
    await createEventType(f, 'old.event');
    expect((await admin.del('/event-type/old.event')).statusCode).toBe(204); // archived
  });
  afterAll(async () => f.close());

  it('creates an endpoint with defaults (201)', async () => {
    const res = await admin.post('/app/ep-app/endpoint', { url: 'https://example.com/webhook' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      id: expect.stringMatching(/^ep_[0-9A-Z]{26}$/),
      uid: null,
      url: 'https://example.com/webhook',
      description: '',
      disabled: false,
      eventTypes: null,
      channels: null,
      metadata: {},
      throttleRate: null,
      version: 1,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it('creates an endpoint with every field', async () => {
    const res = await admin.post(`/app/${appId}/endpoint`, {
      url: 'https://example.com/full',
      uid: 'full-ep',
      description: 'All the fields',
      disabled: true,
      eventTypes: ['invoice.paid', 'invoice.failed'],
      channels: ['project_1', 'eu'],
      metadata: { team: 'billing' },
      throttleRate: 100,
      secret: 'whsec_' + 'A'.repeat(32),
      version: 1,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      uid: 'full-ep',
      url: 'https://example.com/full',
      description: 'All the fields',
      disabled: true,
      eventTypes: ['invoice.paid', 'invoice.failed'],
      channels: ['project_1', 'eu'],
      metadata: { team: 'billing' },
      throttleRate: 100,
      rateLimit: 100,
    });
    // The secret is never part of the endpoint itself.
    expect(res.body).not.toContain('AAAAAAAA');
  });

  it('records an audit entry when an endpoint is created', async () => {
    const endpoint = await createEndpoint(f, appId, { url: 'https://example.com/audited' });
    const records = await f.store.auditList(
      { appId, action: 'endpoint.created' },
      { limit: 250, order: 'ascending' },
    );
    expect(records.data.find((record) => record.targetId === endpoint.id)).toMatchObject({
      after: { url: 'https://example.com/audited' },
    });
  });

  it('gets an endpoint by id and by uid, through the app id or uid', async () => {
    const endpoint = await createEndpoint(f, appId, { uid: 'get-me' });
    for (const path of [
      `/app/${appId}/endpoint/${endpoint.id}`,
      `/app/ep-app/endpoint/${endpoint.id}`,
      `/app/${appId}/endpoint/get-me`,
      '/app/ep-app/endpoint/get-me',
    ]) {
      const res = await admin.get(path);
      expect(res.statusCode, path).toBe(200);
      expect(res.json()).toMatchObject({ id: endpoint.id, uid: 'get-me' });
    }
  });

  it('answers 404 for an unknown endpoint or application on every endpoint route', async () => {
    const paths = ['/app/ep-app/endpoint/ep_00000000000000000000000000', '/app/ep-app/endpoint/nope'];
    for (const path of paths) {
      expectError(await admin.get(path), 404, 'not_found');
      expectError(await admin.patch(path, { description: 'x' }), 404, 'not_found');
      expectError(await admin.del(path), 404, 'not_found');
    }
    expectError(await admin.get('/app/no-such-app/endpoint'), 404, 'not_found', /no-such-app/);
    expectError(
      await admin.post('/app/no-such-app/endpoint', { url: 'https://example.com/' }),
      404,
      'not_found',
    );
    expectError(await admin.get('/app/no-such-app/endpoint/x'), 404, 'not_found');
    expectError(
      await admin.put('/app/no-such-app/endpoint/x', { url: 'https://example.com/' }),
      404,
      'not_found',
    );
  });

  it("does not reach another application's endpoint", async () => {
    const other = await createApp(f, { name: 'Other' });
    const endpoint = await createEndpoint(f, other.id, { uid: 'foreign' });
    expectError(await admin.get(`/app/${appId}/endpoint/${endpoint.id}`), 404);
    expectError(await admin.get(`/app/${appId}/endpoint/foreign`), 404);
    expectError(await admin.del(`/app/${appId}/endpoint/${endpoint.id}`), 404);
    expect((await admin.get(`/app/${other.id}/endpoint/foreign`)).statusCode).toBe(200);
  });

  it("lists only this application's endpoints", async () => {
    const a = await createApp(f, { name: 'List A' });
    const b = await createApp(f, { name: 'List B' });
    const a1 = await createEndpoint(f, a.id);
    const a2 = await createEndpoint(f, a.id);
    await createEndpoint(f, b.id);
    const res = await admin.get(`/app/${a.id}/endpoint`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ done: true });
    // Newest first, as in Svix.
    expect(res.json().data.map((e: { id: string }) => e.id)).toEqual([a2.id, a1.id]);
  });

  it('keeps endpoint uids unique per application, not globally', async () => {
    const a = await createApp(f, { name: 'Uid A' });
    const b = await createApp(f, { name: 'Uid B' });
    await createEndpoint(f, a.id, { uid: 'shared' });
    await createEndpoint(f, b.id, { uid: 'shared' });
    expectError(
      await admin.post(`/app/${a.id}/endpoint`, { url: 'https://example.com/', uid: 'shared' }),
      409,
      'conflict',
    );
  });

  describe('URL checks', () => {
    const rejected = [
      'not a url',
      'example.com/no-scheme',
      'ftp://example.com/file',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'http://127.0.0.2/hook',
      'http://10.0.0.1/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/hook',
      'http://[::ffff:10.0.0.1]/hook',
      'http://192.168.1.1/',
      'http://0x7f000002/', // 127.0.0.2 in hex
      'https://example.com:99999/',
    ];

    it.each(rejected)('rejects %s with 422 on create', async (url) => {
      const body = expectError(await admin.post(`/app/${appId}/endpoint`, { url }), 422, 'validation');
      expect(body.detail).toMatch(/url/);
    });

    it('rejects the same URLs on PUT and PATCH, leaving the endpoint unchanged', async () => {
      const endpoint = await createEndpoint(f, appId, { url: 'https://example.com/stable' });
      for (const url of rejected) {
        expectError(await admin.put(`/app/${appId}/endpoint/${endpoint.id}`, { url }), 422, 'validation');
        expectError(await admin.patch(`/app/${appId}/endpoint/${endpoint.id}`, { url }), 422, 'validation');
      }
      expect((await admin.get(`/app/${appId}/endpoint/${endpoint.id}`)).json().url).toBe(
        'https://example.com/stable',
      );
    });

    it('accepts 127.0.0.1, which the test configuration allows', async () => {
      const res = await admin.post(`/app/${appId}/endpoint`, { url: 'http://127.0.0.1:9999/hook' });
      expect(res.statusCode).toBe(201);
      expect(res.json().url).toBe('http://127.0.0.1:9999/hook');
    });

    // The test configuration allows 127.0.0.1, which opens localhost and (being non-empty) private-network
    // names, so refusals are checked under configurations that allow nothing, or something else.
    it('rejects localhost, local names and 127.0.0.1 when no range is allowed', async () => {
      const strict = await apiFixture(undefined, { HERALD_SSRF_ALLOW_CIDRS: '' });
      try {
        const c = client(strict);
        const app = (await c.post('/app', { name: 'Strict' })).json();
        for (const url of [
          'http://localhost/hook',
          'http://LOCALHOST:8080/',
          'http://api.localhost/',
          'http://service.internal/hook',
          'http://printer.local/',
          'http://db.localdomain/',
          'http://127.0.0.1/hook',
        ])
          expectError(await c.post(`/app/${app.id}/endpoint`, { url }), 422, 'validation', /url/);
        expect((await c.get(`/app/${app.id}/endpoint`)).json().data).toEqual([]);
      } finally {
        await strict.close();
      }
    });

    it('accepts localhost only when 127.0.0.1 is allowed, and private-network names when anything is', async () => {
      expect((await admin.post(`/app/${appId}/endpoint`, { url: 'http://localhost:9999/' })).statusCode).toBe(
        201,
      );
      const other = await apiFixture(undefined, { HERALD_SSRF_ALLOW_CIDRS: '10.0.0.0/8' });
      try {
        const c = client(other);
        const app = (await c.post('/app', { name: 'Private network' })).json();
        for (const url of ['http://localhost/hook', 'http://api.localhost./', 'http://LocalHost:80/'])
          expectError(await c.post(`/app/${app.id}/endpoint`, { url }), 422, 'validation', /url/);
        // Where these names point is judged at delivery, by the resolved addresses.
        for (const url of ['http://billing.internal/hook', 'http://printer.local/', 'http://db.localdomain/'])
          expect((await c.post(`/app/${app.id}/endpoint`, { url })).statusCode).toBe(201);
      } finally {
        await other.close();
      }
    });
  });

  describe('rateLimit, the SDK name of throttleRate', () => {
    it('sets the throttle rate on create, PUT and PATCH, and is returned beside throttleRate', async () => {
      const created = await admin.post(`/app/${appId}/endpoint`, {
        url: 'https://example.com/rate',
        uid: 'rate-ep',
        rateLimit: 40,
      });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ throttleRate: 40, rateLimit: 40 });
      const path = `/app/${appId}/endpoint/rate-ep`;
      const put = await admin.put(path, { url: 'https://example.com/rate', uid: 'rate-ep', rateLimit: 41 });
      expect(put.json()).toMatchObject({ throttleRate: 41, rateLimit: 41 });
      const patched = await admin.patch(path, { rateLimit: 42 });
      expect(patched.json()).toMatchObject({ throttleRate: 42, rateLimit: 42 });
      const cleared = await admin.patch(path, { rateLimit: null });
      expect(cleared.json()).toMatchObject({ throttleRate: null, rateLimit: null });
      const agreeing = await admin.patch(path, { throttleRate: 7, rateLimit: 7 });
      expect(agreeing.json()).toMatchObject({ throttleRate: 7, rateLimit: 7 });
      expect((await admin.get(path)).json()).toMatchObject({ throttleRate: 7, rateLimit: 7 });
    });

    it('refuses both names with different values (422), changing nothing', async () => {
      const endpoint = await createEndpoint(f, appId, { uid: 'rate-conflict', throttleRate: 3 });
      const path = `/app/${appId}/endpoint/${endpoint.id}`;
      const before = (await admin.get(path)).json();
      const count = (await admin.get(`/app/${appId}/endpoint?limit=250`)).json().data.length;
      const body = { url: 'https://example.com/other', throttleRate: 5, rateLimit: 6 };
      expectError(await admin.post(`/app/${appId}/endpoint`, body), 422, 'validation', /rateLimit/);
      expectError(await admin.put(path, body), 422, 'validation', /rateLimit/);
      expectError(await admin.put(`/app/${appId}/endpoint/rate-new`, body), 422, 'validation', /rateLimit/);
      expectError(await admin.patch(path, body), 422, 'validation', /rateLimit/);
      expectError(await admin.patch(path, { throttleRate: null, rateLimit: 6 }), 422, 'validation');
      expect((await admin.get(path)).json()).toEqual(before);
      expect((await admin.get(`/app/${appId}/endpoint?limit=250`)).json().data.length).toBe(count);
    });

    it('validates rateLimit like throttleRate', async () => {
      for (const rateLimit of [0, 1.5, 65536, '10'])
        expectError(
          await admin.post(`/app/${appId}/endpoint`, { url: 'https://example.com/', rateLimit }),
          422,
          'validation',
          /rateLimit/,
        );
    });
  });

  describe('custom headers on create', () => {
    it('stores them like PUT …/headers does, hiding sensitive values, and audits their names', async () => {
      const endpoint = await createEndpoint(f, appId, {
        headers: { 'X-Tenant': 'acme', Authorization: 'Bearer create-secret' },
      });
      const res = await admin.get(`/app/${appId}/endpoint/${endpoint.id}/headers`);
      expect(res.json()).toEqual({ headers: { 'X-Tenant': 'acme' }, sensitive: ['Authorization'] });
      expect(res.body).not.toContain('create-secret');
      // They are stored sealed, never as plain text.
      expect(JSON.stringify(await f.store.endpointGet(appId, endpoint.id))).not.toContain('create-secret');
      const records = await f.store.auditList(
        { appId, action: 'endpoint.created' },
        { limit: 250, order: 'ascending' },
      );
      const record = records.data.find((entry) => entry.targetId === endpoint.id);
      expect(record?.after).toEqual({
        url: 'https://example.com/hook',
        headerNames: ['X-Tenant', 'Authorization'],
      });
      expect(JSON.stringify(record)).not.toContain('create-secret');
    });

    it('treats null or an empty object as no headers', async () => {
      for (const headers of [null, {}]) {
        const endpoint = await createEndpoint(f, appId, { headers });
        expect((await admin.get(`/app/${appId}/endpoint/${endpoint.id}/headers`)).json()).toEqual({
          headers: {},
          sensitive: [],
        });
      }
    });

    it('refuses the headers PUT …/headers refuses, creating nothing', async () => {
      const count = (await admin.get(`/app/${appId}/endpoint?limit=250`)).json().data.length;
      for (const headers of [
        { 'Content-Type': 'text/plain' },
        { 'webhook-signature': 'forged' },
        { 'X-Evil': 'a\r\nInjected: yes' },
        { 'Not A Token': 'v' },
        { 'X-Number': 1 },
        { ['X-' + 'a'.repeat(300)]: 'v' },
        Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`X-H${i}`, 'v'])),
      ])
        expectError(
          await admin.post(`/app/${appId}/endpoint`, { url: 'https://example.com/', headers }),
          422,
          'validation',
        );
      expect((await admin.get(`/app/${appId}/endpoint?limit=250`)).json().data.length).toBe(count);
    });

    it('is not part of PUT, which leaves the stored headers alone', async () => {
      const endpoint = await createEndpoint(f, appId, { headers: { 'X-Keep': 'yes' } });
      const res = await admin.put(`/app/${appId}/endpoint/${endpoint.id}`, {
        url: 'https://example.com/replaced',
        headers: { 'X-Other': 'no' },
      });
      expect(res.statusCode).toBe(200);
      expect((await admin.get(`/app/${appId}/endpoint/${endpoint.id}/headers`)).json().headers).toEqual({
        'X-Keep': 'yes',
      });
    });
  });

  describe('event type filter', () => {
    it('rejects event types that are not in the catalogue, naming them', async () => {
      const body = expectError(
        await admin.post(`/app/${appId}/endpoint`, {
          url: 'https://example.com/',
          eventTypes: ['invoice.paid', 'no.such.type'],
        }),
        422,
        'validation',
      );
      expect(body.detail).toContain('no.such.type');
      expect(body.detail).not.toContain('invoice.paid,');
    });

    it('rejects archived event types', async () => {
      expectError(
        await admin.post(`/app/${appId}/endpoint`, {
          url: 'https://example.com/',
          eventTypes: ['old.event'],
        }),
        422,
        'validation',
        /old\.event/,
      );
    });

    it('checks them on PUT and PATCH too', async () => {
      const endpoint = await createEndpoint(f, appId, { eventTypes: ['invoice.paid'] });
      const path = `/app/${appId}/endpoint/${endpoint.id}`;
      expectError(
        await admin.put(path, { url: 'https://example.com/', eventTypes: ['nope.nope'] }),
        422,
        'validation',
      );
      expectError(await admin.patch(path, { eventTypes: ['nope.nope'] }), 422, 'validation');
      expect((await admin.get(path)).json().eventTypes).toEqual(['invoice.paid']);
    });

    it('rejects an empty or duplicated list', async () => {
      for (const eventTypes of [[], ['invoice.paid', 'invoice.paid']])
        expectError(
          await admin.post(`/app/${appId}/endpoint`, { url: 'https://example.com/', eventTypes }),
          422,
          'validation',
          /eventTypes/,
        );
    });
  });

  describe('PUT', () => {
    it('creates a missing endpoint with the path id as its uid (201)', async () => {
      const res = await admin.put(`/app/${appId}/endpoint/put-new`, {
        url: 'https://example.com/put',
        description: 'from PUT',
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ uid: 'put-new', description: 'from PUT' });
      expect((await admin.get(`/app/${appId}/endpoint/put-new`)).json().id).toBe(res.json().id);
      // It gets a secret like any other endpoint.
      expect((await admin.get(`/app/${appId}/endpoint/put-new/secret`)).json().key).toMatch(/^whsec_/);
    });

    it('replaces an existing endpoint (200): omitted fields return to their defaults', async () => {
      const endpoint = await createEndpoint(f, appId, {
        uid: 'put-replace',
        description: 'old description',
        disabled: true,
        eventTypes: ['invoice.paid'],
        channels: ['c1'],
        metadata: { a: 'b' },
        throttleRate: 9,
      });
      const res = await admin.put(`/app/${appId}/endpoint/put-replace`, { url: 'https://example.com/new' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        id: endpoint.id,
        uid: null,
        url: 'https://example.com/new',
        description: '',
        disabled: false,
        eventTypes: null,
        channels: null,
        metadata: {},
        throttleRate: null,
      });
      expect((await admin.get(`/app/${appId}/endpoint/${endpoint.id}`)).json()).toMatchObject({
        description: '',
        eventTypes: null,
      });
    });

    it('keeps the uid the body sends, and removes it when the body omits it or sends null, as in Svix', async () => {
      const endpoint = await createEndpoint(f, appId, { uid: 'put-keep-uid' });
      const kept = await admin.put(`/app/${appId}/endpoint/put-keep-uid`, {
        url: 'https://example.com/k',
        uid: 'put-keep-uid',
      });
      expect(kept.statusCode).toBe(200);
      expect(kept.json()).toMatchObject({ id: endpoint.id, uid: 'put-keep-uid' });
      const omitted = await admin.put(`/app/${appId}/endpoint/${endpoint.id}`, {
        url: 'https://example.com/k',
      });
      expect(omitted.statusCode).toBe(200);
      expect(omitted.json()).toMatchObject({ id: endpoint.id, uid: null });
      expectError(await admin.get(`/app/${appId}/endpoint/put-keep-uid`), 404);
      await admin.patch(`/app/${appId}/endpoint/${endpoint.id}`, { uid: 'put-keep-uid' });
      const removed = await admin.put(`/app/${appId}/endpoint/put-keep-uid`, {
        url: 'https://example.com/k',
        uid: null,
      });
      expect(removed.statusCode).toBe(200);
      expect(removed.json()).toMatchObject({ id: endpoint.id, uid: null });
    });

    it('creates with the body uid if given, else the path id', async () => {
      const withBody = await admin.put(`/app/${appId}/endpoint/put-path-id`, {
        url: 'https://example.com/',
        uid: 'put-body-uid',
      });
      expect(withBody.statusCode).toBe(201);
      expect(withBody.json().uid).toBe('put-body-uid');
      const withNull = await admin.put(`/app/${appId}/endpoint/put-null-uid`, {
        url: 'https://example.com/',
        uid: null,
      });
      expect(withNull.statusCode).toBe(201);
      expect(withNull.json().uid).toBe('put-null-uid');
    });

    it('keeps the secret when it replaces an endpoint', async () => {
      const secret = 'whsec_' + 'B'.repeat(40);
      const endpoint = await createEndpoint(f, appId, { secret });
      await admin.put(`/app/${appId}/endpoint/${endpoint.id}`, { url: 'https://example.com/kept' });
      expect((await admin.get(`/app/${appId}/endpoint/${endpoint.id}/secret`)).json().key).toBe(secret);
    });

    it('audits a URL change', async () => {
      const endpoint = await createEndpoint(f, appId, { url: 'https://example.com/before' });
      await admin.put(`/app/${appId}/endpoint/${endpoint.id}`, { url: 'https://example.com/after' });
      const records = await f.store.auditList(
        { appId, action: 'endpoint.url.changed' },
        { limit: 250, order: 'ascending' },
      );
      expect(records.data.find((record) => record.targetId === endpoint.id)).toMatchObject({
        before: { url: 'https://example.com/before' },
        after: { url: 'https://example.com/after' },
      });
    });

    it('requires a url', async () => {
      expectError(await admin.put(`/app/${appId}/endpoint/put-no-url`, {}), 422, 'validation', /url/);
      expectError(await admin.get(`/app/${appId}/endpoint/put-no-url`), 404);
    });
  });

  describe('PATCH', () => {
    it('changes only the fields given', async () => {
      const endpoint = await createEndpoint(f, appId, {
        description: 'keep me',
        eventTypes: ['invoice.paid'],
        channels: ['c1'],
        metadata: { a: 'b' },
        throttleRate: 4,
      });
      const path = `/app/${appId}/endpoint/${endpoint.id}`;
      const res = await admin.patch(path, { disabled: true });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        url: endpoint.url,
        description: 'keep me',
        disabled: true,
        eventTypes: ['invoice.paid'],
        channels: ['c1'],
        metadata: { a: 'b' },
        throttleRate: 4,
      });
      const url = await admin.patch(path, { url: 'https://example.com/patched' });
      expect(url.json()).toMatchObject({ url: 'https://example.com/patched', description: 'keep me' });
    });

    it('clears nullable fields given as null', async () => {
      const endpoint = await createEndpoint(f, appId, {
        uid: 'patch-nulls',
        eventTypes: ['invoice.paid'],
        channels: ['c1'],
        throttleRate: 4,
      });
      const res = await admin.patch(`/app/${appId}/endpoint/patch-nulls`, {
        uid: null,
        eventTypes: null,
        channels: null,
        throttleRate: null,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        id: endpoint.id,
        uid: null,
        eventTypes: null,
        channels: null,
        throttleRate: null,
      });
      expectError(await admin.get(`/app/${appId}/endpoint/patch-nulls`), 404);
    });

    it('replaces the secret when one is given, and audits it', async () => {
      const endpoint = await createEndpoint(f, appId);
      const secret = 'C'.repeat(32);
      const res = await admin.patch(`/app/${appId}/endpoint/${endpoint.id}`, { secret });
      expect(res.statusCode).toBe(200);
      expect((await admin.get(`/app/${appId}/endpoint/${endpoint.id}/secret`)).json().key).toBe(
        `whsec_${secret}`,
      );
      const records = await f.store.auditList(
        { appId, action: 'endpoint.secret.replaced' },
        { limit: 250, order: 'ascending' },
      );
      expect(records.data.map((record) => record.targetId)).toContain(endpoint.id);
    });

    it('ignores unknown fields, so internal columns cannot be overwritten', async () => {
      const endpoint = await createEndpoint(f, appId, { secret: 'whsec_' + 'D'.repeat(32) });
      const path = `/app/${appId}/endpoint/${endpoint.id}`;
      await admin.put(`${path}/headers`, { headers: { 'X-Team': 'billing' } });
      const res = await admin.patch(path, {
        description: 'still fine',
        secretsSealed: 'garbage',
        headersSealed: 'garbage',
        appId: 'app_00000000000000000000000000',
        id: 'ep_hijacked',
        createdAt: 0,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: endpoint.id, description: 'still fine' });
      expect((await admin.get(`${path}/secret`)).json().key).toBe('whsec_' + 'D'.repeat(32));
      expect((await admin.get(`${path}/headers`)).json().headers).toEqual({ 'X-Team': 'billing' });
      expect((await admin.get(path)).json().createdAt).toBe(res.json().createdAt);
    });
  });

  it('deletes an endpoint (204) and audits it', async () => {
    const endpoint = await createEndpoint(f, appId, { uid: 'delete-me' });
    const res = await admin.del(`/app/${appId}/endpoint/delete-me`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expectError(await admin.get(`/app/${appId}/endpoint/${endpoint.id}`), 404);
    expectError(await admin.del(`/app/${appId}/endpoint/${endpoint.id}`), 404);
    const records = await f.store.auditList(
      { appId, action: 'endpoint.deleted' },
      { limit: 250, order: 'ascending' },
    );
    expect(records.data.map((record) => record.targetId)).toContain(endpoint.id);
  });

  it('validates field types and limits', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{}, /url/],
      [{ url: 42 }, /url/],
      [{ url: 'https://example.com/', disabled: 'yes' }, /disabled/],
      [{ url: 'https://example.com/', throttleRate: 0 }, /throttleRate/],
      [{ url: 'https://example.com/', throttleRate: 1.5 }, /throttleRate/],
      [{ url: 'https://example.com/', uid: 'has space' }, /uid/],
      [{ url: 'https://example.com/', channels: ['a b'] }, /channels/],
      [{ url: 'https://example.com/', channels: Array.from({ length: 11 }, (_, i) => `c${i}`) }, /channels/],
      [{ url: 'https://example.com/', metadata: { a: 1 } }, /metadata/],
      [{ url: 'https://example.com/', description: 'x'.repeat(1025) }, /description/],
      [{ url: 'https://example.com/', secret: 'too-short' }, /secret/],
      [{ url: 'https://example.com/', eventTypes: 'invoice.paid' }, /eventTypes/],
    ];
    const before = (await admin.get(`/app/${appId}/endpoint?limit=250`)).json().data.length;
    for (const [body, field] of cases)
      expectError(await admin.post(`/app/${appId}/endpoint`, body), 422, 'validation', field);
    expect((await admin.get(`/app/${appId}/endpoint?limit=250`)).json().data.length).toBe(before);
  });
});
