import { expect, it } from 'vitest';
import { UniqueViolation } from '../../src/store/index.js';
import { newId } from '../../src/util/ids.js';
import { appInsert, endpointInsert, messageOf, send } from './builders.js';
import { describeStore } from './harness.js';

const ALL = { limit: 100, order: 'ascending' } as const;

describeStore('store: applications', (ctx) => {
  it('creates an application and finds it by id and by uid', async () => {
    const uid = `acme-${newId('application')}`;
    const created = await ctx.store.applicationCreate(
      appInsert({ uid, name: 'Acme', metadata: { plan: 'gold' }, throttleRate: 10 }),
      1_000,
    );
    expect(created).toMatchObject({ uid, name: 'Acme', createdAt: 1_000, updatedAt: 1_000 });
    expect(await ctx.store.applicationGet(created.id)).toEqual(created);
    expect(await ctx.store.applicationGet(uid)).toEqual(created);
    expect(await ctx.store.applicationGet('app_missing')).toBeUndefined();
  });

  it('refuses a second application with the same uid', async () => {
    const uid = `dup-${newId('application')}`;
    await ctx.store.applicationCreate(appInsert({ uid }));
    const second = ctx.store.applicationCreate(appInsert({ uid }));
    await expect(second).rejects.toBeInstanceOf(UniqueViolation);
    await expect(second).rejects.toMatchObject({ target: 'application.uid' });
  });

  it('creates an application, or returns the one that already has its uid', async () => {
    const uid = `either-${newId('application')}`;
    const created = await ctx.store.applicationCreateOrGet(appInsert({ uid, name: 'First' }));
    expect(created).toMatchObject({ uid, name: 'First' });
    expect(await ctx.store.applicationGet(uid)).toEqual(created);
    const again = await ctx.store.applicationCreateOrGet(appInsert({ uid, name: 'Second' }));
    expect(again).toEqual(created);
  });

  it('gives two creations of the same uid at once the same application', async () => {
    const uid = `race-${newId('application')}`;
    const [a, b] = await Promise.all([
      ctx.store.applicationCreateOrGet(appInsert({ uid })),
      ctx.store.applicationCreateOrGet(appInsert({ uid })),
    ]);
    expect(a.id).toBe(b.id);
    expect((await ctx.store.applicationList(ALL)).data.filter((app) => app.uid === uid)).toHaveLength(1);
  });

  it('still refuses an application whose id is taken when it has no uid to fall back on', async () => {
    const first = await ctx.store.applicationCreateOrGet(appInsert({ uid: null }));
    await expect(
      ctx.store.applicationCreateOrGet(appInsert({ id: first.id, uid: null })),
    ).rejects.toBeInstanceOf(UniqueViolation);
  });

  it('allows many applications without a uid', async () => {
    const a = await ctx.store.applicationCreate(appInsert({ uid: null }));
    const b = await ctx.store.applicationCreate(appInsert({ uid: null }));
    expect(a.id).not.toBe(b.id);
  });

  it('lists applications in id order, and one alone when asked', async () => {
    const store = await ctx.fresh();
    const apps = [];
    for (let i = 0; i < 3; i++) apps.push(await store.applicationCreate(appInsert({ name: `app ${i}` })));
    const page = await store.applicationList(ALL);
    expect(page.data.map((app) => app.id)).toEqual(apps.map((app) => app.id));
    expect(page.done).toBe(true);
    const only = await store.applicationList(ALL, apps[1]!.id);
    expect(only.data.map((app) => app.id)).toEqual([apps[1]!.id]);
  });

  it('updates only the given fields and the update time', async () => {
    const app = await ctx.store.applicationCreate(appInsert({ name: 'Old', metadata: { a: '1' } }), 1_000);
    const updated = await ctx.store.applicationUpdate(app.id, { name: 'New' }, 2_000);
    expect(updated).toEqual({ ...app, name: 'New', updatedAt: 2_000 });
    expect(await ctx.store.applicationGet(app.id)).toEqual(updated);
    const cleared = await ctx.store.applicationUpdate(app.id, { uid: null, throttleRate: null }, 3_000);
    expect(cleared).toMatchObject({ uid: null, throttleRate: null, name: 'New', metadata: { a: '1' } });
    expect(await ctx.store.applicationUpdate('app_missing', { name: 'x' })).toBeUndefined();
  });

  it("refuses an update to another application's uid", async () => {
    const uid = `taken-${newId('application')}`;
    await ctx.store.applicationCreate(appInsert({ uid }));
    const other = await ctx.store.applicationCreate(appInsert());
    await expect(ctx.store.applicationUpdate(other.id, { uid })).rejects.toBeInstanceOf(UniqueViolation);
    expect((await ctx.store.applicationGet(other.id))?.uid).toBeNull();
  });

  it('deletes an application with its endpoints, messages and deliveries', async () => {
    const app = await ctx.store.applicationCreate(appInsert());
    const endpoint = await ctx.store.endpointCreate(endpointInsert(app.id));
    const { message } = await send(ctx.store, messageOf(app.id), [endpoint.id]);
    const survivor = await ctx.store.applicationCreate(appInsert());
    const survivorEndpoint = await ctx.store.endpointCreate(endpointInsert(survivor.id));

    expect(await ctx.store.applicationDelete(app.id)).toBe(true);
    expect(await ctx.store.applicationGet(app.id)).toBeUndefined();
    expect(await ctx.store.endpointGet(app.id, endpoint.id)).toBeUndefined();
    expect((await ctx.store.endpointGetMany([endpoint.id])).size).toBe(0);
    expect(await ctx.store.messageGet(app.id, message.id)).toBeUndefined();
    expect((await ctx.store.deliveryListByEndpoint(endpoint.id, {}, ALL)).data).toEqual([]);
    expect(await ctx.store.applicationDelete(app.id)).toBe(false);
    expect(await ctx.store.endpointGet(survivor.id, survivorEndpoint.id)).toEqual(survivorEndpoint);
  });
});

