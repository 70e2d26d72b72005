import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, type ApiFixture } from '../helpers/env.js';
import { client, createApp, createEndpoint, expectError, type Client } from './support.js';

describe('Idempotency-Key', () => {
  let f: ApiFixture;
  let admin: Client;
  beforeAll(async () => {
    f = await apiFixture();
    admin = client(f);
  });
  afterAll(async () => f.close());

  const appsNamed = async (name: string) =>
    (await admin.get('/app?limit=250')).json().data.filter((app: { name: string }) => app.name === name);

  it('replays the first response to a retry with the same key and body, creating one resource', async () => {
    const key = { 'idempotency-key': 'create-app-1' };
    const first = await admin.post('/app', { name: 'Once', metadata: { a: 'b' } }, key);
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const second = await admin.post('/app', { name: 'Once', metadata: { a: 'b' } }, key);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.headers['content-type']).toMatch(/^application\/json/);
    expect(second.json()).toEqual(first.json());
    expect(await appsNamed('Once')).toHaveLength(1);
  });

  it('creates again without a key', async () => {
    await admin.post('/app', { name: 'Twice' });
    await admin.post('/app', { name: 'Twice' });
    expect(await appsNamed('Twice')).toHaveLength(2);
  });

  it('refuses the same key with a different body or path (422), creating nothing more', async () => {
    const key = { 'idempotency-key': 'reused' };
    expect((await admin.post('/app', { name: 'Original' }, key)).statusCode).toBe(201);
    expectError(await admin.post('/app', { name: 'Different' }, key), 422, 'idempotency_key_reused');
    expectError(
      await admin.post('/app?get_if_exists=true', { name: 'Original' }, key),
      422,
      'idempotency_key_reused',
    );
    const app = await createApp(f, { name: 'Target' });
    expectError(
      await admin.post(`/app/${app.id}/endpoint`, { url: 'https://example.com/' }, key),
      422,
      'idempotency_key_reused',
    );
    expect(await appsNamed('Different')).toHaveLength(0);
    expect((await admin.get(`/app/${app.id}/endpoint`)).json().data).toHaveLength(0);
  });

  it('does not claim the key for a request that fails validation', async () => {
    const key = { 'idempotency-key': 'fixed-after-422' };
    expectError(await admin.post('/app', { name: 42 }, key), 422, 'validation');
    const res = await admin.post('/app', { name: 'Fixed' }, key);
    expect(res.statusCode).toBe(201);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
  });

  it('replays an error the handler gave, such as a 409', async () => {
    await createApp(f, { name: 'Holder', uid: 'idem-taken' });
    const key = { 'idempotency-key': 'conflict' };
    expectError(await admin.post('/app', { name: 'Clash', uid: 'idem-taken' }, key), 409, 'conflict');
    const again = await admin.post('/app', { name: 'Clash', uid: 'idem-taken' }, key);
    expect(again.statusCode).toBe(409);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('scopes keys per principal: an admin and application keys do not share them', async () => {
    const a = await createApp(f, { name: 'Scope A' });
    const b = await createApp(f, { name: 'Scope B' });
    const keyA = client(f, await f.appKey(a.id));
    const keyB = client(f, await f.appKey(b.id));
    const key = { 'idempotency-key': 'shared-key' };
    const body = { url: 'https://example.com/scoped' };

    const byAdmin = await admin.post(`/app/${a.id}/endpoint`, body, key);
    const byAppKey = await keyA.post(`/app/${a.id}/endpoint`, body, key);
    expect(byAdmin.statusCode).toBe(201);
    expect(byAppKey.statusCode).toBe(201);
    expect(byAppKey.headers['idempotent-replayed']).toBeUndefined();
    expect(byAppKey.json().id).not.toBe(byAdmin.json().id);

    // Another application's key may use the same key for a different request.
    const byOther = await keyB.post(`/app/${b.id}/endpoint`, body, key);
    expect(byOther.statusCode).toBe(201);
    expect(byOther.headers['idempotent-replayed']).toBeUndefined();

    // Each principal still gets its own replay.
    const replay = await keyA.post(`/app/${a.id}/endpoint`, body, key);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json().id).toBe(byAppKey.json().id);
    expect((await admin.get(`/app/${a.id}/endpoint`)).json().data).toHaveLength(2);
  });

  it('replays a 204 without acting again (secret rotation)', async () => {
    const app = await createApp(f, { name: 'Rotate' });
    const endpoint = await createEndpoint(f, app.id);
    const path = `/app/${app.id}/endpoint/${endpoint.id}`;
    const key = { 'idempotency-key': 'rotate-once' };
    const original = (await admin.get(`${path}/secret`)).json().key;
    expect((await admin.post(`${path}/secret/rotate`, {}, key)).statusCode).toBe(204);
    const rotated = (await admin.get(`${path}/secret`)).json().key;
    expect(rotated).not.toBe(original);
    const replay = await admin.post(`${path}/secret/rotate`, {}, key);
    expect(replay.statusCode).toBe(204);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect((await admin.get(`${path}/secret`)).json().key).toBe(rotated);
  });

  it('ignores the header on methods other than POST', async () => {
    const key = { 'idempotency-key': 'put-key' };
    const first = await admin.put('/app/idem-put', { name: 'first' }, key);
    const second = await admin.put('/app/idem-put', { name: 'second' }, key);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(second.json().name).toBe('second');
  });

  it('rejects a key longer than 256 characters', async () => {
    expectError(
      await admin.post('/app', { name: 'Long key' }, { 'idempotency-key': 'k'.repeat(257) }),
      422,
      'validation',
      /idempotency-key/i,
    );
    expect(await appsNamed('Long key')).toHaveLength(0);
  });
});
