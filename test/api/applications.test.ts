import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, type ApiFixture } from '../helpers/env.js';
import { client, createApp, createEndpoint, expectError, type Client } from './support.js';

describe('applications', () => {
  let f: ApiFixture;
  let admin: Client;
  beforeAll(async () => {
    f = await apiFixture();
    admin = client(f);
  });
  afterAll(async () => f.close());

  it('creates an application with every field and returns it in the Svix shape', async () => {
    const res = await admin.post('/app', {
      name: 'Acme',
      uid: 'acme-create',
      metadata: { plan: 'gold' },
      throttleRate: 10,
    });
    expect(res.statusCode).toBe(201);
    const app = res.json();
    expect(app).toEqual({
      id: expect.stringMatching(/^app_[0-9A-Z]{26}$/),
      uid: 'acme-create',
      name: 'Acme',
      metadata: { plan: 'gold' },
      throttleRate: 10,
      rateLimit: 10,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(Number.isNaN(Date.parse(app.createdAt))).toBe(false);
    expect(await f.store.applicationGet(app.id)).toMatchObject({ name: 'Acme', uid: 'acme-create' });
  });

  it('creates with only a name: uid and throttleRate null, metadata empty', async () => {
    const res = await admin.post('/app', { name: 'Minimal' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ uid: null, metadata: {}, throttleRate: null, rateLimit: null });
  });

  describe('rateLimit, the SDK name of throttleRate', () => {
    it('sets the throttle rate on create, PUT and PATCH, and is returned beside throttleRate', async () => {
      const created = await admin.post('/app', { name: 'Limited', uid: 'rate-limit', rateLimit: 12 });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ throttleRate: 12, rateLimit: 12 });
      expect(await f.store.applicationGet('rate-limit')).toMatchObject({ throttleRate: 12 });

      const put = await admin.put('/app/rate-limit', { name: 'Limited', uid: 'rate-limit', rateLimit: 20 });
      expect(put.statusCode).toBe(200);
      expect(put.json()).toMatchObject({ throttleRate: 20, rateLimit: 20 });

      const patched = await admin.patch('/app/rate-limit', { rateLimit: 30 });
      expect(patched.json()).toMatchObject({ throttleRate: 30, rateLimit: 30 });
      const viaContractName = await admin.patch('/app/rate-limit', { throttleRate: 31 });
      expect(viaContractName.json()).toMatchObject({ throttleRate: 31, rateLimit: 31 });
      const cleared = await admin.patch('/app/rate-limit', { rateLimit: null });
      expect(cleared.json()).toMatchObject({ throttleRate: null, rateLimit: null });
    });

    it('accepts both names when they agree', async () => {
      const res = await admin.post('/app', { name: 'Both', throttleRate: 5, rateLimit: 5 });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ throttleRate: 5, rateLimit: 5 });
      const cleared = await admin.patch(`/app/${res.json().id}`, { throttleRate: null, rateLimit: null });
      expect(cleared.json()).toMatchObject({ throttleRate: null, rateLimit: null });
    });

    it('refuses both names with different values (422), changing nothing', async () => {
      const app = await createApp(f, { name: 'Conflict', uid: 'rate-conflict', throttleRate: 3 });
      const before = (await admin.get(`/app/${app.id}`)).json();
      for (const [throttleRate, rateLimit] of [
        [5, 6],
        [5, null],
        [null, 6],
      ]) {
        const body = { name: 'Conflict', throttleRate, rateLimit };
        expectError(await admin.post('/app', { ...body, uid: 'rate-new' }), 422, 'validation', /rateLimit/);
        expectError(await admin.put('/app/rate-conflict', body), 422, 'validation', /rateLimit/);
        expectError(await admin.put('/app/rate-missing', body), 422, 'validation', /rateLimit/);
        expectError(await admin.patch('/app/rate-conflict', body), 422, 'validation', /rateLimit/);
      }
      expect((await admin.get(`/app/${app.id}`)).json()).toEqual(before);
      expectError(await admin.get('/app/rate-new'), 404);
      expectError(await admin.get('/app/rate-missing'), 404);
    });

    it('validates rateLimit like throttleRate', async () => {
      for (const rateLimit of [0, -1, 1.5, 65536, '10'])
        expectError(
          await admin.post('/app', { name: 'Bad rate', rateLimit }),
          422,
          'validation',
          /rateLimit/,
        );
    });
  });

  it('gets an application by id and by uid', async () => {
    const app = await createApp(f, { name: 'Lookup', uid: 'lookup-uid' });
    const byId = await admin.get(`/app/${app.id}`);
    const byUid = await admin.get('/app/lookup-uid');
    expect(byId.statusCode).toBe(200);
    expect(byUid.statusCode).toBe(200);
    expect(byId.json()).toEqual(byUid.json());
    expect(byId.json()).toMatchObject({ id: app.id, name: 'Lookup' });
  });

  it('answers 404 for an unknown id or uid, on every application route', async () => {
    for (const id of ['app_00000000000000000000000000', 'no-such-app']) {
      expectError(await admin.get(`/app/${id}`), 404, 'not_found', id);
      expectError(await admin.patch(`/app/${id}`, { name: 'x' }), 404, 'not_found');
      expectError(await admin.del(`/app/${id}`), 404, 'not_found');
    }
  });

  it('refuses a second application with the same uid (409) and leaves the first as it was', async () => {
    const first = await createApp(f, { name: 'First', uid: 'dup-uid' });
    expectError(await admin.post('/app', { name: 'Second', uid: 'dup-uid' }), 409, 'conflict', /uid/);
    expect((await admin.get('/app/dup-uid')).json()).toMatchObject({ id: first.id, name: 'First' });
  });

  it('get_if_exists=true returns the existing application with 200, or creates one with 201', async () => {
    const existing = await createApp(f, { name: 'Existing', uid: 'gie' });
    const again = await admin.post('/app?get_if_exists=true', { name: 'Other name', uid: 'gie' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: existing.id, name: 'Existing' });
    const fresh = await admin.post('/app?get_if_exists=true', { name: 'Fresh', uid: 'gie-new' });
    expect(fresh.statusCode).toBe(201);
    expect(fresh.json()).toMatchObject({ uid: 'gie-new', name: 'Fresh' });
  });

  it('lists applications', async () => {
    const app = await createApp(f, { name: 'Listed' });
    const res = await admin.get('/app?limit=250');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ done: true });
    expect(body.data.map((a: { id: string }) => a.id)).toContain(app.id);
  });

  describe('PUT', () => {
    it('creates a missing application with the path id as its uid (201)', async () => {
      const res = await admin.put('/app/put-created', { name: 'Made by PUT', metadata: { a: 'b' } });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ uid: 'put-created', name: 'Made by PUT', metadata: { a: 'b' } });
      expect((await admin.get('/app/put-created')).json().id).toBe(res.json().id);
    });

    it('prefers a uid given in the body when it creates', async () => {
      const res = await admin.put('/app/put-path', { name: 'x', uid: 'put-body-uid' });
      expect(res.statusCode).toBe(201);
      expect(res.json().uid).toBe('put-body-uid');
    });

    it('replaces an existing application (200): omitted optional fields return to their defaults', async () => {
      const app = await createApp(f, {
        name: 'Before',
        uid: 'put-replace',
        metadata: { keep: 'no' },
        throttleRate: 5,
      });
      const res = await admin.put('/app/put-replace', { name: 'After' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        id: app.id,
        uid: null,
        name: 'After',
        metadata: {},
        throttleRate: null,
      });
      expect(await f.store.applicationGet(app.id)).toMatchObject({ metadata: {}, throttleRate: null });
    });

    it('keeps the uid the body sends, and removes it when the body omits it or sends null, as in Svix', async () => {
      const app = await createApp(f, { name: 'Keeps uid', uid: 'put-keep-uid' });
      const kept = await admin.put('/app/put-keep-uid', { name: 'Still has it', uid: 'put-keep-uid' });
      expect(kept.statusCode).toBe(200);
      expect(kept.json()).toMatchObject({ id: app.id, uid: 'put-keep-uid', name: 'Still has it' });
      const omitted = await admin.put(`/app/${app.id}`, { name: 'No uid' });
      expect(omitted.statusCode).toBe(200);
      expect(omitted.json()).toMatchObject({ id: app.id, uid: null });
      expectError(await admin.get('/app/put-keep-uid'), 404);
      await admin.patch(`/app/${app.id}`, { uid: 'put-keep-uid' });
      const removed = await admin.put(`/app/${app.id}`, { name: 'No uid', uid: null });
      expect(removed.statusCode).toBe(200);
      expect(removed.json()).toMatchObject({ id: app.id, uid: null });
    });

    it('creates with the path id as uid when the body sends uid null', async () => {
      const res = await admin.put('/app/put-null-uid', { name: 'x', uid: null });
      expect(res.statusCode).toBe(201);
      expect(res.json().uid).toBe('put-null-uid');
    });

    it('works by id as well as by uid, and can change the uid', async () => {
      const app = await createApp(f, { name: 'By id', uid: 'put-old-uid' });
      const res = await admin.put(`/app/${app.id}`, { name: 'By id', uid: 'put-new-uid' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: app.id, uid: 'put-new-uid' });
      expectError(await admin.get('/app/put-old-uid'), 404);
    });

    it('refuses to take a uid that another application has (409)', async () => {
      await createApp(f, { name: 'Holder', uid: 'put-taken' });
      const other = await createApp(f, { name: 'Other', uid: 'put-other' });
      expectError(await admin.put('/app/put-other', { name: 'Other', uid: 'put-taken' }), 409, 'conflict');
      expect((await admin.get(`/app/${other.id}`)).json().uid).toBe('put-other');
    });

    it('requires a name', async () => {
      expectError(await admin.put('/app/put-noname', { metadata: {} }), 422, 'validation', /name/);
      expectError(await admin.get('/app/put-noname'), 404);
    });
  });

  describe('PATCH', () => {
    it('changes only the fields given', async () => {
      const app = await createApp(f, {
        name: 'Patch me',
        uid: 'patch-only',
        metadata: { a: '1' },
        throttleRate: 7,
      });
      const res = await admin.patch('/app/patch-only', { name: 'Patched' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        id: app.id,
        name: 'Patched',
        uid: 'patch-only',
        metadata: { a: '1' },
        throttleRate: 7,
      });
      const meta = await admin.patch(`/app/${app.id}`, { metadata: { b: '2' } });
      expect(meta.json()).toMatchObject({ name: 'Patched', metadata: { b: '2' }, throttleRate: 7 });
    });

    it('clears nullable fields given as null', async () => {
      const app = await createApp(f, { name: 'Nulls', uid: 'patch-null', throttleRate: 3 });
      const res = await admin.patch('/app/patch-null', { uid: null, throttleRate: null });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: app.id, uid: null, throttleRate: null, name: 'Nulls' });
      expectError(await admin.get('/app/patch-null'), 404);
    });

    it('rejects null for a field that is not nullable', async () => {
      await createApp(f, { name: 'Strict', uid: 'patch-strict' });
      expectError(await admin.patch('/app/patch-strict', { name: null }), 422, 'validation', /name/);
      expect((await admin.get('/app/patch-strict')).json().name).toBe('Strict');
    });
  });

  describe('DELETE', () => {
    it('deletes an application with its endpoints (204), after which it is gone', async () => {
      const app = await createApp(f, { name: 'Doomed', uid: 'doomed' });
      const endpoint = await createEndpoint(f, app.id);
      const res = await admin.del('/app/doomed');
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      expectError(await admin.get(`/app/${app.id}`), 404);
      expectError(await admin.del(`/app/${app.id}`), 404);
      expect(await f.store.endpointGet(app.id, endpoint.id)).toBeUndefined();
      // The uid is free again.
      expect((await admin.post('/app', { name: 'Reborn', uid: 'doomed' })).statusCode).toBe(201);
    });
  });
});
