/** Port of Svix's e2e_attempt.rs: attempt lists by endpoint and message, filters, statuses, destinations, paging. */
import { expect, it } from 'vitest';
import {
  createTestApp,
  createTestEndpoint,
  createTestMessage,
  createTestMsgWith,
  describeSvix,
  eventually,
  getMsgAttemptListAndAssertCount,
  sleep,
  type Json,
  type SvixClient,
} from './support.js';

const ids = (list: Json) => list.data.map((item: { id: string }) => item.id);
const msgIds = (list: Json) => list.data.map((item: { id: string }) => item.id);

/** Waits until `path` lists `count` items, and returns that list. */
async function listOf(client: SvixClient, path: string, count: number): Promise<Json> {
  return eventually(async () => {
    const list = await client.get(path);
    expect(list.data).toHaveLength(count);
    return list;
  });
}

const ms = (iso: string, delta: number) => new Date(Date.parse(iso) + delta).toISOString();

describeSvix('e2e_attempt', (h) => {
  it('test_expunge_attempt_response_body', async () => {
    const { client } = h.server();
    const app = (await createTestApp(client, 'app1')).id;
    const sensitive = { sensitive: 'data' };
    const receiver = await h.receiver(200, JSON.stringify(sensitive));
    const ep = (await createTestEndpoint(client, app, receiver.url)).id;
    const msg = (await createTestMessage(client, app, { test: 'data1' })).id;
    await receiver.waitFor(1);
    const attempt = (await listOf(client, `api/v1/app/${app}/attempt/endpoint/${ep}/`, 1)).data[0];
    expect(JSON.parse(attempt.response)).toEqual(sensitive);
    await client.delete(`api/v1/app/${app}/msg/${msg}/attempt/${attempt.id}/content/`);
    expect((await client.get(`api/v1/app/${app}/msg/${msg}/attempt/${attempt.id}/`)).response).toBe(
      'EXPUNGED',
    );
  });

  it('test_list_attempted_messages', async () => {
    const { client } = h.server();
    const app = (await createTestApp(client, 'app1')).id;
    const r1 = await h.receiver();
    const r2 = await h.receiver();
    const ep1 = (await createTestEndpoint(client, app, r1.url)).id;
    const ep2 = (await createTestEndpoint(client, app, r2.url, { uid: 'test' })).id;
    const m1 = await createTestMessage(client, app, { test: 'data1' });
    const m2 = await createTestMessage(client, app, { test: 'data2' });
    const m3 = await createTestMsgWith(client, app, { test: 'data3' }, 'balloon.popped', ['news']);
    for (const ep of [ep1, ep2, 'test']) {
      const list = await listOf(client, `api/v1/app/${app}/endpoint/${ep}/msg/`, 3);
      expect(msgIds(list).sort()).toEqual([m1.id, m2.id, m3.id].sort());
    }
    const base = `api/v1/app/${app}/endpoint/${ep1}/msg/`;
    expect(msgIds(await client.get(`${base}?channel=news`))).toEqual([m3.id]);
    expect(msgIds(await client.get(`${base}?event_types=balloon.popped`))).toEqual([m3.id]);
    expect(msgIds(await client.get(`${base}?event_types=event.type`)).sort()).toEqual([m1.id, m2.id].sort());
    expect(msgIds(await client.get(`${base}?event_types=event.type,balloon.popped`))).toHaveLength(3);
  });

  /**
   * Svix's setup for the status filters: two messages delivered, then two that fail, with `retrySchedule` as
   * the endpoint's (Svix's is server-wide). Returns the listing path and the four messages.
   */
  async function twoDeliveredTwoFailing(retrySchedule: number[]) {
    const { client } = h.server();
    const app = (await createTestApp(client, 'app1')).id;
    const receiver = await h.receiver();
    const ep = (await createTestEndpoint(client, app, receiver.url, { retrySchedule })).id;
    const base = `api/v1/app/${app}/endpoint/${ep}/msg/`;
    const m1 = await createTestMessage(client, app, { test: 'data1' });
    const m2 = await createTestMessage(client, app, { test: 'data2' });
    expect(msgIds(await listOf(client, `${base}?status=0`, 2)).sort()).toEqual([m1.id, m2.id].sort());
    receiver.answer(() => ({ status: 500 }));
    const m3 = await createTestMessage(client, app, { test: 'data3' });
    const m4 = await createTestMessage(client, app, { test: 'data4' });
    await receiver.waitFor(4);
    return { client, base, failing: [m3.id, m4.id].sort() };
  }

  it('test_list_attempted_messages_failed', async () => {
    // One quick retry, so the failing messages end failed.
    const { client, base, failing } = await twoDeliveredTwoFailing([0]);
    expect(msgIds(await listOf(client, `${base}?status=2`, 2)).sort()).toEqual(failing);
    // None is still listed as sending.
    expect((await client.get(`${base}?status=3`)).data).toHaveLength(0);
  });

  it('test_list_attempted_messages_sending', async () => {
    // Svix's default schedule: the first retry comes later; a message waiting for it is "sending".
    const { client, base, failing } = await twoDeliveredTwoFailing([60]);
    expect(msgIds(await listOf(client, `${base}?status=3`, 2)).sort()).toEqual(failing);
  });

  it('test_list_attempted_messages_success_are_not_sending', async () => {
    const { client } = h.server();
    const app = (await createTestApp(client, 'app1')).id;
    const receiver = await h.receiver();
    let first = true;
    receiver.answer(() => {
      const status = first ? 500 : 200;
      first = false;
      return { status };
    });
    const ep = (await createTestEndpoint(client, app, receiver.url, { retrySchedule: [0] })).id;
    const base = `api/v1/app/${app}/endpoint/${ep}/msg/`;
    await createTestMessage(client, app, { test: 'data1' });
    await listOf(client, `${base}?status=0`, 1);
    expect((await client.get(`${base}?status=3`)).data).toHaveLength(0);
  });

  it('test_list_attempted_destinations', async () => {
    const { client } = h.server();
    const app = (await createTestApp(client, 'testListAttemptedDestinations')).id;
    const receivers = [
      await h.receiver(200, '{"ok":true}'),
      await h.receiver(200, '{"ok":true}'),
      await h.receiver(200, '{"ok":true}'),
    ];
    const eps: Json[] = [];
    for (const r of receivers) eps.push(await createTestEndpoint(client, app, r.url));
    const msg = (await createTestMessage(client, app, { test: 'data' })).id;
    for (const r of receivers) await r.waitFor(1);
    const path = `api/v1/app/${app}/msg/${msg}/endpoint/`;
    const all = await listOf(client, path, 3);
    expect(ids(all)).toEqual(eps.map((ep) => ep.id));
    await client.delete(`api/v1/app/${app}/endpoint/${eps[1].id}/`);
    // A deleted endpoint is still listed as a destination.
    expect((await client.get(path)).data).toHaveLength(3);
    const first = await client.get(`${path}?limit=2`);
    expect(ids(first)).toEqual([eps[0].id, eps[1].id]);
    const second = await client.get(`${path}?limit=2&iterator=${first.iterator}`);
    expect(ids(second)).toEqual([eps[2].id]);
    // Backwards from the last endpoint's id.
    const lastId = (await client.get(path)).data.at(-1).id;
    let prev = await client.get(`${path}?limit=1&iterator=-${lastId}`);
    expect(ids(prev)).toEqual([eps[1].id]);
    prev = await client.get(`${path}?limit=1&iterator=${prev.prevIterator}`);
    expect(ids(prev)).toEqual([eps[0].id]);
  });

  it('test_list_attempts_by_endpoint', async () => {
    const { client } = h.server();
    const app = (await createTestApp(client, 'v1AttemptListAttemptsByEndpointTestApp')).id;
    const r1 = await h.receiver();
    const r2 = await h.receiver();
    const ep1 = (await createTestEndpoint(client, app, r1.url)).id;
    const ep2 = (await createTestEndpoint(client, app, r2.url)).id;
    const m1 = await createTestMessage(client, app, { test: 'data1' });
    const m2 = await createTestMessage(client, app, { test: 'data2' });
    const m3 = await createTestMsgWith(client, app, { test: 'data3' }, 'user.exploded', ['obits']);
    for (const ep of [ep1, ep2]) {
      const list = await listOf(client, `api/v1/app/${app}/attempt/endpoint/${ep}/`, 3);
      const messages = list.data.map((a: { msgId: string }) => a.msgId);
      for (const m of [m1, m2, m3]) expect(messages).toContain(m.id);
    }
    const base = `api/v1/app/${app}/attempt/endpoint/${ep2}/`;
    expect((await client.get(`${base}?channel=foo`)).data).toHaveLength(0);
    expect((await client.get(`${base}?channel=obits`)).data).toHaveLength(1);
    expect((await client.get(`${base}?event_types=user.exploded`)).data).toHaveLength(1);
    expect((await client.get(`${base}?event_types[]=event.type`)).data).toHaveLength(2);
    expect(
      (await client.get(`${base}?event_types[0]=event.type&event_types[1]=user.exploded`)).data,
    ).toHaveLength(3);
    expect((await client.get(`${base}?event_types=event.type,user.exploded`)).data).toHaveLength(3);
  });

  it('test_message_attempts', async () => {
    const { client } = h.server();
    // Svix's server-wide schedule of two quick retries, as each endpoint's own.
    for (const [status, msgStatus, count] of [
      [200, 0, 1],
      [403, 2, 3],
      [500, 2, 3],
    ] as const) {
      const app = (await createTestApp(client, 'app')).id;
      const receiver = await h.receiver(status);
      const ep = (await createTestEndpoint(client, app, receiver.url, { retrySchedule: [0, 0] })).id;
      const msg = await createTestMessage(client, app, { test: 'data' });
      const list = await getMsgAttemptListAndAssertCount(client, app, msg.id, count);
      for (const attempt of list.data) {
        expect(attempt.status).toBe(msgStatus);
        expect(attempt.responseStatusCode).toBe(status);
        expect(attempt.endpointId).toBe(ep);
      }
    }
    // A failure without an HTTP answer: nothing listens at the URL.
    const app = (await createTestApp(client, 'app')).id;
    const closed = await h.receiver();
    await closed.close();
    const ep = (await createTestEndpoint(client, app, closed.url, { retrySchedule: [0, 0] })).id;
    const msg = await createTestMessage(client, app, { test: 'data1' });
    const list = await getMsgAttemptListAndAssertCount(client, app, msg.id, 3);
    for (const attempt of list.data) {
      expect(attempt.status).toBe(2);
      expect(attempt.responseStatusCode).toBe(0);
      expect(attempt.endpointId).toBe(ep);
    }
  });

  it('test_message_attempts_empty_retry_schedule', async () => {
    const { client } = h.server();
    const app = (await createTestApp(client, 'app')).id;
    const receiver = await h.receiver(500);
    const ep = (await createTestEndpoint(client, app, receiver.url, { retrySchedule: [] })).id;
    const msg = await createTestMessage(client, app, { test: 'data' });
    const list = await getMsgAttemptListAndAssertCount(client, app, msg.id, 1);
    for (const attempt of list.data) {
      expect(attempt.status).toBe(2);
      expect(attempt.responseStatusCode).toBe(500);
      expect(attempt.endpointId).toBe(ep);
    }
  });

  it('test_combined_before_after_filtering', async () => {
    const { client } = h.server();
    const app = (await createTestApp(client, 'test_app')).id;
    const receiver = await h.receiver();
    const ep = (await createTestEndpoint(client, app, receiver.url)).id;
    const path = `api/v1/app/${app}/attempt/endpoint/${ep}/`;
    await createTestMessage(client, app, { test: 1 });
    await listOf(client, path, 1);
    await sleep(5);
    const ts1 = new Date().toISOString();
    for (let i = 1; i <= 2; i++) await createTestMessage(client, app, { test: i + 1 });
    await listOf(client, path, 3);
    await sleep(5);
    const ts2 = new Date().toISOString();
    for (let i = 1; i <= 3; i++) await createTestMessage(client, app, { test: i + 3 });
    await listOf(client, path, 6);

    let out = await client.get(`${path}?limit=10`);
    expect(out.done).toBe(true);
    expect(out.data).toHaveLength(6);
    out = await client.get(`${path}?limit=10&before=${ts2}&after=${ts1}`);
    expect(out.done).toBe(true);
    expect(out.data).toHaveLength(2);
    // Paging on from there, without the time filters.
    const { prevIterator, iterator } = out;
    out = await client.get(`${path}?iterator=${prevIterator}`);
    expect(out.done).toBe(true);
    expect(out.data).toHaveLength(3);
    out = await client.get(`${path}?iterator=${iterator}`);
    expect(out.done).toBe(true);
    expect(out.data).toHaveLength(1);
  });

  it('test_pagination_by_endpoint', async () => {
    const { client } = h.server();
    const app = (await createTestApp(client, 'app1')).id;
    const eps: string[] = [];
    for (let i = 0; i < 6; i++)
      eps.push((await createTestEndpoint(client, app, (await h.receiver()).url)).id);
    // Svix sleeps 10 ms between messages to keep their attempts' times apart; Herald delivers asynchronously,
    // so each message's attempts are awaited before the next message is sent.
    for (let i = 1; i <= 6; i++) {
      await sleep(10);
      await createTestMessage(client, app, { test: i });
      for (const ep of eps) await listOf(client, `api/v1/app/${app}/attempt/endpoint/${ep}/`, i);
    }
    for (const ep of eps) await checkPaging(client, `api/v1/app/${app}/attempt/endpoint/${ep}/`, 'endpoint');
  });

  it('test_pagination_by_msg', async () => {
    const { client } = h.server();
    const app = (await createTestApp(client, 'app1')).id;
    const eps: string[] = [];
    for (let i = 0; i < 6; i++)
      eps.push((await createTestEndpoint(client, app, (await h.receiver()).url)).id);
    const messages: Json[] = [];
    for (let i = 1; i <= 5; i++) messages.push(await createTestMessage(client, app, { test: i }));
    messages.push(await createTestMsgWith(client, app, { test: 'data6' }, 'balloon.popped', ['news']));
    for (const ep of eps) {
      await listOf(client, `api/v1/app/${app}/attempt/endpoint/${ep}/`, 6);
      expect((await client.get(`api/v1/app/${app}/attempt/endpoint/${ep}/?channel=news`)).data).toHaveLength(
        1,
      );
    }
    for (const msg of messages) await checkPaging(client, `api/v1/app/${app}/attempt/msg/${msg.id}/`, 'msg');
  });

  it('test_pagination_forward_and_back', async () => {
    const { client } = h.server();
    const app = (await createTestApp(client, 'test_app')).id;
    const receiver = await h.receiver();
    const ep = (await createTestEndpoint(client, app, receiver.url)).id;
    for (let i = 1; i <= 28; i++) await createTestMessage(client, app, { test: i });
    const path = `api/v1/app/${app}/attempt/endpoint/${ep}/`;
    await listOf(client, path, 28);
    const forward: Json[] = [];
    let done = false;
    let iterator: string | null = null;
    let prevIterator: string | null = null;
    for (let page = 0; !done && page < 10; page++) {
      const out: Json = await client.get(`${path}?limit=10${iterator ? `&iterator=${iterator}` : ''}`);
      forward.push(...out.data);
      ({ done, iterator, prevIterator } = out);
    }
    expect(forward).toHaveLength(28);
    const backward: Json[] = [];
    done = false;
    for (let page = 0; !done && page < 10; page++) {
      const out: Json = await client.get(
        `${path}?limit=10${prevIterator ? `&iterator=${prevIterator}` : ''}`,
      );
      backward.push(...out.data);
      ({ done, prevIterator } = out);
    }
    // The last page going forward holds eight; going back starts before it.
    expect(backward).toHaveLength(20);
    expect(backward.slice(10, 20)).toEqual(forward.slice(0, 10));
    expect(backward.slice(0, 10)).toEqual(forward.slice(10, 20));
  });
});

