import { beforeAll, expect, it } from 'vitest';
import type { AuditRecord, Store } from '../../src/store/index.js';
import { newId } from '../../src/util/ids.js';
import { auditOf } from './builders.js';
import { describeStore } from './harness.js';

const ALL = { limit: 100, order: 'ascending' } as const;

describeStore('store: audit log', (ctx) => {
  let store: Store;
  let records: AuditRecord[];
  const [appA, appB] = [newId('application'), newId('application')];

  beforeAll(async () => {
    store = await ctx.fresh();
    records = [
      auditOf({ appId: appA, action: 'application.create', targetId: appA, after: { name: 'A' } }),
      auditOf({ appId: appB, action: 'application.create', targetId: appB, after: { name: 'B' } }),
      auditOf({
        appId: appA,
        action: 'endpoint.update',
        actor: 'key_1',
        ip: '203.0.113.7',
        targetType: 'endpoint',
        targetId: 'ep_1',
        before: { url: 'https://old.example' },
        after: { url: 'https://new.example' },
      }),
      auditOf({ appId: null, action: 'api_key.create', actor: 'cli', targetType: 'api_key' }),
      auditOf({ appId: appA, action: 'endpoint.delete', targetType: 'endpoint', targetId: 'ep_1' }),
    ];
    for (const record of records) await store.auditAppend(record);
  });

  it('reads records back as appended, in id order', async () => {
    const page = await store.auditList({}, ALL);
    expect(page.data).toEqual(records);
    expect(page.done).toBe(true);
  });

  it('filters by application and by action', async () => {
    const list = async (filter: Parameters<Store['auditList']>[0]) =>
      (await store.auditList(filter, ALL)).data;
    expect(await list({ appId: appA })).toEqual([records[0], records[2], records[4]]);
    expect(await list({ action: 'application.create' })).toEqual([records[0], records[1]]);
    expect(await list({ appId: appA, action: 'endpoint.update' })).toEqual([records[2]]);
    expect(await list({ appId: 'app_missing' })).toEqual([]);
  });

  it('pages newest first', async () => {
    const first = await store.auditList({}, { limit: 2, order: 'descending' });
    expect(first.data).toEqual([records[4], records[3]]);
    expect(first.done).toBe(false);
    const second = await store.auditList({}, { limit: 2, order: 'descending', iterator: first.iterator! });
    expect(second.data).toEqual([records[2], records[1]]);
    const last = await store.auditList({}, { limit: 2, order: 'descending', iterator: second.iterator! });
    expect(last.data).toEqual([records[0]]);
    expect(last.done).toBe(true);
    const filtered = await store.auditList({ appId: appA }, { limit: 2, order: 'descending' });
    expect(filtered.data).toEqual([records[4], records[2]]);
    const rest = await store.auditList(
      { appId: appA },
      { limit: 2, order: 'descending', iterator: filtered.iterator! },
    );
    expect(rest).toMatchObject({ data: [records[0]], done: true });
  });
});
