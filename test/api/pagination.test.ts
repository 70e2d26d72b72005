import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, type ApiFixture } from '../helpers/env.js';
import { client, createApp, createEndpoint, expectError, type Client } from './support.js';

interface Page {
  data: Array<{ id?: string; name?: string }>;
  iterator: string | null;
  prevIterator: string | null;
  done: boolean;
}

describe('cursor pagination', () => {
  let f: ApiFixture;
  let admin: Client;
  let apps: string[];
  beforeAll(async () => {
    f = await apiFixture();
    admin = client(f);
    apps = [];
    for (let i = 0; i < 7; i++) apps.push((await createApp(f, { name: `App ${i}` })).id);
  });
  afterAll(async () => f.close());

  const page = async (query: string): Promise<Page> => {
    const res = await admin.get(`/app?${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const ids = (p: Page) => p.data.map((item) => item.id ?? item.name);

  it('pages forward with limit and iterator (3, 3, 1), done only on the last page', async () => {
    const first = await page('limit=3');
    expect(ids(first)).toEqual(apps.slice(0, 3));
    expect(first.done).toBe(false);
    expect(first.iterator).toEqual(expect.any(String));

    const second = await page(`limit=3&iterator=${first.iterator}`);
    expect(ids(second)).toEqual(apps.slice(3, 6));
    expect(second.done).toBe(false);

    const third = await page(`limit=3&iterator=${second.iterator}`);
    expect(ids(third)).toEqual(apps.slice(6));
    expect(third.done).toBe(true);
  });

  it('pages back with prevIterator', async () => {
    const first = await page('limit=3');
    const second = await page(`limit=3&iterator=${first.iterator}`);
    const third = await page(`limit=3&iterator=${second.iterator}`);
    expect(third.prevIterator).toEqual(expect.any(String));

    const backToSecond = await page(`limit=3&iterator=${third.prevIterator}`);
    expect(ids(backToSecond)).toEqual(apps.slice(3, 6));
    expect(backToSecond.done).toBe(false);
    expect(backToSecond.iterator).toBe(second.iterator);

    const backToFirst = await page(`limit=3&iterator=${backToSecond.prevIterator}`);
    expect(ids(backToFirst)).toEqual(apps.slice(0, 3));
    expect(backToFirst.prevIterator).toBeNull();
    // As in Svix: a page reached backwards that arrives at the start is done, so a backward loop stops there.
    expect(backToFirst.done).toBe(true);

    // Forward again from a page reached backwards.
    expect(ids(await page(`limit=3&iterator=${backToFirst.iterator}`))).toEqual(apps.slice(3, 6));
  });

  it('lists in descending order with order=descending, and pages that way', async () => {
    const reversed = [...apps].reverse();
    const first = await page('limit=3&order=descending');
    expect(ids(first)).toEqual(reversed.slice(0, 3));
    const second = await page(`limit=3&order=descending&iterator=${first.iterator}`);
    expect(ids(second)).toEqual(reversed.slice(3, 6));
    const third = await page(`limit=3&order=descending&iterator=${second.iterator}`);
    expect(ids(third)).toEqual(reversed.slice(6));
    expect(third.done).toBe(true);
    const back = await page(`limit=3&order=descending&iterator=${third.prevIterator}`);
    expect(ids(back)).toEqual(reversed.slice(3, 6));
  });

  it('returns everything in one page when the limit allows, and an empty done page past the end', async () => {
    const all = await page('limit=250');
    expect(ids(all)).toEqual(apps);
    expect(all.done).toBe(true);
    const past = await page(`limit=3&iterator=${apps[6]}`);
    expect(past.data).toEqual([]);
    expect(past.done).toBe(true);
  });

  it('defaults to 50 items a page', async () => {
    for (let i = 0; i < 51; i++)
      await f.store.eventTypeCreate({
        name: `bulk.type${String(i).padStart(2, '0')}`,
        description: '',
        schemas: null,
        archived: false,
        deprecated: false,
        featureFlags: null,
      });
    const res = await admin.get('/event-type');
    expect(res.json().data).toHaveLength(50);
    expect(res.json().done).toBe(false);
    const rest = await admin.get(`/event-type?iterator=${res.json().iterator}`);
    expect(rest.json().data.map((e: { name: string }) => e.name)).toEqual(['bulk.type50']);
    expect(rest.json().done).toBe(true);
  });

  it('pages endpoints and event types the same way', async () => {
    const endpoints = [];
    for (let i = 0; i < 4; i++) endpoints.push((await createEndpoint(f, apps[0]!)).id);
    // Endpoints list newest first, as in Svix; `order=ascending` lists oldest first.
    const first = (await admin.get(`/app/${apps[0]}/endpoint?order=ascending&limit=3`)).json() as Page;
    expect(ids(first)).toEqual(endpoints.slice(0, 3));
    const second = (
      await admin.get(`/app/${apps[0]}/endpoint?order=ascending&limit=3&iterator=${first.iterator}`)
    ).json();
    expect(ids(second)).toEqual(endpoints.slice(3));
    expect(second.done).toBe(true);
    const desc = (await admin.get(`/app/${apps[0]}/endpoint?limit=2`)).json();
    expect(ids(desc)).toEqual([endpoints[3], endpoints[2]]);

    const types = (await admin.get('/event-type?limit=2&order=descending')).json() as Page;
    expect(ids(types)).toEqual(['bulk.type50', 'bulk.type49']);
  });

  it.each([
    ['limit=251', /limit/],
    ['limit=0', /limit/],
    ['limit=-1', /limit/],
    ['limit=abc', /limit/],
    ['limit=2.5', /limit/],
    ['order=sideways', /order/],
    [`iterator=${'x'.repeat(301)}`, /iterator/],
  ])('rejects %s with 422', async (query, field) => {
    expectError(await admin.get(`/app?${query}`), 422, 'validation', field);
  });

  it('accepts limit=250', async () => {
    expect((await admin.get('/app?limit=250')).statusCode).toBe(200);
  });
});
