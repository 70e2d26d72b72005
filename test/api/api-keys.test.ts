import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, type ApiFixture } from '../helpers/env.js';
import { client, createApp, expectError, type Client } from './support.js';

describe('API keys', () => {
  let f: ApiFixture;
  let admin: Client;
  let appId: string;
  beforeAll(async () => {
    f = await apiFixture();
    admin = client(f);
    appId = (await createApp(f, { name: 'Keyed', uid: 'keyed' })).id;
    await createApp(f, { name: 'Elsewhere', uid: 'elsewhere' });
  });
  afterAll(async () => f.close());

  it('creates an admin key (201) whose token is returned once and works', async () => {
    const res = await admin.post('/api-key', { name: 'ci' });
    expect(res.statusCode).toBe(201);
    const key = res.json();
    expect(key).toEqual({
      id: expect.stringMatching(/^key_/),
      name: 'ci',
      appId: null,
      tokenPrefix: expect.any(String),
      token: expect.stringMatching(/^hk_admin_/),
      createdAt: expect.any(String),
      expiresAt: null,
      revokedAt: null,
      allowedClientCidrs: null,
      rateLimit: null,
    });
    expect(key.token.startsWith(key.tokenPrefix)).toBe(true);
    expect(key.token.length).toBeGreaterThan(key.tokenPrefix.length + 20);
    const holder = client(f, { authorization: `Bearer ${key.token}` });
    expect((await holder.post('/app', { name: 'made with the new key' })).statusCode).toBe(201);
  });

  it('creates an application-scoped key from the app uid, reaching only that application', async () => {
    const res = await admin.post('/api-key', { name: 'tenant', appId: 'keyed' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ appId, token: expect.stringMatching(/^hk_app_/) });
    const holder = client(f, { authorization: `Bearer ${res.json().token}` });
    expect((await holder.get('/app/keyed')).statusCode).toBe(200);
    expectError(await holder.get('/app/elsewhere'), 403, 'forbidden');
    expectError(await holder.get('/api-key'), 403, 'forbidden');
  });

  it('creates a key with an expiry, and refuses one in the past', async () => {
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const res = await admin.post('/api-key', { name: 'expiring', expiresAt });
    expect(res.statusCode).toBe(201);
    expect(res.json().expiresAt).toBe(expiresAt);
    expectError(
      await admin.post('/api-key', { name: 'stale', expiresAt: new Date(Date.now() - 1000).toISOString() }),
      422,
      'validation',
      /expiresAt/,
    );
  });

  it('validates the body, and answers 404 for an unknown application', async () => {
    expectError(await admin.post('/api-key', {}), 422, 'validation', /name/);
    expectError(await admin.post('/api-key', { name: '' }), 422, 'validation', /name/);
    expectError(await admin.post('/api-key', { name: 'x', expiresAt: 'tomorrow' }), 422, 'validation');
    expectError(await admin.post('/api-key', { name: 'x', appId: 'no-such-app' }), 404, 'not_found');
  });

  it('lists keys without ever showing a token', async () => {
    const created = (await admin.post('/api-key', { name: 'listed' })).json();
    const res = await admin.get('/api-key');
    expect(res.statusCode).toBe(200);
    const listed = res.json().data.find((key: { id: string }) => key.id === created.id);
    expect(listed).toEqual({
      id: created.id,
      name: 'listed',
      appId: null,
      tokenPrefix: created.tokenPrefix,
      createdAt: created.createdAt,
      expiresAt: null,
      revokedAt: null,
      allowedClientCidrs: null,
      rateLimit: null,
    });
    expect(res.body).not.toContain(created.token);
    expect(res.body).not.toContain(f.adminToken);
    for (const key of res.json().data) expect(key).not.toHaveProperty('token');
  });

  it('revokes a key (204): it stops working and the list shows when', async () => {
    const created = (await admin.post('/api-key', { name: 'to revoke' })).json();
    const res = await admin.del(`/api-key/${created.id}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expectError(
      await client(f, { authorization: `Bearer ${created.token}` }).get('/app'),
      401,
      'authentication_failed',
    );
    const listed = (await admin.get('/api-key'))
      .json()
      .data.find((key: { id: string }) => key.id === created.id);
    expect(Date.parse(listed.revokedAt)).toBeGreaterThan(0);
    expectError(await admin.del(`/api-key/${created.id}`), 404, 'not_found');
    expectError(await admin.del('/api-key/key_00000000000000000000000000'), 404, 'not_found');
  });

  it('audits creation and revocation without recording the token', async () => {
    const created = (await admin.post('/api-key', { name: 'audited', appId: 'keyed' })).json();
    await admin.del(`/api-key/${created.id}`);
    const records = (await f.store.auditList({}, { limit: 250, order: 'ascending' })).data.filter(
      (record) => record.targetId === created.id,
    );
    expect(records.map((record) => record.action)).toEqual(['api_key.created', 'api_key.revoked']);
    expect(records[0]).toMatchObject({ appId, after: { name: 'audited', appId } });
    expect(JSON.stringify(records)).not.toContain(created.token);
  });

  it('does not store or replay a response that holds a token, even with an Idempotency-Key', async () => {
    const headers = { 'idempotency-key': 'api-key-create-1' };
    const first = await admin.post('/api-key', { name: 'retry' }, headers);
    const second = await admin.post('/api-key', { name: 'retry' }, headers);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(second.json().id).not.toBe(first.json().id);
    // Nothing was kept under that key: claiming it now starts afresh.
    expect((await f.store.idempotencyBegin('admin', 'api-key-create-1', 'probe', 60_000)).kind).toBe(
      'started',
    );
  });
});
