import { expect, it } from 'vitest';
import { DeliveryStatus, type Store } from '../../src/store/index.js';
import { newId } from '../../src/util/ids.js';
import { appInsert, appWithEndpoints, attemptOf, messageOf, send } from './builders.js';
import { describeStore } from './harness.js';

const ALL = { limit: 100, order: 'ascending' } as const;

describeStore('store: messages and deliveries', (ctx) => {
  it('inserts a message with one pending delivery per endpoint', async () => {
    const { app, endpoints } = await appWithEndpoints(ctx.store, 2);
    const message = messageOf(app.id, { channels: ['project_1'], createdAt: 5_000 });
    const result = await send(ctx.store, message, [endpoints[0]!.id, endpoints[1]!.id]);
    expect(result).toMatchObject({ message, created: true });
    expect(await ctx.store.messageGet(app.id, message.id)).toEqual(message);

    const deliveries = (await ctx.store.deliveryListByMessage(message.id, ALL)).data;
    expect(deliveries.map((delivery) => delivery.id)).toEqual(result.deliveries.map((d) => d.id));
    expect(deliveries.map((delivery) => delivery.endpointId)).toEqual(
      endpoints.map((endpoint) => endpoint.id),
    );
    for (const delivery of deliveries)
      expect(delivery).toMatchObject({
        appId: app.id,
        msgId: message.id,
        status: DeliveryStatus.Pending,
        attemptCount: 0,
        nextAttemptAt: 5_000,
        leaseExpiresAt: null,
        leasedBy: null,
        lastAttemptAt: null,
      });
  });

  it('stores a message that no endpoint wants, with no deliveries', async () => {
    const app = await ctx.store.applicationCreate(appInsert());
    const { message, created } = await send(ctx.store, messageOf(app.id), []);
    expect(created).toBe(true);
    expect(await ctx.store.messageGet(app.id, message.id)).toEqual(message);
    expect((await ctx.store.deliveryListByMessage(message.id, ALL)).data).toEqual([]);
  });

  it('writes nothing when one delivery cannot be inserted', async () => {
    const { app, endpoints } = await appWithEndpoints(ctx.store, 1);
    const message = messageOf(app.id);
    const insert = send(ctx.store, message, [endpoints[0]!.id, 'ep_does_not_exist']);
    await expect(insert).rejects.toThrow();
    expect(await ctx.store.messageGet(app.id, message.id)).toBeUndefined();
    expect((await ctx.store.deliveryListByEndpoint(endpoints[0]!.id, {}, ALL)).data).toEqual([]);
  });

  it('returns the original message for a repeated eventId and creates no second delivery', async () => {
    const { app, endpoints } = await appWithEndpoints(ctx.store, 1);
    const first = await send(ctx.store, messageOf(app.id, { eventId: 'evt-1' }), [endpoints[0]!.id]);
    const again = await send(ctx.store, messageOf(app.id, { eventId: 'evt-1', payload: { other: true } }), [
      endpoints[0]!.id,
    ]);
    expect(again.created).toBe(false);
    expect(again.message).toEqual(first.message);
    expect(await ctx.store.messageGet(app.id, again.deliveries[0]!.id)).toBeUndefined();
    const deliveries = (await ctx.store.deliveryListByEndpoint(endpoints[0]!.id, {}, ALL)).data;
    expect(deliveries.map((delivery) => delivery.id)).toEqual([first.deliveries[0]!.id]);
    expect((await ctx.store.messageList(app.id, {}, ALL)).data).toEqual([first.message]);
  });

  it('creates exactly one message when the same eventId arrives twice at once', async () => {
    const { app, endpoints } = await appWithEndpoints(ctx.store, 1);
    // Open the pool's connections first, so the requests really overlap instead of queueing on a connect.
    await Promise.all(Array.from({ length: 8 }, () => ctx.store.ping()));
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        send(ctx.store, messageOf(app.id, { eventId: 'evt-race' }), [endpoints[0]!.id]),
      ),
    );
    expect(results.filter((result) => result.created)).toHaveLength(1);
    const ids = new Set(results.map((result) => result.message.id));
    expect(ids.size).toBe(1);
    expect((await ctx.store.messageList(app.id, {}, ALL)).data).toHaveLength(1);
    expect((await ctx.store.deliveryListByEndpoint(endpoints[0]!.id, {}, ALL)).data).toHaveLength(1);
  });

  it('writes a batch in one go: every character kept, a repeated eventId within it created once', async () => {
    const { app, endpoints } = await appWithEndpoints(ctx.store, 2);
    const awkward = 'quote " backslash \\ braces {} comma , NULL null 日本語 🚀 \u0001';
    const inputs = Array.from({ length: 1200 }, (_, i) => ({
      message: messageOf(app.id, {
        eventId: i === 1199 ? 'evt-"400"' : i % 400 === 0 ? `evt-"${i}"` : null,
        payload: { i, text: awkward, nested: { list: [awkward, null, { '{}': ',' }] } },
        channels: i % 2 === 0 ? [`ch-{${i}}`, 'ch,"2"'] : null,
        createdAt: 7_000 + i,
      }),
      deliveries: endpoints.map((endpoint) => ({ id: newId('delivery'), endpointId: endpoint.id })),
    }));
    const results = await ctx.store.messageCreateMany(inputs);
    expect(results).toHaveLength(1200);
    // The last message repeats the eventId of the 400th: it is answered with that one and creates nothing.
    expect(results[1199]).toEqual({ message: inputs[400]!.message, created: false });
    expect(await ctx.store.messageGet(app.id, inputs[1199]!.message.id)).toBeUndefined();
    expect((await ctx.store.deliveryListByMessage(inputs[1199]!.message.id, ALL)).data).toEqual([]);
    for (const [i, result] of results.entries()) {
      if (i === 1199) continue;
      expect(result).toEqual({ message: inputs[i]!.message, created: true });
    }
    for (const i of [0, 1, 400, 799, 1198]) {
      expect(await ctx.store.messageGet(app.id, inputs[i]!.message.id)).toEqual(inputs[i]!.message);
      const deliveries = (await ctx.store.deliveryListByMessage(inputs[i]!.message.id, ALL)).data;
      expect(deliveries.map((delivery) => delivery.id).sort()).toEqual(
        inputs[i]!.deliveries.map((delivery) => delivery.id).sort(),
      );
      expect(deliveries.every((delivery) => delivery.nextAttemptAt === 7_000 + i)).toBe(true);
    }
  });

  it('allows the same eventId in two applications', async () => {
    const a = await ctx.store.applicationCreate(appInsert());
    const b = await ctx.store.applicationCreate(appInsert());
    const inA = await send(ctx.store, messageOf(a.id, { eventId: 'shared' }), []);
    const inB = await send(ctx.store, messageOf(b.id, { eventId: 'shared' }), []);
    expect([inA.created, inB.created]).toEqual([true, true]);
    expect((await ctx.store.messageGet(a.id, 'shared'))?.id).toBe(inA.message.id);
    expect((await ctx.store.messageGet(b.id, 'shared'))?.id).toBe(inB.message.id);
  });

  it('finds a message by id or eventId within its application only', async () => {
    const app = await ctx.store.applicationCreate(appInsert());
    const other = await ctx.store.applicationCreate(appInsert());
    const { message } = await send(ctx.store, messageOf(app.id, { eventId: 'order-7' }), []);
    expect(await ctx.store.messageGet(app.id, message.id)).toEqual(message);
    expect(await ctx.store.messageGet(app.id, 'order-7')).toEqual(message);
    expect(await ctx.store.messageGet(other.id, message.id)).toBeUndefined();
    expect(await ctx.store.messageGet(other.id, 'order-7')).toBeUndefined();
    const many = await ctx.store.messageGetMany([message.id, 'msg_missing']);
    expect([...many.values()]).toEqual([message]);
  });

  it('expunges a message payload, and the shaped copies its attempts sent, and keeps the rest', async () => {
    const { app, endpoints } = await appWithEndpoints(ctx.store, 1);
    const other = await ctx.store.applicationCreate(appInsert());
    const { message, deliveries } = await send(
      ctx.store,
      messageOf(app.id, { payload: { secret: 's3cret' } }),
      [endpoints[0]!.id],
    );
    const attempt = attemptOf(
      { id: deliveries[0]!.id, appId: app.id, msgId: message.id, endpointId: endpoints[0]!.id },
      { requestBody: '<secret>s3cret</secret>', responseBody: 'ok' },
    );
    await ctx.store.attemptInsertMany([attempt]);
    expect(await ctx.store.messageExpungeContent(other.id, message.id)).toBe(false);
    expect((await ctx.store.messageGet(app.id, message.id))?.payload).toEqual({ secret: 's3cret' });
    expect((await ctx.store.attemptGet(app.id, message.id, attempt.id))?.requestBody).toBe(
      '<secret>s3cret</secret>',
    );
    expect(await ctx.store.messageExpungeContent(app.id, message.id)).toBe(true);
    expect(await ctx.store.messageGet(app.id, message.id)).toEqual({ ...message, payload: null });
    expect(await ctx.store.attemptGet(app.id, message.id, attempt.id)).toEqual({
      ...attempt,
      requestBody: null,
    });
    expect(await ctx.store.messageExpungeContent(app.id, 'msg_missing')).toBe(false);
  });
});

