/**
 * Svix's message operations beyond the open-source server: search, the events feed, the raw payload, the
 * pre-check, and per-event-type retry schedules applied by the delivery pipeline. Driven through the official
 * `svix` SDK where it has the call (precheck, event types), through HTTP otherwise, with real receivers.
 */
import { Svix } from 'svix';
import { expect, it } from 'vitest';
import {
  createTestApp,
  createTestEndpoint,
  createTestMsgWith,
  describeSvix,
  eventually,
  unique,
  type Json,
  type SvixClient,
} from './support.js';

const ids = (list: Json) => list.data.map((item: { id: string }) => item.id);

function sdk(server: { herald: { url: string; token: string } }): Svix {
  return new Svix(server.herald.token, { serverUrl: server.herald.url, retryScheduleInMs: [] });
}

async function send(client: SvixClient, app: string, eventType: string, channels: string[] = []) {
  return createTestMsgWith(client, app, { n: unique('p') }, eventType, channels);
}

describeSvix('message search, events, raw, precheck', (h) => {
  it('searches newest first by event type and channel, pages with the iterator, and finds nothing by tag', async () => {
    const { client } = h.server();
    const app = (await createTestApp(client, 'search')).id;
    const a = await send(client, app, 'order.created', ['eu']);
    const b = await send(client, app, 'order.paid', ['us']);
    const c = await send(client, app, 'order.created', ['us', 'eu']);
    const d = await send(client, app, 'order.created');
    const path = `api/v1/app/${app}/msg/search`;
    expect(ids(await client.post(path, {}, 200))).toEqual([d.id, c.id, b.id, a.id]);
    const created = await client.post(path, { event_types: ['order.created'] }, 200);
    expect(ids(created)).toEqual([d.id, c.id, a.id]);
    expect(created.data[0].payload).toEqual({});
    const eu = await client.post(path, { channel: 'eu', with_content: true }, 200);
    expect(ids(eu)).toEqual([c.id, a.id]);
    expect(eu.data[0].payload).toEqual(c.payload);
    const first = await client.post(path, { limit: 2 }, 200);
    expect(first).toMatchObject({ done: false, iterator: c.id });
    const second = await client.post(path, { limit: 2, iterator: first.iterator }, 200);
    expect(ids(second)).toEqual([b.id, a.id]);
    expect(second.done).toBe(true);
    const window = await client.post(
      path,
      { after: c.timestamp, before: new Date(Date.parse(d.timestamp) + 1).toISOString() },
      200,
    );
    expect(ids(window)).toEqual(expect.arrayContaining([d.id, c.id]));
    expect(ids(window)).not.toContain(a.id);
    expect((await client.post(path, { tag: 'any' }, 200)).data).toEqual([]);
    for (const body of [
      { limit: 0 },
      { iterator: 'nope' },
      { event_types: ['bad type'] },
      { before: 'soon' },
    ]) {
      const res = await fetch(`${client.baseUrl}/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${client.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(await res.text()).toContain(Object.keys(body)[0]!);
    }
    await client.post(`api/v1/app/not-an-app/msg/search`, {}, 404);
  });

  it('reads the events feed oldest first, filtered, and goes on from its iterator', async () => {
    const { client } = h.server();
    const app = (await createTestApp(client, 'events')).id;
    const a = await send(client, app, 'user.created', ['x']);
    const b = await send(client, app, 'user.deleted');
    const all = await client.get(`api/v1/app/${app}/events`);
    expect(ids(all)).toEqual([a.id, b.id]);
    expect(all.done).toBe(true);
    expect(all.data[0].payload).toEqual(a.payload);
    const later = await client.get(`api/v1/app/${app}/events?iterator=${all.iterator}`);
    expect(later).toMatchObject({ data: [], done: true, iterator: all.iterator });
    const c = await send(client, app, 'user.created', ['y']);
    expect(ids(await client.get(`api/v1/app/${app}/events?iterator=${all.iterator}`))).toEqual([c.id]);
    expect(ids(await client.get(`api/v1/app/${app}/events?event_types=user.created`))).toEqual([a.id, c.id]);
    expect(ids(await client.get(`api/v1/app/${app}/events?channels=y,z`))).toEqual([c.id]);
    expect(ids(await client.get(`api/v1/app/${app}/events?after=${c.timestamp}`))).toEqual([c.id]);
    const paged = await client.get(`api/v1/app/${app}/events?limit=1`);
    expect(paged).toMatchObject({ done: false, iterator: a.id });
    const empty = await client.get(`api/v1/app/${app}/events?event_types=none.such`);
    expect(empty).toMatchObject({ data: [], done: true });
    expect(typeof empty.iterator).toBe('string');
    expect(JSON.stringify(await client.get(`api/v1/app/${app}/events?iterator=bogus`, 422))).toContain(
      'iterator',
    );
  });

  it('gives the raw payload as a JSON string, by id or eventId', async () => {
    const { client } = h.server();
    const app = (await createTestApp(client, 'raw')).id;
    const msg = await client.post(
      `api/v1/app/${app}/msg/`,
      { eventType: 'raw.sent', eventId: 'evt-raw-1', payload: { b: 2, a: [1, 'x'] } },
      202,
    );
    for (const id of [msg.id, 'evt-raw-1']) {
      const raw = await client.get(`api/v1/app/${app}/msg/${id}/raw`);
      expect(JSON.parse(raw.payload)).toEqual({ b: 2, a: [1, 'x'] });
    }
    await client.get(`api/v1/app/${app}/msg/msg_unknown/raw`, 404);
  });

  it('prechecks through the SDK whether an enabled endpoint listens', async () => {
    const server = h.server();
    const svix = sdk(server);
    const app = (await createTestApp(server.client, 'precheck')).id;
    expect(await svix.message.precheck(app, { eventType: 'a.b' })).toEqual({ active: false });
    await svix.eventType.update('a.b', { description: 'checked' });
    const receiver = await h.receiver();
    const ep = await createTestEndpoint(server.client, app, receiver.url, {
      filterTypes: ['a.b'],
      channels: ['eu'],
    });
    expect((await svix.message.precheck(app, { eventType: 'a.b' })).active).toBe(false);
    expect((await svix.message.precheck(app, { eventType: 'a.b', channels: ['eu'] })).active).toBe(true);
    expect((await svix.message.precheck(app, { eventType: 'c.d', channels: ['eu'] })).active).toBe(false);
    await server.client.patch(`api/v1/app/${app}/endpoint/${ep.id}/`, { disabled: true });
    expect((await svix.message.precheck(app, { eventType: 'a.b', channels: ['eu'] })).active).toBe(false);
    const bad = await server.client.post(`api/v1/app/${app}/msg/precheck/active`, { channels: ['eu'] }, 422);
    expect(JSON.stringify(bad)).toContain('eventType');
  });
});

describeSvix('test-attempt', (h) => {
  it('sends a message to one endpoint, whatever its filters, and answers its first attempt', async () => {
    const { client } = h.server();
    const app = (await createTestApp(client, 'test-attempt')).id;
    await client.post('api/v1/event-type/', { name: 'tested.type', description: 'tested' }, 201);
    const receiver = await h.receiver(200, '{"seen":true}');
    const other = await h.receiver();
    const ep = (await createTestEndpoint(client, app, receiver.url, { filterTypes: ['tested.type'] })).id;
    await createTestEndpoint(client, app, other.url);
    const attempt = await client.post(
      `api/v1/app/${app}/endpoint/${ep}/msg/test-attempt`,
      { eventType: 'other.type', payload: { hello: 'world' } },
      201,
    );
    expect(attempt).toMatchObject({ endpointId: ep, status: 0, responseStatusCode: 200 });
    expect(JSON.parse(attempt.response)).toEqual({ seen: true });
    expect(JSON.parse(receiver.received[0]!.body)).toEqual({ hello: 'world' });
    expect(other.received).toHaveLength(0);
    const bad = await client.post(`api/v1/app/${app}/endpoint/${ep}/msg/test-attempt`, { payload: {} }, 422);
    expect(JSON.stringify(bad)).toContain('eventType');
    await client.post(
      `api/v1/app/${app}/endpoint/ep_none/msg/test-attempt`,
      { eventType: 'a', payload: {} },
      404,
    );
  });
});

describeSvix('event-type retry schedule', (h) => {
  it('retries the messages of an event type on its schedule, after an endpoint schedule of its own', async () => {
    const server = h.server();
    const { client } = server;
    const svix = sdk(server);
    const eventType = unique('retry.type').replace(/-/g, '.');
    await svix.eventType.create({ name: eventType, description: 'retried', groupName: 'retry' });
    // Four quick retries for this event type; the default schedule would wait 5 s before the second attempt.
    const schedule = Array.from({ length: 4 }, () => ({ secs: 0, nanos: 1_000_000 }));
    expect(
      await client.put(`api/v1/event-type/${eventType}/retry-schedule`, { retrySchedule: schedule }),
    ).toEqual({
      retrySchedule: schedule,
    });
    const app = (await createTestApp(client, 'retry')).id;
    const failing = await h.receiver(500);
    const ep = (await createTestEndpoint(client, app, failing.url)).id;
    const msg = await client.post(`api/v1/app/${app}/msg/`, { eventType, payload: { a: 1 } }, 202);
    await failing.waitFor(5);
    const attempts = await eventually(async () => {
      const list = await client.get(`api/v1/app/${app}/attempt/msg/${msg.id}/`);
      expect(list.data).toHaveLength(5);
      const destinations = await client.get(`api/v1/app/${app}/msg/${msg.id}/endpoint/`);
      expect(destinations.data[0]).toMatchObject({ id: ep, statusText: 'fail' });
      return list;
    });
    expect(attempts.data.every((attempt: Json) => attempt.endpointId === ep)).toBe(true);

    // An endpoint's own schedule comes first: one retry only.
    const own = await h.receiver(500);
    await createTestEndpoint(client, app, own.url, { retrySchedule: [0] });
    const second = await client.post(`api/v1/app/${app}/msg/`, { eventType, payload: { a: 2 } }, 202);
    await eventually(async () => {
      const destinations = await client.get(`api/v1/app/${app}/msg/${second.id}/endpoint/`);
      expect(destinations.data.map((d: Json) => d.statusText)).toEqual(['fail', 'fail']);
    });
    expect(own.received.filter((r) => r.body.includes('"a":2'))).toHaveLength(2);
    expect(failing.received.filter((r) => r.body.includes('"a":2'))).toHaveLength(5);
  });
});
