/**
 * Polling endpoints (Svix's poller API) on both databases: an endpoint's messages read in the order Herald
 * accepted them, through its filters; named consumers whose positions Herald keeps (at least once); seek; and
 * polling endpoints (`poll:` URLs), which never get deliveries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, DIALECTS, sqliteStore, type ApiFixture } from '../helpers/env.js';
import { client, createApp, createEndpoint, createEventType, expectError, type Client } from './support.js';

interface PollOut {
  data: Array<{ id: string; eventType: string; channels: string[] | null; payload: Record<string, unknown> }>;
  iterator: string;
  done: boolean;
}

describe.each(DIALECTS)('polling endpoints ($name)', ({ make, skip }) => {
  let f: ApiFixture;
  let admin: Client;
  let appId: string;
  /** The polling endpoint: invoice events only. */
  let sink: { id: string; uid: string | null; url: string };
  /** Message ids by name, in the order they were sent. */
  const m: Record<string, string> = {};

  const send = async (name: string, eventType: string, payload: object, channels?: string[]) => {
    const res = await admin.post(`/app/${appId}/msg`, { eventType, payload, ...(channels && { channels }) });
    expect(res.statusCode, res.body).toBe(202);
    m[name] = res.json<{ id: string }>().id;
  };
  const poll = async (path: string): Promise<PollOut> => {
    const res = await admin.get(`/app/${appId}/poller/${path}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const ids = (out: PollOut) => out.data.map((message) => message.id);

  beforeAll(async () => {
    if (skip) return;
    f = await apiFixture(make, { HERALD_POLLER_SETTLE_MS: '0' });
    admin = client(f);
    appId = (await createApp(f, { name: 'Poller', uid: 'poller-app' })).id;
    for (const name of ['invoice.paid', 'invoice.failed', 'user.signup']) await createEventType(f, name);
    sink = await createEndpoint(f, appId, {
      uid: 'inbox',
      url: 'poll://inbox',
      filterTypes: ['invoice.paid', 'invoice.failed'],
    });
    await send('m1', 'invoice.paid', { amount: 10 }, ['eu']);
    await send('m2', 'user.signup', { name: 'Ada' });
    await send('m3', 'invoice.failed', { amount: 20 }, ['us']);
    await send('m4', 'invoice.paid', { amount: 2000 }, ['eu', 'us']);
    await send('m5', 'invoice.paid', { amount: 5 });
  });
  afterAll(async () => f?.close());

  it.skipIf(skip)('a polling endpoint is created with a poll: URL and gets no deliveries', async () => {
    expect(sink.url).toBe('poll://inbox');
    const sent = await admin.get(`/app/${appId}/endpoint/${sink.id}/msg`);
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json<{ data: unknown[] }>().data).toEqual([]);
    const attempts = await admin.get(`/app/${appId}/attempt/msg/${m.m1}`);
    expect(attempts.json<{ data: unknown[] }>().data).toEqual([]);
    // Nor can a test send reach it: it is read, never sent to.
    expectError(
      await admin.post(`/app/${appId}/endpoint/inbox/send-example`, { eventType: 'invoice.paid' }),
      409,
      undefined,
      /polling endpoint/,
    );
  });

  it.skipIf(skip)('reads the messages its filters let through, oldest first, page by page', async () => {
    const first = await poll('inbox?limit=2');
    expect(ids(first)).toEqual([m.m1, m.m3]);
    expect(first.done).toBe(false);
    expect(first.data[0]).toMatchObject({
      eventType: 'invoice.paid',
      payload: { amount: 10 },
      channels: ['eu'],
    });
    const second = await poll(`inbox?limit=2&iterator=${first.iterator}`);
    expect(ids(second)).toEqual([m.m4, m.m5]);
    const third = await poll(`inbox?limit=2&iterator=${second.iterator}`);
    expect(third).toEqual({ data: [], iterator: second.iterator, done: true });
    // The endpoint's id works as well as its uid, and a page that is not full is done.
    const all = await poll(`${sink.id}`);
    expect(ids(all)).toEqual([m.m1, m.m3, m.m4, m.m5]);
    expect(all.done).toBe(true);
  });

  it.skipIf(skip)('narrows by event type, channel and time', async () => {
    expect(ids(await poll('inbox?event_type=invoice.paid'))).toEqual([m.m1, m.m4, m.m5]);
    expect(ids(await poll('inbox?event_type=user.signup'))).toEqual([]);
    expect(ids(await poll('inbox?channel=us'))).toEqual([m.m3, m.m4]);
    const message = await admin.get(`/app/${appId}/msg/${m.m4}`);
    const after = message.json<{ timestamp: string }>().timestamp;
    expect(ids(await poll(`inbox?after=${encodeURIComponent(after)}`))).toEqual([m.m4, m.m5]);
  });

  it.skipIf(skip)("applies the endpoint's content filter and channels", async () => {
    await createEndpoint(f, appId, {
      uid: 'big-eu',
      url: 'poll://big-eu',
      channels: ['eu'],
      filter: { 'payload.amount': { $gte: 1000 } },
    });
    const out = await poll('big-eu');
    // Only messages sent since the endpoint was created.
    expect(ids(out)).toEqual([]);
    await send('m6', 'invoice.paid', { amount: 5000 }, ['eu']);
    await send('m7', 'invoice.paid', { amount: 5 }, ['eu']);
    await send('m8', 'invoice.paid', { amount: 5000 }, ['us']);
    const later = await poll(`big-eu?iterator=${out.iterator}`);
    expect(ids(later)).toEqual([m.m6]);
    expect(later.done).toBe(true);
    // The iterator has passed over the message the content filter left out (m8 is not on the channel).
    expect(later.iterator).toBe(m.m7);
  });

  it.skipIf(skip)('a consumer re-reads until it passes the iterator on: at least once', async () => {
    const path = 'inbox/consumer/billing?limit=2';
    const first = await poll(path);
    expect(ids(first)).toEqual([m.m1, m.m3]);
    // Without the iterator, the stored position has not moved: the same page again.
    expect(ids(await poll(path))).toEqual([m.m1, m.m3]);
    const second = await poll(`${path}&iterator=${first.iterator}`);
    expect(ids(second)).toEqual([m.m4, m.m5]);
    // The position is stored: a restarted consumer, without an iterator, reads on from the acknowledged page.
    expect(ids(await poll(path))).toEqual([m.m4, m.m5]);
    expect((await f.store.pollerConsumerGet(sink.id, 'billing'))?.position).toBe(first.iterator);
    // Consumers are independent.
    expect(ids(await poll('inbox/consumer/audit?limit=1'))).toEqual([m.m1]);
  });

  it.skipIf(skip)("seek moves a consumer's position to a time, forward or back", async () => {
    const timestamp = async (id: string) =>
      (await admin.get(`/app/${appId}/msg/${id}`)).json<{ timestamp: string }>().timestamp;
    const seek = await admin.post(`/app/${appId}/poller/inbox/consumer/reports/seek`, {
      after: await timestamp(m.m4!),
    });
    expect(seek.statusCode, seek.body).toBe(200);
    const { iterator } = seek.json<{ iterator: string }>();
    expect(typeof iterator).toBe('string');
    expect(ids(await poll('inbox/consumer/reports?limit=1'))).toEqual([m.m4]);
    const back = await admin.post(`/app/${appId}/poller/inbox/consumer/reports/seek`, {
      after: '2000-01-01T00:00:00Z',
    });
    expect(back.statusCode).toBe(200);
    expect(ids(await poll('inbox/consumer/reports?limit=1'))).toEqual([m.m1]);
  });

  it.skipIf(skip)('the leasing poll hands out offsets; a commit acknowledges them', async () => {
    const leased = await createEndpoint(f, appId, {
      uid: 'leased',
      url: 'poll://leased',
      filterTypes: ['user.signup'],
    });
    for (const n of [1, 2, 3]) await send(`u${n}`, 'user.signup', { n });
    type LeaseOut = { data: Array<{ id: string; offset: number }>; done: boolean };
    const lease = async (consumer: string, query = '') => {
      const res = await admin.get(`/app/${appId}/polling-endpoint/leased/consumer/${consumer}?${query}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json<LeaseOut>();
    };
    const commit = (consumer: string, offset: number) =>
      admin.post(`/app/${appId}/polling-endpoint/leased/consumer/${consumer}/commit`, { offset });
    const pairs = (out: LeaseOut) => out.data.map((x) => [x.id, x.offset]);

    // While the lease lasts, polls read on; commits acknowledge up to an offset.
    const first = await lease('a', 'limit=2');
    expect(pairs(first)).toEqual([
      [m.u1, 0],
      [m.u2, 1],
    ]);
    expect(first.done).toBe(false);
    const second = await lease('a', 'limit=2');
    expect(pairs(second)).toEqual([[m.u3, 2]]);
    expect(second.done).toBe(true);
    expect((await commit('a', 1)).statusCode).toBe(204);
    expect((await f.store.pollerConsumerGet(leased.id, 'a'))?.position).toBe(m.u2);
    expect((await commit('a', 2)).statusCode).toBe(204);
    expect((await commit('a', 0)).statusCode).toBe(204); // already committed: nothing changes
    expect(pairs(await lease('a'))).toEqual([]);

    // A lease that lapses before its commit: the messages come again, with new offsets (at least once).
    expect(pairs(await lease('b', 'limit=2&lease_duration_ms=0'))).toEqual([
      [m.u1, 0],
      [m.u2, 1],
    ]);
    expect(pairs(await lease('b', 'limit=2&lease_duration_ms=0'))).toEqual([
      [m.u1, 2],
      [m.u2, 3],
    ]);
    expect((await commit('b', 3)).statusCode).toBe(204);
    expect(pairs(await lease('b'))).toEqual([[m.u3, 4]]);

    // A new consumer may start at the next message accepted.
    expect(pairs(await lease('late', 'starting_position=latest'))).toEqual([]);
    await send('u4', 'user.signup', { n: 4 });
    expect(pairs(await lease('late'))).toEqual([[m.u4, 0]]);

    expectError(await commit('a', 99), 400, undefined, /never handed out/);
    expectError(await commit('nobody', 0), 409, undefined, /has not polled/);
    expectError(await admin.post(`/app/${appId}/polling-endpoint/leased/consumer/a/commit`, {}), 422);
  });

  it.skipIf(skip)('an endpoint keeps its kind: HTTP or polling', async () => {
    expectError(
      await admin.patch(`/app/${appId}/endpoint/inbox`, { url: 'https://example.com/hook' }),
      422,
      undefined,
      /polling endpoint/,
    );
    const http = await createEndpoint(f, appId, { uid: 'http-ep' });
    expectError(await admin.patch(`/app/${appId}/endpoint/${http.id}`, { url: 'poll://x' }), 422);
    // An HTTP endpoint's stream can be read too, and it still gets its deliveries.
    await send('m9', 'invoice.paid', { amount: 1 });
    expect(ids(await poll('http-ep'))).toEqual([m.m9]);
    const sent = await admin.get(`/app/${appId}/endpoint/${http.id}/msg`);
    expect(sent.json<{ data: Array<{ id: string }> }>().data.map((x) => x.id)).toEqual([m.m9]);
  });

  it.skipIf(skip)('deleting an endpoint ends its stream and its consumers', async () => {
    const gone = await createEndpoint(f, appId, { uid: 'gone', url: 'poll://gone' });
    await poll('gone/consumer/c');
    expect(await f.store.pollerConsumerGet(gone.id, 'c')).toBeDefined();
    expect((await admin.del(`/app/${appId}/endpoint/gone`)).statusCode).toBe(204);
    expect(await f.store.pollerConsumerGet(gone.id, 'c')).toBeUndefined();
    expectError(await admin.get(`/app/${appId}/poller/gone`), 404);
  });

  it.skipIf(skip)('bad requests get a 4xx that says what to fix', async () => {
    expectError(await admin.get(`/app/${appId}/poller/inbox?iterator=nope`), 400, undefined, /iterator/);
    expectError(await admin.get(`/app/${appId}/poller/inbox/consumer/c?iterator=nope`), 400);
    expectError(await admin.get(`/app/${appId}/poller/inbox?limit=251`), 422);
    expectError(await admin.get(`/app/${appId}/poller/no-such-endpoint`), 404);
    expectError(await admin.get(`/app/no-such-app/poller/inbox`), 404);
    expectError(await admin.post(`/app/${appId}/poller/inbox/consumer/c/seek`, { after: 'yesterday' }), 422);
    expectError(await admin.post(`/app/${appId}/poller/inbox/consumer/c/seek`, {}), 422);
  });
});

describe('polling endpoints: the settle time', () => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await apiFixture(sqliteStore, { HERALD_POLLER_SETTLE_MS: '60000' });
  });
  afterAll(async () => f?.close());

  it('a message younger than the settle time is not read yet', async () => {
    const admin = client(f);
    const appId = (await createApp(f, { name: 'Settle' })).id;
    await createEndpoint(f, appId, { uid: 'inbox', url: 'poll://inbox' });
    const sent = await admin.post(`/app/${appId}/msg`, { eventType: 'any.thing', payload: {} });
    expect(sent.statusCode, sent.body).toBe(202);
    const out = await admin.get(`/app/${appId}/poller/inbox`);
    expect(out.json<PollOut>()).toMatchObject({ data: [], done: true });
  });
});