describeStore('store: message and delivery filters', (ctx) => {
  async function scene(store: Store) {
    const { app, endpoints } = await appWithEndpoints(store, 2);
    const [ep1, ep2] = [endpoints[0]!.id, endpoints[1]!.id];
    const make = async (eventType: string, channels: string[] | null, createdAt: number, to = [ep1]) =>
      (
        await send(
          store,
          messageOf(app.id, { id: newId('message', createdAt), eventType, channels, createdAt }),
          to,
        )
      ).message.id;
    const msgs = {
      underscore: await make('invoice.paid', ['a_b'], 1_000, [ep1, ep2]),
      lookalike: await make('invoice.paid', ['axb'], 2_000),
      upper: await make('user.created', ['Proj'], 3_000, [ep1, ep2]),
      two: await make('user.created', ['x', 'proj'], 4_000),
      none: await make('user.deleted', null, 5_000),
    };
    return { app, ep1, ep2, msgs };
  }

  it('filters messages by event type', async () => {
    const { app, msgs } = await scene(ctx.store);
    const list = async (eventTypes: string[]) =>
      (await ctx.store.messageList(app.id, { eventTypes }, ALL)).data.map((message) => message.id);
    expect(await list(['invoice.paid'])).toEqual([msgs.underscore, msgs.lookalike]);
    expect(await list(['user.created', 'user.deleted'])).toEqual([msgs.upper, msgs.two, msgs.none]);
    expect(await list([])).toHaveLength(5);
    expect(await list(['nothing.here'])).toEqual([]);
  });

  it('filters messages by exact, case-sensitive channel', async () => {
    const { app, msgs } = await scene(ctx.store);
    const list = async (channel: string) =>
      (await ctx.store.messageList(app.id, { channel }, ALL)).data.map((message) => message.id);
    expect(await list('a_b')).toEqual([msgs.underscore]);
    expect(await list('axb')).toEqual([msgs.lookalike]);
    expect(await list('a')).toEqual([]);
    expect(await list('a%')).toEqual([]);
    expect(await list('Proj')).toEqual([msgs.upper]);
    expect(await list('proj')).toEqual([msgs.two]);
    expect(await list('PROJ')).toEqual([]);
    expect(await list('x')).toEqual([msgs.two]);
  });

  it('filters messages by creation time, before exclusive and after inclusive (as in Svix)', async () => {
    const { app, msgs } = await scene(ctx.store);
    const list = async (filter: { before?: number; after?: number }) =>
      (await ctx.store.messageList(app.id, filter, ALL)).data.map((message) => message.id);
    expect(await list({ before: 3_000 })).toEqual([msgs.underscore, msgs.lookalike]);
    expect(await list({ after: 3_000 })).toEqual([msgs.upper, msgs.two, msgs.none]);
    expect(await list({ after: 1_001, before: 4_000 })).toEqual([msgs.lookalike, msgs.upper]);
  });

  it('combines message filters and keeps to the application', async () => {
    const { app, msgs } = await scene(ctx.store);
    await scene(ctx.store);
    const data = (await ctx.store.messageList(app.id, { eventTypes: ['user.created'], channel: 'Proj' }, ALL))
      .data;
    expect(data.map((message) => message.id)).toEqual([msgs.upper]);
    expect((await ctx.store.messageList(app.id, {}, ALL)).data).toHaveLength(5);
  });

  it("lists an endpoint's deliveries, filtered by their message and status", async () => {
    const { ep1, ep2, msgs } = await scene(ctx.store);
    const list = async (endpointId: string, filter: Parameters<Store['deliveryListByEndpoint']>[1]) =>
      (await ctx.store.deliveryListByEndpoint(endpointId, filter, ALL)).data.map(
        (delivery) => delivery.msgId,
      );
    expect(await list(ep1, {})).toEqual([msgs.underscore, msgs.lookalike, msgs.upper, msgs.two, msgs.none]);
    expect(await list(ep2, {})).toEqual([msgs.underscore, msgs.upper]);
    expect(await list(ep1, { eventTypes: ['user.created'] })).toEqual([msgs.upper, msgs.two]);
    expect(await list(ep1, { channel: 'a_b' })).toEqual([msgs.underscore]);
    expect(await list(ep1, { channel: 'proj' })).toEqual([msgs.two]);
    expect(await list(ep2, { channel: 'proj' })).toEqual([]);
    expect(await list(ep1, { status: DeliveryStatus.Pending })).toHaveLength(5);
    expect(await list(ep1, { status: DeliveryStatus.Success })).toEqual([]);
  });

  it("lists a message's deliveries", async () => {
    const { ep1, ep2, msgs } = await scene(ctx.store);
    const deliveries = (await ctx.store.deliveryListByMessage(msgs.upper, ALL)).data;
    expect(deliveries.map((delivery) => delivery.endpointId).sort()).toEqual([ep1, ep2].sort());
    expect((await ctx.store.deliveryListByMessage(msgs.two, ALL)).data).toHaveLength(1);
    expect((await ctx.store.deliveryListByMessage('msg_missing', ALL)).data).toEqual([]);
  });
});
