import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryStatus, TriggerType, type Attempt, type Message } from '../../src/store/index.js';
import { apiFixture, type ApiFixture } from '../helpers/env.js';
import {
  client,
  createApp,
  createEndpoint,
  expectError,
  seedAttempt,
  seedMessage,
  type Client,
} from './support.js';

const iso = (ms: number) => new Date(ms).toISOString();
const ids = (res: { json(): { data: Array<{ id: string }> } }) => res.json().data.map((item) => item.id);

describe('messages and attempts', () => {
  let f: ApiFixture;
  let admin: Client;
  let appId: string;
  let e1: string;
  let e2: string;
  const base = Date.now() - 10 * 60_000;
  const m: Record<string, Message> = {};
  const d: Record<string, string> = {}; // delivery ids, by `${message}/${endpoint}`
  const a: Record<string, Attempt> = {};

  beforeAll(async () => {
    f = await apiFixture();
    admin = client(f);
    appId = (await createApp(f, { name: 'Messages', uid: 'msgs' })).id;
    e1 = (await createEndpoint(f, appId, { uid: 'ep-one', url: 'https://one.example.com/' })).id;
    e2 = (await createEndpoint(f, appId, { uid: 'ep-two', url: 'https://two.example.com/' })).id;

    const seed = async (
      name: string,
      at: number,
      options: Parameters<typeof seedMessage>[2],
      endpoints: Record<string, string>,
    ) => {
      const { message, deliveries } = await seedMessage(f, appId, {
        ...options,
        createdAt: base + at,
        endpointIds: Object.values(endpoints),
      });
      m[name] = message;
      Object.keys(endpoints).forEach((label, i) => (d[`${name}/${label}`] = deliveries[i]!.id));
    };
    await seed('m1', 1000, { eventType: 'user.signup', eventId: 'evt-1', channels: ['eu'] }, { e1, e2 });
    await seed('m2', 2000, { eventType: 'invoice.paid', channels: ['us'], payload: { amount: 5 } }, { e1 });
    await seed('m3', 3000, { eventType: 'invoice.failed' }, { e2 });
    await seed('m4', 4000, { eventType: 'user.signup', channels: ['eu', 'us'] }, { e1 });

    const attempt = async (
      name: string,
      msg: string,
      endpoint: 'e1' | 'e2',
      at: number,
      options: Partial<Attempt>,
    ) => {
      a[name] = await seedAttempt(
        f,
        {
          appId,
          msgId: m[msg]!.id,
          endpointId: endpoint === 'e1' ? e1 : e2,
          deliveryId: d[`${msg}/${endpoint}`]!,
        },
        { createdAt: base + at, ...options },
      );
    };
    const fail = { status: DeliveryStatus.Fail, errorClass: 'http_status' } as const;
    await attempt('a1', 'm1', 'e1', 1100, { ...fail, responseStatusCode: 500, responseBody: 'boom' });
    await attempt('a2', 'm1', 'e1', 1200, { responseStatusCode: 200, responseBody: 'ok-a2' });
    await attempt('a3', 'm1', 'e2', 1300, {
      status: DeliveryStatus.Fail,
      responseStatusCode: 0,
      responseBody: null,
      responseHeaders: null,
      errorClass: 'timeout',
      errorDetail: 'no response within 15 s',
      requestHeaders: { 'webhook-id': 'x', authorization: '[redacted]' },
    });
    await attempt('a4', 'm2', 'e1', 2100, { responseStatusCode: 204, responseBody: '' });
    await attempt('a5', 'm2', 'e1', 2200, { ...fail, responseStatusCode: 410, responseBody: 'gone-body' });
    await attempt('a6', 'm4', 'e1', 4100, { responseStatusCode: 200, triggerType: TriggerType.Manual });

    // Another application's data, which must never show up.
    const other = await createApp(f, { name: 'Other', uid: 'other-msgs' });
    const otherEndpoint = await createEndpoint(f, other.id);
    const { message, deliveries } = await seedMessage(f, other.id, {
      eventType: 'user.signup',
      eventId: 'evt-other',
      createdAt: base + 1500,
      endpointIds: [otherEndpoint.id],
    });
    m.other = message;
    a.other = await seedAttempt(f, {
      appId: other.id,
      msgId: message.id,
      endpointId: otherEndpoint.id,
      deliveryId: deliveries[0]!.id,
    });
  });
  afterAll(async () => f.close());

  describe('GET /app/:app/msg', () => {
    it('lists the messages newest first, in the Svix shape', async () => {
      const res = await admin.get('/app/msgs/msg');
      expect(res.statusCode).toBe(200);
      expect(ids(res)).toEqual([m.m4!.id, m.m3!.id, m.m2!.id, m.m1!.id]);
      expect(res.json().done).toBe(true);
      expect(res.json().data[3]).toEqual({
        id: m.m1!.id,
        eventType: 'user.signup',
        eventId: 'evt-1',
        payload: { hello: 'world' },
        channels: ['eu'],
        timestamp: iso(base + 1000),
      });
    });

    it('filters by event_types given comma-separated or repeated', async () => {
      expect(ids(await admin.get('/app/msgs/msg?event_types=user.signup,invoice.paid'))).toEqual([
        m.m4!.id,
        m.m2!.id,
        m.m1!.id,
      ]);
      expect(
        ids(await admin.get('/app/msgs/msg?event_types=user.signup&event_types=invoice.failed')),
      ).toEqual([m.m4!.id, m.m3!.id, m.m1!.id]);
      expect(ids(await admin.get('/app/msgs/msg?event_types=invoice.paid'))).toEqual([m.m2!.id]);
      expect(ids(await admin.get('/app/msgs/msg?event_types=nothing.here'))).toEqual([]);
    });

    it('filters by channel, matching whole channel names only', async () => {
      expect(ids(await admin.get('/app/msgs/msg?channel=eu'))).toEqual([m.m4!.id, m.m1!.id]);
      expect(ids(await admin.get('/app/msgs/msg?channel=us'))).toEqual([m.m4!.id, m.m2!.id]);
      expect(ids(await admin.get('/app/msgs/msg?channel=e'))).toEqual([]);
    });

    it('filters by before and after', async () => {
      const mid = encodeURIComponent(iso(base + 2500));
      expect(ids(await admin.get(`/app/msgs/msg?before=${mid}`))).toEqual([m.m2!.id, m.m1!.id]);
      expect(ids(await admin.get(`/app/msgs/msg?after=${mid}`))).toEqual([m.m4!.id, m.m3!.id]);
      const from = encodeURIComponent(iso(base + 1500));
      expect(ids(await admin.get(`/app/msgs/msg?after=${from}&before=${mid}`))).toEqual([m.m2!.id]);
    });

    it('leaves the payload out with with_content=false', async () => {
      const res = await admin.get('/app/msgs/msg?with_content=false');
      expect(res.json().data.map((msg: { payload: unknown }) => msg.payload)).toEqual([{}, {}, {}, {}]);
      expect(res.body).not.toContain('hello');
    });

    it('pages with limit and iterator', async () => {
      const first = await admin.get('/app/msgs/msg?limit=3');
      expect(ids(first)).toEqual([m.m4!.id, m.m3!.id, m.m2!.id]);
      expect(first.json().done).toBe(false);
      const second = await admin.get(`/app/msgs/msg?limit=3&iterator=${first.json().iterator}`);
      expect(ids(second)).toEqual([m.m1!.id]);
      expect(second.json().done).toBe(true);
    });

    it('rejects invalid filters with 422', async () => {
      expectError(await admin.get('/app/msgs/msg?event_types=not%20valid'), 422, 'validation', /event_types/);
      expectError(await admin.get('/app/msgs/msg?before=yesterday'), 422, 'validation', /before/);
      expectError(await admin.get('/app/msgs/msg?channel=a%20b'), 422, 'validation', /channel/);
      expectError(await admin.get('/app/msgs/msg?with_content=maybe'), 422, 'validation', /with_content/);
    });

    it('answers 404 for an unknown application', async () => {
      expectError(await admin.get('/app/nope/msg'), 404, 'not_found');
    });
  });

  describe('GET /app/:app/msg/:msg', () => {
    it('gets a message by id and by eventId', async () => {
      const byId = await admin.get(`/app/msgs/msg/${m.m1!.id}`);
      expect(byId.statusCode).toBe(200);
      expect(byId.json()).toMatchObject({ id: m.m1!.id, eventId: 'evt-1', payload: { hello: 'world' } });
      expect((await admin.get('/app/msgs/msg/evt-1')).json()).toEqual(byId.json());
      expect((await admin.get(`/app/${appId}/msg/evt-1`)).json()).toEqual(byId.json());
    });

    it('leaves the payload out with with_content=false', async () => {
      expect((await admin.get(`/app/msgs/msg/${m.m2!.id}?with_content=false`)).json().payload).toEqual({});
    });

    it("answers 404 for an unknown message, or another application's", async () => {
      expectError(await admin.get('/app/msgs/msg/msg_00000000000000000000000000'), 404, 'not_found');
      expectError(await admin.get('/app/msgs/msg/evt-unknown'), 404, 'not_found');
      expectError(await admin.get(`/app/msgs/msg/${m.other!.id}`), 404, 'not_found');
      expectError(await admin.get('/app/msgs/msg/evt-other'), 404, 'not_found');
      expect((await admin.get('/app/other-msgs/msg/evt-other')).statusCode).toBe(200);
    });
  });

  describe('attempts of an endpoint', () => {
    const list = (query = '', endpoint = 'ep-one') =>
      admin.get(`/app/msgs/attempt/endpoint/${endpoint}${query}`);

    it('lists them newest first, in the Svix shape', async () => {
      const res = await list();
      expect(res.statusCode).toBe(200);
      expect(ids(res)).toEqual([a.a6!.id, a.a5!.id, a.a4!.id, a.a2!.id, a.a1!.id]);
      expect(res.json().data[4]).toEqual({
        id: a.a1!.id,
        msgId: m.m1!.id,
        endpointId: e1,
        url: 'https://example.com/hook',
        response: 'boom',
        responseStatusCode: 500,
        responseDurationMs: 12,
        status: 2,
        statusText: 'fail',
        triggerType: 0,
        timestamp: iso(base + 1100),
        errorClass: 'http_status',
      });
      expect(res.json().data[0]).toMatchObject({ triggerType: 1, statusText: 'success' });
      expect(ids(await admin.get(`/app/${appId}/attempt/endpoint/${e1}`))).toEqual(ids(res));
    });

    it('filters by status and status_code_class', async () => {
      expect(ids(await list('?status=0'))).toEqual([a.a6!.id, a.a4!.id, a.a2!.id]);
      expect(ids(await list('?status=2'))).toEqual([a.a5!.id, a.a1!.id]);
      expect(ids(await list('?status_code_class=500'))).toEqual([a.a1!.id]);
      expect(ids(await list('?status_code_class=400'))).toEqual([a.a5!.id]);
      expect(ids(await list('?status_code_class=200'))).toEqual([a.a6!.id, a.a4!.id, a.a2!.id]);
      expect(ids(await list('?status_code_class=0'))).toEqual([]);
      expect(ids(await list('?status_code_class=0', 'ep-two'))).toEqual([a.a3!.id]);
      expect(ids(await list('?status=0&status_code_class=200'))).toEqual([a.a6!.id, a.a4!.id, a.a2!.id]);
    });

    it("filters by the messages' event types and channel", async () => {
      expect(ids(await list('?event_types=invoice.paid'))).toEqual([a.a5!.id, a.a4!.id]);
      expect(ids(await list('?event_types=invoice.paid,user.signup&status=2'))).toEqual([a.a5!.id, a.a1!.id]);
      expect(ids(await list('?channel=eu'))).toEqual([a.a6!.id, a.a2!.id, a.a1!.id]);
    });

    it('filters by before and after', async () => {
      const t = encodeURIComponent(iso(base + 2150));
      expect(ids(await list(`?before=${t}`))).toEqual([a.a4!.id, a.a2!.id, a.a1!.id]);
      expect(ids(await list(`?after=${t}`))).toEqual([a.a6!.id, a.a5!.id]);
    });

    it('leaves response bodies out with with_content=false', async () => {
      const res = await list('?with_content=false');
      expect(res.json().data.map((x: { response: string }) => x.response)).toEqual(['', '', '', '', '']);
      expect(res.body).not.toContain('boom');
    });

    it('rejects invalid filters and answers 404 for an unknown endpoint', async () => {
      expectError(await list('?status=9'), 422, 'validation', /status/);
      expectError(await list('?status_code_class=250'), 422, 'validation', /status_code_class/);
      expectError(await list('?limit=0'), 422, 'validation', /limit/);
      expectError(await list('', 'nope'), 404, 'not_found');
      expectError(await admin.get('/app/nope/attempt/endpoint/ep-one'), 404, 'not_found');
    });
  });

  describe('attempts of a message', () => {
    it('lists them newest first, by message id or eventId', async () => {
      const res = await admin.get(`/app/msgs/attempt/msg/${m.m1!.id}`);
      expect(res.statusCode).toBe(200);
      expect(ids(res)).toEqual([a.a3!.id, a.a2!.id, a.a1!.id]);
      expect(ids(await admin.get('/app/msgs/attempt/msg/evt-1'))).toEqual(ids(res));
    });

    it('filters by endpoint_id (id or uid), status and status_code_class', async () => {
      expect(ids(await admin.get(`/app/msgs/attempt/msg/evt-1?endpoint_id=${e1}`))).toEqual([
        a.a2!.id,
        a.a1!.id,
      ]);
      expect(ids(await admin.get('/app/msgs/attempt/msg/evt-1?endpoint_id=ep-two'))).toEqual([a.a3!.id]);
      expect(ids(await admin.get('/app/msgs/attempt/msg/evt-1?status=2'))).toEqual([a.a3!.id, a.a1!.id]);
      expect(ids(await admin.get('/app/msgs/attempt/msg/evt-1?status_code_class=200'))).toEqual([a.a2!.id]);
    });

    it('answers 404 for an unknown message or endpoint_id', async () => {
      expectError(await admin.get('/app/msgs/attempt/msg/evt-unknown'), 404, 'not_found');
      expectError(await admin.get(`/app/msgs/attempt/msg/${m.other!.id}`), 404, 'not_found');
      expectError(await admin.get('/app/msgs/attempt/msg/evt-1?endpoint_id=nope'), 404, 'not_found');
    });
  });

  describe('one attempt', () => {
    it('gets an attempt with its detail', async () => {
      const res = await admin.get(`/app/msgs/msg/${m.m1!.id}/attempt/${a.a3!.id}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        id: a.a3!.id,
        msgId: m.m1!.id,
        endpointId: e2,
        url: 'https://example.com/hook',
        response: '',
        responseStatusCode: 0,
        responseDurationMs: 12,
        status: 2,
        statusText: 'fail',
        triggerType: 0,
        timestamp: iso(base + 1300),
        errorClass: 'timeout',
        errorDetail: 'no response within 15 s',
        requestHeaders: { 'webhook-id': 'x', authorization: '[redacted]' },
        requestBody: null,
        responseHeaders: null,
      });
      expect((await admin.get(`/app/msgs/msg/evt-1/attempt/${a.a3!.id}`)).json()).toEqual(res.json());
    });

    it('answers 404 for an unknown attempt, or one of another message or application', async () => {
      expectError(await admin.get(`/app/msgs/msg/evt-1/attempt/atmpt_00000000000000000000000000`), 404);
      expectError(await admin.get(`/app/msgs/msg/${m.m2!.id}/attempt/${a.a1!.id}`), 404, 'not_found');
      expectError(await admin.get(`/app/msgs/msg/nope/attempt/${a.a1!.id}`), 404, 'not_found');
      expectError(await admin.get(`/app/msgs/msg/${m.other!.id}/attempt/${a.other!.id}`), 404, 'not_found');
    });

    it("expunges an attempt's response body (204)", async () => {
      const path = `/app/msgs/msg/${m.m2!.id}/attempt/${a.a5!.id}`;
      expect((await admin.get(path)).json().response).toBe('gone-body');
      expect((await admin.del(`/app/msgs/msg/${m.m1!.id}/attempt/${a.a5!.id}/content`)).statusCode).toBe(404);
      const res = await admin.del(`${path}/content`);
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      const after = (await admin.get(path)).json();
      // As in Svix, the removed body reads EXPUNGED.
      expect(after).toMatchObject({
        id: a.a5!.id,
        response: 'EXPUNGED',
        responseStatusCode: 410,
        errorClass: 'http_status',
      });
      expectError(await admin.del(`/app/msgs/msg/${m.m2!.id}/attempt/nope/content`), 404, 'not_found');
    });
  });

  describe('messages of an endpoint', () => {
    it("lists the endpoint's messages newest first, each with its delivery state", async () => {
      const res = await admin.get('/app/msgs/endpoint/ep-one/msg');
      expect(res.statusCode).toBe(200);
      expect(ids(res)).toEqual([m.m4!.id, m.m2!.id, m.m1!.id]);
      expect(res.json().data[2]).toEqual({
        id: m.m1!.id,
        eventType: 'user.signup',
        eventId: 'evt-1',
        payload: { hello: 'world' },
        channels: ['eu'],
        timestamp: iso(base + 1000),
        status: 1,
        statusText: 'pending',
        nextAttempt: iso(base + 1000),
      });
      expect(ids(await admin.get(`/app/${appId}/endpoint/${e2}/msg`))).toEqual([m.m3!.id, m.m1!.id]);
    });

    it('filters by status, event_types, channel, before and after', async () => {
      const list = async (query: string) => ids(await admin.get(`/app/msgs/endpoint/ep-one/msg${query}`));
      expect(await list('?status=1')).toEqual([m.m4!.id, m.m2!.id, m.m1!.id]);
      expect(await list('?status=0')).toEqual([]);
      expect(await list('?event_types=invoice.paid')).toEqual([m.m2!.id]);
      expect(await list('?event_types=invoice.paid&event_types=user.signup')).toEqual([
        m.m4!.id,
        m.m2!.id,
        m.m1!.id,
      ]);
      expect(await list('?channel=eu')).toEqual([m.m4!.id, m.m1!.id]);
      expect(await list(`?before=${encodeURIComponent(iso(base + 2500))}`)).toEqual([m.m2!.id, m.m1!.id]);
      expect(await list(`?after=${encodeURIComponent(iso(base + 2500))}`)).toEqual([m.m4!.id]);
    });

    it('leaves payloads out with with_content=false', async () => {
      const res = await admin.get('/app/msgs/endpoint/ep-one/msg?with_content=false');
      expect(res.json().data.map((x: { payload: unknown }) => x.payload)).toEqual([{}, {}, {}]);
    });

    it('answers 404 for an unknown endpoint', async () => {
      expectError(await admin.get('/app/msgs/endpoint/nope/msg'), 404, 'not_found');
    });
  });

  describe('endpoints of a message', () => {
    it("lists the message's endpoints, each with its delivery state", async () => {
      const res = await admin.get('/app/msgs/msg/evt-1/endpoint');
      expect(res.statusCode).toBe(200);
      expect(ids(res)).toEqual([e1, e2]);
      expect(res.json().data[0]).toMatchObject({
        id: e1,
        uid: 'ep-one',
        url: 'https://one.example.com/',
        status: 1,
        statusText: 'pending',
        nextAttempt: iso(base + 1000),
      });
      expect(ids(await admin.get(`/app/msgs/msg/${m.m3!.id}/endpoint`))).toEqual([e2]);
    });

    it('pages with limit', async () => {
      const first = await admin.get('/app/msgs/msg/evt-1/endpoint?limit=1');
      expect(ids(first)).toEqual([e1]);
      expect(first.json().done).toBe(false);
      const second = await admin.get(
        `/app/msgs/msg/evt-1/endpoint?limit=1&iterator=${first.json().iterator}`,
      );
      expect(ids(second)).toEqual([e2]);
    });

    it('answers 404 for an unknown message', async () => {
      expectError(await admin.get('/app/msgs/msg/evt-unknown/endpoint'), 404, 'not_found');
    });
  });

  describe("deleting a message's content", () => {
    it('empties the payload (204) and keeps the message listed', async () => {
      const { message } = await seedMessage(f, appId, {
        eventId: 'evt-expunge',
        payload: { card: '4242' },
        createdAt: base + 5000,
      });
      const res = await admin.del('/app/msgs/msg/evt-expunge/content');
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      expect((await admin.get(`/app/msgs/msg/${message.id}`)).json()).toMatchObject({
        id: message.id,
        eventId: 'evt-expunge',
        payload: {},
      });
      const listed = await admin.get('/app/msgs/msg?limit=1');
      expect(ids(listed)).toEqual([message.id]);
      expect(listed.body).not.toContain('4242');
      expect((await f.store.messageGet(appId, message.id))!.payload).toBeNull();
    });

    it("answers 404 for an unknown message or another application's", async () => {
      expectError(await admin.del('/app/msgs/msg/evt-unknown/content'), 404, 'not_found');
      expectError(await admin.del(`/app/msgs/msg/${m.other!.id}/content`), 404, 'not_found');
      expect((await f.store.messageGet(m.other!.appId, m.other!.id))!.payload).not.toBeNull();
    });
  });
});
