import { expect, it } from 'vitest';
import { appInsert, apiKeyOf } from './builders.js';
import { describeStore } from './harness.js';

describeStore('store: API keys', (ctx) => {
  it('creates a key and finds it by token hash and by id', async () => {
    const app = await ctx.store.applicationCreate(appInsert());
    const key = apiKeyOf({ name: 'ci', appId: app.id, expiresAt: 9_999_999_999_999 });
    expect(await ctx.store.apiKeyCreate(key)).toEqual(key);
    expect(await ctx.store.apiKeyFindByHash(key.tokenHash)).toEqual(key);
    expect(await ctx.store.apiKeyGet(key.id)).toEqual(key);
    expect(await ctx.store.apiKeyFindByHash('0'.repeat(64))).toBeUndefined();
    expect(await ctx.store.apiKeyGet('key_missing')).toBeUndefined();
  });

  it("lists all keys in id order, or one application's keys", async () => {
    const store = await ctx.fresh();
    const a = await store.applicationCreate(appInsert());
    const b = await store.applicationCreate(appInsert());
    const admin = await store.apiKeyCreate(apiKeyOf({ name: 'admin' }));
    const forA = await store.apiKeyCreate(apiKeyOf({ appId: a.id }));
    const forB = await store.apiKeyCreate(apiKeyOf({ appId: b.id }));
    const forA2 = await store.apiKeyCreate(apiKeyOf({ appId: a.id }));
    expect(await store.apiKeyList()).toEqual([admin, forA, forB, forA2]);
    expect(await store.apiKeyList(a.id)).toEqual([forA, forA2]);
    expect(await store.apiKeyList('app_missing')).toEqual([]);
  });

  it('revokes a key once', async () => {
    const key = await ctx.store.apiKeyCreate(apiKeyOf());
    const revoked = await ctx.store.apiKeyRevoke(key.id, 5_000);
    expect(revoked).toEqual({ ...key, revokedAt: 5_000 });
    expect(await ctx.store.apiKeyFindByHash(key.tokenHash)).toEqual(revoked);
    expect(await ctx.store.apiKeyRevoke(key.id, 6_000)).toBeUndefined();
    expect((await ctx.store.apiKeyGet(key.id))?.revokedAt).toBe(5_000);
    expect(await ctx.store.apiKeyRevoke('key_missing')).toBeUndefined();
  });

  it("deletes an application's keys with the application", async () => {
    const app = await ctx.store.applicationCreate(appInsert());
    const key = await ctx.store.apiKeyCreate(apiKeyOf({ appId: app.id }));
    await ctx.store.applicationDelete(app.id);
    expect(await ctx.store.apiKeyGet(key.id)).toBeUndefined();
  });

  it('creates the first admin key once, not when an admin key exists', async () => {
    const store = await ctx.fresh();
    const app = await store.applicationCreate(appInsert());
    await store.apiKeyCreate(apiKeyOf({ appId: app.id }));
    const first = apiKeyOf({ name: 'first admin' });
    expect(await store.apiKeyCreateFirstAdmin(first)).toBe(true);
    expect(await store.apiKeyGet(first.id)).toEqual(first);
    const second = apiKeyOf({ name: 'second admin' });
    expect(await store.apiKeyCreateFirstAdmin(second)).toBe(false);
    expect(await store.apiKeyGet(second.id)).toBeUndefined();
  });

  it('creates exactly one first admin key when several starts race', async () => {
    const store = await ctx.fresh();
    // Open the pool's connections first, so the calls really overlap instead of queueing on a connect.
    await Promise.all(Array.from({ length: 5 }, () => store.ping()));
    const candidates = Array.from({ length: 5 }, (_, i) => apiKeyOf({ name: `admin ${i}` }));
    const results = await Promise.all(candidates.map((key) => store.apiKeyCreateFirstAdmin(key)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const admins = (await store.apiKeyList()).filter((key) => key.appId === null);
    expect(admins).toHaveLength(1);
    expect(admins[0]).toEqual(candidates[results.indexOf(true)]);
  });
});
