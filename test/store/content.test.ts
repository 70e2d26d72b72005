/** Retention: old messages lose their payload and old attempts their bodies; every record stays. */
import { expect, it } from 'vitest';
import { appWithEndpoints, attemptOf, claimAll, idAt, messageOf, send } from './builders.js';
import { newId } from '../../src/util/ids.js';
import { describeStore } from './harness.js';

const ALL = { limit: 100, order: 'ascending' } as const;

describeStore('store: pruning old content', (ctx) => {
  const BEFORE = 1_700_000_000_000;
  const DAY = 86_400_000;

  it('removes the payloads and response bodies created before the cut-off, chunk by chunk', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 1);
    const ep = endpoints[0]!.id;
    const message = async (createdAt: number, payload: { n: number } | null = { n: createdAt }) =>
      (await send(store, messageOf(app.id, { id: idAt('message', createdAt), createdAt, payload }), [ep]))
        .message;
    const old = [];
    for (const at of [BEFORE - 5 * DAY, BEFORE - 4 * DAY, BEFORE - 3 * DAY, BEFORE - DAY, BEFORE - 1])
      old.push(await message(at));
    const expunged = await message(BEFORE - 2 * DAY, null);
    const kept = [await message(BEFORE), await message(BEFORE + DAY)];

    const deliveries = new Map<string, string>();
    for (const msg of [...old, expunged, ...kept])
      deliveries.set(msg.id, (await store.deliveryListByMessage(msg.id, ALL)).data[0]!.id);
    const attempt = (
      msg: { id: string },
      createdAt: number,
      responseBody: string | null = 'body',
      requestBody: string | null = null,
    ) =>
      attemptOf(
        { id: deliveries.get(msg.id)!, appId: app.id, msgId: msg.id, endpointId: ep },
        { id: idAt('attempt', createdAt), createdAt, responseBody, requestBody },
      );
    const oldAttempts = old.slice(0, 4).map((msg) => attempt(msg, msg.createdAt + 10));
    // A templated body sent, no response body (a timeout): its request body goes too.
    const sentOnly = attempt(old[3]!, BEFORE - 2_000, null, '<xml/>');
    const bodiless = attempt(old[4]!, BEFORE - 1_000, null);
    const newAttempts = [attempt(old[4]!, BEFORE), attempt(kept[1]!, BEFORE + DAY)];
    await store.attemptInsertMany([...oldAttempts, sentOnly, bodiless, ...newAttempts]);

    // Five message payloads in chunks of 2, 2, 1; five attempts with content in 2, 2, 1.
    expect(await store.contentPrune(BEFORE, 2)).toEqual({ messages: 5, attempts: 5 });
    for (const msg of old) expect(await store.messageGet(app.id, msg.id)).toEqual({ ...msg, payload: null });
    for (const msg of [expunged, ...kept]) expect(await store.messageGet(app.id, msg.id)).toEqual(msg);
    const attempts = new Map((await store.attemptList(app.id, {}, ALL)).data.map((a) => [a.id, a]));
    for (const a of [...oldAttempts, sentOnly, bodiless])
      expect(attempts.get(a.id)).toEqual({ ...a, responseBody: null, requestBody: null });
    for (const a of newAttempts) expect(attempts.get(a.id)).toEqual(a);
    // Only content goes: every delivery is still there.
    for (const id of deliveries.values()) expect(await store.deliveryGet(id)).toBeDefined();

    expect(await store.contentPrune(BEFORE, 2)).toEqual({ messages: 0, attempts: 0 });
    expect(await store.contentPrune(BEFORE + 2 * DAY)).toEqual({ messages: 2, attempts: 2 });
  });

  it('removes payloads past their own expiry once no delivery of theirs is pending, chunk by chunk', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 1);
    const ep = endpoints[0]!.id;
    const create = async (payloadExpiresAt: number | null, endpointIds: string[] = []) => {
      const message = messageOf(app.id, { payload: { secret: 'pii' } });
      await store.messageCreate({
        message,
        deliveries: endpointIds.map((endpointId) => ({ id: newId('delivery'), endpointId })),
        payloadExpiresAt,
      });
      return message;
    };
    const settled = [await create(BEFORE - 2), await create(BEFORE - 1), await create(BEFORE)];
    const later = await create(BEFORE + DAY);
    const never = await create(null);
    const pending = await create(BEFORE - 1, [ep]);
    const pendingDelivery = (await store.deliveryListByMessage(pending.id, ALL)).data[0]!;
    const sent = attemptOf(
      { id: pendingDelivery.id, appId: app.id, msgId: pending.id, endpointId: ep },
      { requestBody: '<xml/>', responseBody: 'ok' },
    );
    await store.attemptInsertMany([sent]);

    expect(await store.contentPruneExpired(BEFORE, 2)).toBe(3);
    for (const msg of settled) expect((await store.messageGet(app.id, msg.id))!.payload).toBeNull();
    for (const msg of [later, never, pending]) expect(await store.messageGet(app.id, msg.id)).toEqual(msg);
    expect(await store.contentPruneExpired(BEFORE, 2)).toBe(0);

    // Once its delivery is settled, the pending one goes too, with the body its attempt sent.
    expect((await claimAll(store, { now: Date.now() + DAY, worker: 'settler' })).map((d) => d.id)).toEqual([
      pendingDelivery.id,
    ]);
    await store.deliveryRecordResults(
      'settler',
      [{ id: pendingDelivery.id, status: 0, attemptCount: 1, nextAttemptAt: null, lastAttemptAt: BEFORE }],
      [],
      BEFORE,
    );
    expect(await store.contentPruneExpired(BEFORE)).toBe(1);
    expect((await store.messageGet(app.id, pending.id))!.payload).toBeNull();
    const [attempt] = (await store.attemptList(app.id, {}, ALL)).data;
    expect(attempt).toMatchObject({ requestBody: null, responseBody: 'ok' });
  });
});
