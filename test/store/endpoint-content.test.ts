import { beforeAll, expect, it } from 'vitest';
import type { JsonObject, Store } from '../../src/store/index.js';
import { appInsert, endpointInsert } from './builders.js';
import { describeStore } from './harness.js';

describeStore('store: endpoint content filters and compression', (ctx) => {
  let store: Store;
  beforeAll(() => {
    store = ctx.store;
  });

  it('keeps an endpoint’s filter and compression, and gives routing the filter as its stored text', async () => {
    const app = await store.applicationCreate(appInsert());
    const plain = await store.endpointCreate(endpointInsert(app.id));
    expect(plain).toMatchObject({
      filter: null,
      compression: 'none',
      compressionThreshold: null,
      compressionRefusedAt: null,
    });
    expect(await store.endpointGet(app.id, plain.id)).toEqual(plain);
    const filter: JsonObject = {
      'payload.amount': { $gte: 1000 },
      $or: [{ eventType: 'a' }, { channels: 'eu' }],
    };
    const full = await store.endpointCreate(
      endpointInsert(app.id, { filter, compression: 'br', compressionThreshold: 0 }),
    );
    expect(await store.endpointGet(app.id, full.id)).toEqual(full);
    expect(full).toMatchObject({ filter, compression: 'br', compressionThreshold: 0 });

    const routing = await store.endpointListEnabledFilters(app.id);
    const text = routing.find((endpoint) => endpoint.id === full.id)!.contentFilter;
    expect(JSON.parse(text!)).toEqual(filter);
    expect(routing.find((endpoint) => endpoint.id === plain.id)!.contentFilter).toBeNull();

    const changed = await store.endpointUpdate(app.id, full.id, { filter: null, compression: 'gzip' });
    expect(changed).toMatchObject({ filter: null, compression: 'gzip', compressionThreshold: 0 });
    expect((await store.endpointListEnabledFilters(app.id)).every((e) => e.contentFilter === null)).toBe(
      true,
    );
  });

  it('records a refused compression as health, without touching updatedAt, and clears it on request', async () => {
    const app = await store.applicationCreate(appInsert());
    const endpoint = await store.endpointCreate(endpointInsert(app.id, { compression: 'gzip' }), 1_000);
    await store.endpointSetHealth(endpoint.id, { compressionRefusedAt: 5_000 });
    const refused = await store.endpointGet(app.id, endpoint.id);
    expect(refused).toMatchObject({ compressionRefusedAt: 5_000, updatedAt: 1_000 });
    const cleared = await store.endpointUpdate(app.id, endpoint.id, { compressionRefusedAt: null }, 6_000);
    expect(cleared).toMatchObject({ compressionRefusedAt: null, compression: 'gzip' });
  });
});
