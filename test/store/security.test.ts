import { beforeAll, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { apiKeyOf, appInsert, auditOf, endpointInsert } from './builders.js';
import { describeStore } from './harness.js';

describeStore('store: security settings', (ctx) => {
  let store: Store;
  beforeAll(() => {
    store = ctx.store;
  });

  it('keeps an endpoint’s signature versions, signing keys, credentials and destination networks', async () => {
    const app = await store.applicationCreate(appInsert());
    const plain = await store.endpointCreate(endpointInsert(app.id));
    expect(plain).toMatchObject({
      signatureVersions: ['v1'],
      signingKeysSealed: null,
      authSealed: null,
      allowedDestinationCidrs: null,
    });
    expect(await store.endpointGet(app.id, plain.id)).toEqual(plain);
    const full = await store.endpointCreate(
      endpointInsert(app.id, {
        signatureVersions: ['v1', 'v1a'],
        signingKeysSealed: 'sealed-keys',
        authSealed: 'sealed-auth',
        allowedDestinationCidrs: ['10.0.0.0/8'],
      }),
    );
    expect(await store.endpointGet(app.id, full.id)).toEqual(full);
    const changed = await store.endpointUpdate(app.id, full.id, {
      signatureVersions: ['v1a'],
      authSealed: null,
      allowedDestinationCidrs: null,
    });
    expect(changed).toMatchObject({
      signatureVersions: ['v1a'],
      signingKeysSealed: 'sealed-keys',
      authSealed: null,
      allowedDestinationCidrs: null,
    });
    // Other changes leave them alone.
    expect(await store.endpointUpdate(app.id, full.id, { description: 'x' })).toMatchObject({
      signatureVersions: ['v1a'],
      signingKeysSealed: 'sealed-keys',
    });
  });

  it('sets first signing keys only once, whoever asks first', async () => {
    const app = await store.applicationCreate(appInsert());
    const endpoint = await store.endpointCreate(endpointInsert(app.id));
    const results = await Promise.all([
      store.endpointSetSigningKeysIfMissing(endpoint.id, 'first'),
      store.endpointSetSigningKeysIfMissing(endpoint.id, 'second'),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const kept = (await store.endpointGet(app.id, endpoint.id))!.signingKeysSealed;
    expect(kept).toBe(results[0] ? 'first' : 'second');
  });

  it('keeps an application’s destination networks', async () => {
    const app = await store.applicationCreate(appInsert());
    expect(app.allowedDestinationCidrs).toBeNull();
    const updated = await store.applicationUpdate(app.id, { allowedDestinationCidrs: ['192.0.2.0/24'] });
    expect(updated?.allowedDestinationCidrs).toEqual(['192.0.2.0/24']);
    expect((await store.applicationGetMany([app.id])).get(app.id)?.allowedDestinationCidrs).toEqual([
      '192.0.2.0/24',
    ]);
    expect((await store.applicationUpdate(app.id, { name: 'renamed' }))?.allowedDestinationCidrs).toEqual([
      '192.0.2.0/24',
    ]);
  });

  it('keeps an API key’s client networks and rate limit, and changes them', async () => {
    const key = await store.apiKeyCreate(apiKeyOf({ allowedClientCidrs: ['10.0.0.0/8'], rateLimit: 5 }));
    expect(await store.apiKeyFindByHash(key.tokenHash)).toEqual(key);
    expect(await store.apiKeyUpdate(key.id, { rateLimit: null })).toEqual({ ...key, rateLimit: null });
    expect(await store.apiKeyUpdate(key.id, { allowedClientCidrs: null })).toEqual({
      ...key,
      rateLimit: null,
      allowedClientCidrs: null,
    });
    expect(await store.apiKeyUpdate('key_missing', { rateLimit: 1 })).toBeUndefined();
  });

  it('reads endpoints’ rate buckets and queue depth', async () => {
    const app = await store.applicationCreate(appInsert());
    const [a, b] = [
      await store.endpointCreate(endpointInsert(app.id)),
      await store.endpointCreate(endpointInsert(app.id)),
    ];
    const now = Date.now();
    expect(await store.endpointTakeTokens(a.id, 10, 4, now)).toBe(4);
    const buckets = await store.endpointRateGetMany([a.id, b.id]);
    expect(buckets.get(a.id)).toEqual({ tokens: 6, updatedAt: now });
    expect(buckets.has(b.id)).toBe(false);
    expect(await store.endpointRateGetMany([])).toEqual(new Map());
    const msg = {
      id: `msg_${now}`,
      appId: app.id,
      eventType: 'x',
      eventId: null,
      payload: {},
      channels: null,
      orderingKey: null,
      createdAt: now,
    };
    await store.messageCreate({
      message: msg,
      deliveries: [
        { id: `dlv_${now}a`, endpointId: a.id },
        { id: `dlv_${now}b`, endpointId: b.id },
      ],
    });
    const pending = await store.deliveryCountPending([a.id, b.id]);
    expect(pending).toEqual(
      new Map([
        [a.id, 1],
        [b.id, 1],
      ]),
    );
  });

  it('filters the audit log by action prefix, actor, target and time', async () => {
    const fresh = await ctx.fresh();
    const base = Date.now();
    const records = [
      auditOf({ action: 'endpoint.auth.changed', actor: 'key_a', targetId: 'ep_1', createdAt: base }),
      auditOf({ action: 'endpoint.url.changed', actor: 'key_b', targetId: 'ep_1', createdAt: base + 1000 }),
      auditOf({ action: 'endpointx.other', actor: 'key_a', targetId: 'ep_2', createdAt: base + 2000 }),
      auditOf({ action: 'auth.failed', actor: 'anonymous', targetId: null, createdAt: base + 3000 }),
      auditOf({
        action: 'delivery.ip_restricted',
        actor: 'system',
        targetId: 'ep_2',
        createdAt: base + 4000,
      }),
    ];
    for (const record of records) await fresh.auditAppend(record);
    const list = async (filter: Parameters<Store['auditList']>[0]) =>
      (await fresh.auditList(filter, { limit: 100, order: 'ascending' })).data.map((r) => r.action);
    expect(await list({ action: 'endpoint.' })).toEqual(['endpoint.auth.changed', 'endpoint.url.changed']);
    expect(await list({ action: 'endpoint*' })).toEqual([
      'endpoint.auth.changed',
      'endpoint.url.changed',
      'endpointx.other',
    ]);
    expect(await list({ action: 'delivery_ip%' })).toEqual([]);
    expect(await list({ action: 'endpoint.url.changed' })).toEqual(['endpoint.url.changed']);
    expect(await list({ actor: 'key_a' })).toEqual(['endpoint.auth.changed', 'endpointx.other']);
    expect(await list({ targetId: 'ep_2' })).toEqual(['endpointx.other', 'delivery.ip_restricted']);
    expect(await list({ after: base + 1000, before: base + 4000 })).toEqual([
      'endpoint.url.changed',
      'endpointx.other',
      'auth.failed',
    ]);
  });
});
