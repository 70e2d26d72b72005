/**
 * Background tasks in the store: a task is running until it ends once; a running task whose heartbeat lapsed is
 * failed as abandoned; ended tasks are pruned. And the replays tasks run: replay-missing adds only the
 * deliveries an endpoint lacks, bulk replay queues only settled ones.
 */
import { expect, it } from 'vitest';
import { ABANDONED_ERROR, DeliveryStatus } from '../../src/store/index.js';
import { newId } from '../../src/util/ids.js';
import { appWithEndpoints, messageOf, send } from './builders.js';
import { describeStore } from './harness.js';

const T0 = 1_700_000_000_000;
const MINUTE = 60_000;

describeStore('store: background tasks', (ctx) => {
  it('keeps a task running until it ends, once, and lists it by application, status and type', async () => {
    const { store } = ctx;
    const { app } = await appWithEndpoints(store, 0);
    const id = newId('task');
    const created = await store.backgroundTaskCreate(
      { id, appId: app.id, task: 'endpoint.recover', params: { since: 1 } },
      'process-a',
      T0,
    );
    expect(created).toMatchObject({ id, status: 'running', data: {}, params: { since: 1 } });
    expect(await store.backgroundTaskEnd(id, 'finished', { messagesSent: 3 }, T0 + 1)).toBe(true);
    expect(await store.backgroundTaskEnd(id, 'failed', { error: 'late' }, T0 + 2)).toBe(false);
    expect(await store.backgroundTaskGet(id)).toMatchObject({
      status: 'finished',
      data: { messagesSent: 3 },
      updatedAt: T0 + 1,
    });
    const page = { limit: 10, order: 'descending' as const };
    const mine = await store.backgroundTaskList({ appId: app.id }, page);
    expect(mine.data.map((task) => task.id)).toEqual([id]);
    expect((await store.backgroundTaskList({ appId: app.id, status: 'running' }, page)).data).toEqual([]);
    expect((await store.backgroundTaskList({ appId: app.id, task: 'endpoint.replay' }, page)).data).toEqual(
      [],
    );
  });

  it('fails the running tasks whose heartbeat lapsed, and prunes ended tasks', async () => {
    const { store } = ctx;
    const [stale, beaten] = [newId('task'), newId('task')];
    for (const id of [stale, beaten])
      await store.backgroundTaskCreate({ id, appId: null, task: 'application.stats', params: {} }, 'p', T0);
    await store.backgroundTaskBeat([beaten], T0 + 5 * MINUTE);
    const failed = await store.backgroundTaskFailAbandoned(T0 + 2 * MINUTE, T0 + 6 * MINUTE);
    expect(failed).toContain(stale);
    expect(failed).not.toContain(beaten);
    expect(await store.backgroundTaskGet(stale)).toMatchObject({
      status: 'failed',
      data: { error: ABANDONED_ERROR },
    });
    // A running task is never pruned; an ended one is once it ended before the cut-off.
    await store.backgroundTaskPrune(T0 + 7 * MINUTE);
    expect(await store.backgroundTaskGet(stale)).toBeUndefined();
    expect(await store.backgroundTaskGet(beaten)).toMatchObject({ status: 'running' });
  });

  it('adds only the deliveries an endpoint lacks, and replays only settled ones', async () => {
    const { store } = ctx;
    const { app, endpoints } = await appWithEndpoints(store, 2);
    const [a, b] = [endpoints[0]!.id, endpoints[1]!.id];
    const both = await send(store, messageOf(app.id), [a, b]);
    const onlyA = await send(store, messageOf(app.id), [a]);
    const window = { appId: app.id, endpointId: b, since: 0 };
    const missing = await store.messageListMissing(window, null, 10);
    expect(missing.map((message) => message.id)).toEqual([onlyA.message.id]);
    expect(await store.deliveryAddMissing(app.id, b, [onlyA.message.id, both.message.id])).toBe(1);
    expect(await store.messageListMissing(window, null, 10)).toEqual([]);
    // Every delivery is pending: nothing settled to replay.
    expect(await store.deliveryReplay({ appId: app.id, endpointId: a, since: 0 })).toBe(0);
    expect(
      await store.deliveryReplay({
        appId: app.id,
        endpointId: a,
        since: 0,
        statuses: [DeliveryStatus.Pending],
      }),
    ).toBe(0);
  });
});