/** The paging checks Svix makes of six attempts, by endpoint or by message. */
async function checkPaging(client: SvixClient, path: string, by: 'endpoint' | 'msg'): Promise<void> {
  const all = await client.get(path);
  expect(all.data).toHaveLength(6);
  const firstThree = await client.get(`${path}?limit=3`);
  expect(firstThree.data).toEqual(all.data.slice(0, 3));
  const manual = await client.get(`${path}?limit=3&iterator=${all.data[2].id}`);
  const viaField = await client.get(`${path}?limit=3&iterator=${firstThree.iterator}`);
  expect(manual.data).toEqual(viaField.data);
  expect(manual.data).toEqual(all.data.slice(3, 6));
  expect(manual.done).toBe(true);
  const twoAndThree = await client.get(`${path}?limit=2&iterator=${manual.prevIterator}`);
  expect(twoAndThree.data).toEqual(all.data.slice(1, 3));
  expect(twoAndThree.done).toBe(false);
  const one = await client.get(`${path}?limit=2&iterator=${twoAndThree.prevIterator}`);
  expect(one.data).toEqual([all.data[0]]);
  expect(one.done).toBe(true);
  if (by === 'endpoint') {
    // `after` includes an attempt made at exactly that time; `before` excludes it.
    const after = await client.get(`${path}?after=${all.data[3].timestamp}`);
    expect(after.data).toEqual(all.data.slice(0, 4));
    const before = await client.get(`${path}?before=${all.data[2].timestamp}`);
    expect(before.data).toEqual(all.data.slice(3, 6));
  } else {
    expect((await client.get(`${path}?after=${ms(all.data[5].timestamp, -5)}`)).data).toEqual(all.data);
    expect((await client.get(`${path}?after=${ms(all.data[0].timestamp, 5)}`)).data).toEqual([]);
    expect((await client.get(`${path}?before=${ms(all.data[0].timestamp, 5)}`)).data).toEqual(all.data);
    expect((await client.get(`${path}?before=${ms(all.data[5].timestamp, -5)}`)).data).toEqual([]);
  }
}
