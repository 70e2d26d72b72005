import { beforeAll, expect, it } from 'vitest';
import { DeliveryStatus, TriggerType, type Attempt, type AttemptFilter } from '../../src/store/index.js';
import { newId } from '../../src/util/ids.js';
import { appWithEndpoints, attemptOf, messageOf, send } from './builders.js';
import { describeStore } from './harness.js';

const ALL = { limit: 100, order: 'ascending' } as const;

describeStore('store: attempts', (ctx) => {
  /** Two endpoints, three messages, and attempts with every kind of outcome. */
  let scene: {
    appId: string;
    otherAppId: string;
    ep1: string;
    ep2: string;
    msgs: { paid: string; created: string; plain: string };
    attempts: Record<'ok' | 'redirect' | 'notFound' | 'error' | 'timeout' | 'retryOk' | 'other', Attempt>;
  };

  beforeAll(async () => {
    const store = ctx.store;
    const { app, endpoints } = await appWithEndpoints(store, 2);
    const [ep1, ep2] = [endpoints[0]!.id, endpoints[1]!.id];
    const paid = await send(store, messageOf(app.id, { eventType: 'invoice.paid', channels: ['a_b'] }), [
      ep1,
      ep2,
    ]);
    const created = await send(store, messageOf(app.id, { eventType: 'user.created', channels: ['Proj'] }), [
      ep1,
    ]);
    const plain = await send(store, messageOf(app.id, { eventType: 'user.deleted', channels: ['axb'] }), [
      ep2,
    ]);
    const delivery = (sent: typeof paid, index = 0) => ({
      id: sent.deliveries[index]!.id,
      appId: app.id,
      msgId: sent.message.id,
      endpointId: sent.deliveries[index]!.endpointId,
    });
    let at = 10_000;
    const make = (target: ReturnType<typeof delivery>, overrides: Partial<Attempt>) => {
      at += 1_000;
      return attemptOf(target, { id: newId('attempt', at), createdAt: at, ...overrides });
    };
    const fail = { status: DeliveryStatus.Fail, errorClass: 'http_status' } as const;
    const attempts = {
      ok: make(delivery(paid, 0), {}),
      redirect: make(delivery(paid, 1), { ...fail, responseStatusCode: 302 }),
      notFound: make(delivery(created), {
        ...fail,
        responseStatusCode: 404,
        responseBody: 'nope',
        requestBody: '<event>created</event>',
      }),
      error: make(delivery(plain), { ...fail, responseStatusCode: 503 }),
      timeout: make(delivery(plain), {
        status: DeliveryStatus.Fail,
        responseStatusCode: 0,
        responseBody: null,
        responseHeaders: null,
        errorClass: 'timeout',
        errorDetail: 'no answer in 15 s',
      }),
      retryOk: make(delivery(plain), { responseStatusCode: 204, triggerType: TriggerType.Manual }),
      other: make(delivery(paid, 0), {}),
    };
    const other = await appWithEndpoints(store, 1);
    const otherMsg = await send(store, messageOf(other.app.id), [other.endpoints[0]!.id]);
    attempts.other = make(
      {
        id: otherMsg.deliveries[0]!.id,
        appId: other.app.id,
        msgId: otherMsg.message.id,
        endpointId: other.endpoints[0]!.id,
      },
      {},
    );
    await store.attemptInsertMany(Object.values(attempts));
    await store.attemptInsertMany([]);
    scene = {
      appId: app.id,
      otherAppId: other.app.id,
      ep1,
      ep2,
      msgs: { paid: paid.message.id, created: created.message.id, plain: plain.message.id },
      attempts,
    };
  });

  async function list(filter: AttemptFilter): Promise<string[]> {
    return (await ctx.store.attemptList(scene.appId, filter, ALL)).data.map((attempt) => attempt.id);
  }
  const ids = (...names: Array<keyof typeof scene.attempts>) => names.map((name) => scene.attempts[name].id);

  it('reads an attempt back as it was written, within its application and message', async () => {
    const { ok, timeout, other } = scene.attempts;
    expect(await ctx.store.attemptGet(scene.appId, ok.msgId, ok.id)).toEqual(ok);
    expect(await ctx.store.attemptGet(scene.appId, timeout.msgId, timeout.id)).toEqual(timeout);
    expect(await ctx.store.attemptGet(scene.otherAppId, ok.msgId, ok.id)).toBeUndefined();
    expect(await ctx.store.attemptGet(scene.appId, scene.msgs.created, ok.id)).toBeUndefined();
    expect(await ctx.store.attemptGet(scene.otherAppId, other.msgId, other.id)).toEqual(other);
  });

  it("lists an application's attempts only, in id order", async () => {
    expect(await list({})).toEqual(ids('ok', 'redirect', 'notFound', 'error', 'timeout', 'retryOk'));
  });

  it('filters attempts by endpoint and by message', async () => {
    expect(await list({ endpointId: scene.ep1 })).toEqual(ids('ok', 'notFound'));
    expect(await list({ endpointId: scene.ep2 })).toEqual(ids('redirect', 'error', 'timeout', 'retryOk'));
    expect(await list({ msgId: scene.msgs.paid })).toEqual(ids('ok', 'redirect'));
    expect(await list({ msgId: scene.msgs.plain, endpointId: scene.ep2 })).toEqual(
      ids('error', 'timeout', 'retryOk'),
    );
  });

  it('filters attempts by status and by status code class', async () => {
    expect(await list({ status: DeliveryStatus.Success })).toEqual(ids('ok', 'retryOk'));
    expect(await list({ status: DeliveryStatus.Fail })).toEqual(
      ids('redirect', 'notFound', 'error', 'timeout'),
    );
    expect(await list({ statusCodeClass: 200 })).toEqual(ids('ok', 'retryOk'));
    expect(await list({ statusCodeClass: 300 })).toEqual(ids('redirect'));
    expect(await list({ statusCodeClass: 400 })).toEqual(ids('notFound'));
    expect(await list({ statusCodeClass: 500 })).toEqual(ids('error'));
    expect(await list({ statusCodeClass: 0 })).toEqual(ids('timeout'));
  });

  it("filters attempts by their message's event type and exact channel", async () => {
    expect(await list({ eventTypes: ['user.created', 'user.deleted'] })).toEqual(
      ids('notFound', 'error', 'timeout', 'retryOk'),
    );
    expect(await list({ channel: 'a_b' })).toEqual(ids('ok', 'redirect'));
    expect(await list({ channel: 'axb' })).toEqual(ids('error', 'timeout', 'retryOk'));
    expect(await list({ channel: 'proj' })).toEqual([]);
    expect(await list({ channel: 'Proj', eventTypes: ['user.created'] })).toEqual(ids('notFound'));
    expect(await list({ channel: 'Proj', eventTypes: ['invoice.paid'] })).toEqual([]);
  });

  it('filters attempts by creation time, `after` inclusive and `before` exclusive (as in Svix)', async () => {
    const { notFound, timeout } = scene.attempts;
    expect(await list({ after: notFound.createdAt, before: timeout.createdAt })).toEqual(
      ids('notFound', 'error'),
    );
    expect(await list({ after: notFound.createdAt + 1, before: timeout.createdAt })).toEqual(ids('error'));
  });

  it("expunges an attempt's request and response bodies within its application and message only", async () => {
    const { notFound } = scene.attempts;
    expect(await ctx.store.attemptExpungeContent(scene.otherAppId, notFound.msgId, notFound.id)).toBe(false);
    expect(await ctx.store.attemptExpungeContent(scene.appId, scene.msgs.paid, notFound.id)).toBe(false);
    expect((await ctx.store.attemptGet(scene.appId, notFound.msgId, notFound.id))?.responseBody).toBe('nope');
    expect(await ctx.store.attemptExpungeContent(scene.appId, notFound.msgId, notFound.id)).toBe(true);
    expect(await ctx.store.attemptGet(scene.appId, notFound.msgId, notFound.id)).toEqual({
      ...notFound,
      responseBody: null,
      requestBody: null,
    });
  });
});
