import { beforeAll, expect, it } from 'vitest';
import type { Page, PageQuery, Store } from '../../src/store/index.js';
import { appInsert, endpointInsert } from './builders.js';
import { describeStore } from './harness.js';

type Order = PageQuery['order'];

/** What a client sends back: an `iterator` or a `prevIterator`, where a leading `-` means "page backwards". */
function queryFor(cursor: string | undefined, order: Order, limit: number): PageQuery {
  if (cursor?.startsWith('-')) return { limit, order, iterator: cursor.slice(1), reverse: true };
  return { limit, order, iterator: cursor };
}

async function walkForward<T>(
  list: (page: PageQuery) => Promise<Page<T>>,
  order: Order,
  limit: number,
): Promise<Array<Page<T>>> {
  const pages: Array<Page<T>> = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await list(queryFor(cursor, order, limit));
    pages.push(page);
    if (page.done || pages.length > 20) return pages;
    cursor = page.iterator ?? undefined;
  }
}

describeStore('store: cursor pagination', (ctx) => {
  let appId: string;
  let ids: string[];
  let listEndpoints: (page: PageQuery) => Promise<Page<string>>;

  beforeAll(async () => {
    const store: Store = ctx.store;
    const app = await store.applicationCreate(appInsert());
    appId = app.id;
    ids = [];
    for (let i = 0; i < 7; i++) ids.push((await store.endpointCreate(endpointInsert(app.id))).id);
    await store.endpointCreate(endpointInsert((await store.applicationCreate(appInsert())).id));
    listEndpoints = async (page) => {
      const result = await store.endpointList(appId, page);
      return { ...result, data: result.data.map((endpoint) => endpoint.id) };
    };
  });

  it('walks forward in ascending order in pages of 3, 3 and 1, done only on the last', async () => {
    const pages = await walkForward(listEndpoints, 'ascending', 3);
    expect(pages.map((page) => page.data.length)).toEqual([3, 3, 1]);
    expect(pages.map((page) => page.done)).toEqual([false, false, true]);
    expect(pages.flatMap((page) => page.data)).toEqual(ids);
    expect(pages.map((page) => page.iterator)).toEqual([ids[2], ids[5], ids[6]]);
  });

  it('walks forward in descending order, newest first', async () => {
    const pages = await walkForward(listEndpoints, 'descending', 3);
    expect(pages.map((page) => page.data.length)).toEqual([3, 3, 1]);
    expect(pages.map((page) => page.done)).toEqual([false, false, true]);
    expect(pages.flatMap((page) => page.data)).toEqual([...ids].reverse());
  });

  it('ends without an empty page when the items fill the last page exactly', async () => {
    const pages = await walkForward(listEndpoints, 'ascending', 7);
    expect(pages.map((page) => [page.data.length, page.done])).toEqual([[7, true]]);
    const bigger = await walkForward(listEndpoints, 'ascending', 50);
    expect(bigger.map((page) => [page.data.length, page.done])).toEqual([[7, true]]);
  });

  for (const order of ['ascending', 'descending'] as const) {
    it(`walks back with prevIterator to the same pages, ${order}`, async () => {
      const forward = await walkForward(listEndpoints, order, 3);
      const backward: string[][] = [];
      let cursor = forward.at(-1)?.prevIterator ?? null;
      while (cursor !== null && backward.length < 10) {
        expect(cursor.startsWith('-')).toBe(true);
        const page = await listEndpoints(queryFor(cursor, order, 3));
        // As in Svix, only the page that arrives at the start is done.
        expect(page.done).toBe(page.prevIterator === null);
        backward.push(page.data);
        cursor = page.prevIterator;
      }
      expect(backward).toEqual([forward[1]!.data, forward[0]!.data]);
    });

    it(`goes forward again from a page reached backwards, ${order}`, async () => {
      const forward = await walkForward(listEndpoints, order, 3);
      const back = await listEndpoints(queryFor(forward[2]!.prevIterator!, order, 3));
      expect(back.data).toEqual(forward[1]!.data);
      const again = await listEndpoints(queryFor(back.iterator!, order, 3));
      expect(again.data).toEqual(forward[2]!.data);
      expect(again.done).toBe(true);
    });
  }

  it('returns an empty, done page past the end', async () => {
    const page = await listEndpoints({ limit: 3, order: 'ascending', iterator: ids[6] });
    expect(page).toMatchObject({ data: [], done: true, prevIterator: null });
    const empty = await ctx.store.endpointList('app_without_endpoints', { limit: 3, order: 'ascending' });
    expect(empty).toEqual({ data: [], done: true, iterator: null, prevIterator: null });
  });

  it('pages through filtered lists the same way', async () => {
    const store = ctx.store;
    const app = await store.applicationCreate(appInsert());
    const wanted: string[] = [];
    for (let i = 0; i < 7; i++) {
      for (const eventType of ['invoice.paid', 'user.created']) {
        const id = `msg_${app.id}_${i}_${eventType}`;
        await store.messageCreate({
          message: {
            id,
            appId: app.id,
            eventType,
            eventId: null,
            payload: {},
            channels: null,
            orderingKey: null,
            createdAt: i,
          },
          deliveries: [],
        });
        if (eventType === 'user.created') wanted.push(id);
      }
    }
    const pages = await walkForward(
      async (page) => {
        const result = await store.messageList(app.id, { eventTypes: ['user.created'] }, page);
        return { ...result, data: result.data.map((message) => message.id) };
      },
      'descending',
      3,
    );
    expect(pages.map((page) => page.data.length)).toEqual([3, 3, 1]);
    expect(pages.flatMap((page) => page.data)).toEqual([...wanted].reverse());
  });
});