describeStore('store: endpoints', (ctx) => {
  it('creates an endpoint and finds it by id or uid within its application only', async () => {
    const app = await ctx.store.applicationCreate(appInsert());
    const other = await ctx.store.applicationCreate(appInsert());
    const endpoint = await ctx.store.endpointCreate(
      endpointInsert(app.id, {
        uid: 'primary',
        eventTypes: ['invoice.paid'],
        channels: ['project_1'],
        metadata: { team: 'billing' },
        throttleRate: 5,
      }),
      1_000,
    );
    expect(endpoint).toMatchObject({ appId: app.id, disabled: false, createdAt: 1_000, updatedAt: 1_000 });
    expect(await ctx.store.endpointGet(app.id, endpoint.id)).toEqual(endpoint);
    expect(await ctx.store.endpointGet(app.id, 'primary')).toEqual(endpoint);
    expect(await ctx.store.endpointGet(other.id, endpoint.id)).toBeUndefined();
    expect(await ctx.store.endpointGet(other.id, 'primary')).toBeUndefined();
  });

  it('keeps uids unique per application, not across applications', async () => {
    const a = await ctx.store.applicationCreate(appInsert());
    const b = await ctx.store.applicationCreate(appInsert());
    const inA = await ctx.store.endpointCreate(endpointInsert(a.id, { uid: 'main' }));
    const inB = await ctx.store.endpointCreate(endpointInsert(b.id, { uid: 'main' }));
    await expect(ctx.store.endpointCreate(endpointInsert(a.id, { uid: 'main' }))).rejects.toMatchObject({
      name: 'UniqueViolation',
      target: 'endpoint.uid',
    });
    expect((await ctx.store.endpointGet(a.id, 'main'))?.id).toBe(inA.id);
    expect((await ctx.store.endpointGet(b.id, 'main'))?.id).toBe(inB.id);
    const spare = await ctx.store.endpointCreate(endpointInsert(a.id, { uid: 'spare' }));
    await expect(ctx.store.endpointUpdate(a.id, spare.id, { uid: 'main' })).rejects.toBeInstanceOf(
      UniqueViolation,
    );
  });

  it("lists an application's endpoints only, in id order", async () => {
    const app = await ctx.store.applicationCreate(appInsert());
    const other = await ctx.store.applicationCreate(appInsert());
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push(await ctx.store.endpointCreate(endpointInsert(app.id)));
    await ctx.store.endpointCreate(endpointInsert(other.id));
    const page = await ctx.store.endpointList(app.id, ALL);
    expect(page.data).toEqual(mine);
    expect(page.done).toBe(true);
  });

  it('updates the given fields within the application only', async () => {
    const app = await ctx.store.applicationCreate(appInsert());
    const other = await ctx.store.applicationCreate(appInsert());
    const endpoint = await ctx.store.endpointCreate(endpointInsert(app.id, { channels: ['a'] }), 1_000);
    expect(
      await ctx.store.endpointUpdate(other.id, endpoint.id, { url: 'https://evil.test' }),
    ).toBeUndefined();
    const updated = await ctx.store.endpointUpdate(
      app.id,
      endpoint.id,
      { url: 'https://example.org/new', disabled: true, channels: null, secretsSealed: 'rotated' },
      2_000,
    );
    expect(updated).toEqual({
      ...endpoint,
      url: 'https://example.org/new',
      disabled: true,
      channels: null,
      secretsSealed: 'rotated',
      updatedAt: 2_000,
    });
    expect(await ctx.store.endpointGet(app.id, endpoint.id)).toEqual(updated);
  });

  it('deletes an endpoint within its application only', async () => {
    const app = await ctx.store.applicationCreate(appInsert());
    const other = await ctx.store.applicationCreate(appInsert());
    const endpoint = await ctx.store.endpointCreate(endpointInsert(app.id));
    expect(await ctx.store.endpointDelete(other.id, endpoint.id)).toBe(false);
    expect(await ctx.store.endpointGet(app.id, endpoint.id)).toBeDefined();
    expect(await ctx.store.endpointDelete(app.id, endpoint.id)).toBe(true);
    expect(await ctx.store.endpointGet(app.id, endpoint.id)).toBeUndefined();
    expect(await ctx.store.endpointDelete(app.id, endpoint.id)).toBe(false);
  });

  it('fetches many endpoints by id, across applications, skipping unknown ids', async () => {
    const a = await ctx.store.applicationCreate(appInsert());
    const b = await ctx.store.applicationCreate(appInsert());
    const inA = await ctx.store.endpointCreate(endpointInsert(a.id));
    const inB = await ctx.store.endpointCreate(endpointInsert(b.id));
    const found = await ctx.store.endpointGetMany([inA.id, inB.id, 'ep_missing']);
    expect([...found.keys()].sort()).toEqual([inA.id, inB.id].sort());
    expect(found.get(inA.id)).toEqual(inA);
    expect(found.get(inB.id)).toEqual(inB);
    expect((await ctx.store.endpointGetMany([])).size).toBe(0);
  });
});
