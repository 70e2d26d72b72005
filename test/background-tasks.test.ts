/**
 * Background tasks through the official `svix` SDK against a real Herald on 127.0.0.1, on SQLite and
 * PostgreSQL: each operation that starts a task answers 202 with a `qtask_…`, the task runs to `finished`, and
 * its effect is real (deliveries arrive at a real receiver, contents are gone, counts are right).
 */
import pino from 'pino';
import { BackgroundTaskStatus, BackgroundTaskType, Svix } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskReaper } from '../src/services/task-reaper.js';
import { apiError, settled } from './helpers/sdk.js';
import { HERALD_STORES, startTestHerald, type RunningHerald } from './helpers/herald.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `probe` holds, for at most about ten seconds. */
async function until(probe: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await probe()) return;
    await pause(50);
  }
  throw new Error('the condition never held');
}

for (const store of HERALD_STORES) {
  describe.skipIf(store.skip)(`background tasks (${store.dialect})`, { timeout: 60_000 }, () => {
    let h: RunningHerald;
    let svix: Svix;
    const receivers: Receiver[] = [];

    beforeAll(async () => {
      h = await startTestHerald({}, { postgres: store.postgres });
      svix = new Svix(h.token, { serverUrl: h.url, retryScheduleInMs: [] });
    });
    afterAll(async () => {
      await Promise.all(receivers.map((receiver) => receiver.close()));
      await h?.close();
    });

    const receiver = async () => {
      const started = await startReceiver();
      receivers.push(started);
      return started;
    };
    const since = () => new Date(Date.now() - 60_000);
    /** Endpoint filters name event types of the catalogue. */
    const eventType = (name: string) => svix.eventType.create({ name, description: name });

    it('recover resends the failed messages and the task reports how many', async () => {
      const app = await svix.application.create({ name: 'recover' });
      const hook = await receiver();
      hook.answer(() => ({ status: 500 }));
      // No retries, so that each delivery fails at its first attempt (the SDK has no retrySchedule field).
      const created = await h.call('POST', `/app/${app.id}/endpoint`, {
        url: `${hook.url}/r`,
        retrySchedule: [],
      });
      expect(created.status).toBe(201);
      const ep = created.body as { id: string };
      await svix.message.create(app.id, { eventType: 'a.b', payload: { n: 1 } });
      await svix.message.create(app.id, { eventType: 'a.b', payload: { n: 2 } });
      await hook.waitFor(2);
      // Both deliveries give up after their one attempt.
      await until(async () => (await svix.endpoint.getStats(app.id, ep.id)).fail === 2);
      hook.answer(() => ({ status: 200, body: 'ok' }));
      const accepted = await svix.endpoint.recover(app.id, ep.id, { since: since() });
      expect(accepted.id).toMatch(/^qtask_/);
      expect(accepted.task).toBe('endpoint.recover');
      const task = await settled(svix, accepted.id);
      expect(task).toMatchObject({ status: 'finished', task: 'endpoint.recover', data: { messagesSent: 2 } });
      await hook.waitFor(4);
      const bodies = hook.received.slice(2).map((request) => JSON.parse(request.body).n);
      expect(bodies.sort()).toEqual([1, 2]);
    });

    it('recover refuses an until before since, naming the field', async () => {
      const app = await svix.application.create({ name: 'recover-422' });
      const ep = await svix.endpoint.create(app.id, { url: 'http://127.0.0.1:9/x' });
      const error = await apiError(() =>
        svix.endpoint.recover(app.id, ep.id, { since: new Date(), until: new Date(Date.now() - 1000) }),
      );
      expect(error.code).toBe(422);
      expect(JSON.stringify(error.body)).toContain('until');
    });

    it('replay-missing sends the messages an endpoint never had, as its filter selects them', async () => {
      const app = await svix.application.create({ name: 'replay-missing' });
      // Sent before any endpoint existed: stored, delivered nowhere.
      await svix.message.create(app.id, { eventType: 'wanted', payload: { n: 1 } });
      await svix.message.create(app.id, { eventType: 'unwanted', payload: { n: 2 } });
      await svix.message.create(app.id, { eventType: 'wanted', payload: { n: 3 } });
      const hook = await receiver();
      await eventType('wanted');
      const ep = await svix.endpoint.create(app.id, { url: `${hook.url}/m`, filterTypes: ['wanted'] });
      const accepted = await svix.endpoint.replayMissing(app.id, ep.id, { since: since() });
      expect(accepted.task).toBe('endpoint.replay');
      const task = await settled(svix, accepted.id);
      expect(task).toMatchObject({ status: 'finished', data: { messagesSent: 2 } });
      const received = await hook.waitFor(2);
      expect(received.map((request) => JSON.parse(request.body).n).sort()).toEqual([1, 3]);
      // What it has had is not sent again.
      const again = await settled(
        svix,
        (await svix.endpoint.replayMissing(app.id, ep.id, { since: since() })).id,
      );
      expect(again.data).toEqual({ messagesSent: 0 });
    });

    it('bulk-replay sends again what the endpoint had, with its filters', async () => {
      const app = await svix.application.create({ name: 'bulk-replay' });
      const hook = await receiver();
      const ep = await svix.endpoint.create(app.id, { url: `${hook.url}/b` });
      await svix.message.create(app.id, { eventType: 'one', payload: { n: 1 } });
      await svix.message.create(app.id, { eventType: 'two', payload: { n: 2 } });
      await hook.waitFor(2);
      await until(async () => (await svix.endpoint.getStats(app.id, ep.id)).success === 2);
      const accepted = await svix.endpoint.bulkReplay(app.id, ep.id, { since: since(), eventTypes: ['two'] });
      expect(accepted.task).toBe('endpoint.bulk-replay');
      expect(await settled(svix, accepted.id)).toMatchObject({
        status: 'finished',
        data: { messagesSent: 1 },
      });
      const received = await hook.waitFor(3);
      expect(JSON.parse(received[2]!.body).n).toBe(2);
      const tagged = await apiError(() =>
        svix.endpoint.bulkReplay(app.id, ep.id, { since: since(), tag: 'project' }),
      );
      expect(tagged.code).toBe(422);
      expect(JSON.stringify(tagged.body)).toContain('tag');
    });

    it('expunge-all-contents removes every payload of the application only', async () => {
      const app = await svix.application.create({ name: 'purge' });
      const other = await svix.application.create({ name: 'purge-other' });
      const msgs = [
        await svix.message.create(app.id, { eventType: 'x', payload: { secret: 1 } }),
        await svix.message.create(app.id, { eventType: 'x', payload: { secret: 2 } }),
      ];
      const kept = await svix.message.create(other.id, { eventType: 'x', payload: { secret: 3 } });
      const accepted = await svix.message.expungeAllContents(app.id);
      expect(accepted.task).toBe('application.purge_content');
      expect(await settled(svix, accepted.id)).toMatchObject({
        status: 'finished',
        data: { messagesPurged: 2 },
      });
      for (const msg of msgs)
        expect(JSON.stringify((await svix.message.get(app.id, msg.id)).payload)).not.toContain('secret');
      expect((await svix.message.get(other.id, kept.id)).payload).toEqual({ secret: 3 });
    });

    it('aggregates message destinations per application and the event types subscribed to', async () => {
      const app = await svix.application.create({ name: 'stats', uid: `stats-${store.dialect}` });
      await eventType('a.one');
      await eventType('b.two');
      await svix.endpoint.create(app.id, { url: 'http://127.0.0.1:9/s1', filterTypes: ['b.two', 'a.one'] });
      await svix.endpoint.create(app.id, { url: 'http://127.0.0.1:9/s2' });
      await svix.message.create(app.id, { eventType: 'a.one', payload: {} });
      await svix.message.create(app.id, { eventType: 'c.three', payload: {} });
      const accepted = await svix.statistics.aggregateAppStats({
        since: since(),
        until: new Date(Date.now() + 60_000),
        appIds: [app.uid!, 'no-such-app'],
      });
      expect(accepted.unresolvedAppIds).toEqual(['no-such-app']);
      expect(await settled(svix, accepted.id)).toMatchObject({
        status: 'finished',
        task: 'application.stats',
        data: { appStats: [{ appId: app.id, appUid: app.uid, messageDestinations: 3 }] },
      });
      const none = await apiError(() =>
        svix.statistics.aggregateAppStats({ since: since(), until: new Date(), appIds: ['no-such-app'] }),
      );
      expect(none.code).toBe(422);
      expect(JSON.stringify(none.body)).toContain('appIds');

      const types = await settled(svix, (await svix.statistics.aggregateEventTypes()).id);
      expect(types.task).toBe('event-type.aggregate');
      expect((types.data as { event_types: unknown[] }).event_types).toContainEqual({
        appId: app.id,
        explicitlySubscribedEventTypes: ['a.one', 'b.two'],
        hasCatchAllEndpoint: true,
      });
    });

    it('lists tasks with filters, and an application key sees only its own', async () => {
      const app = await svix.application.create({ name: 'tasks-mine' });
      const theirs = await svix.application.create({ name: 'tasks-theirs' });
      const mine = await settled(svix, (await svix.message.expungeAllContents(app.id)).id);
      const other = await settled(svix, (await svix.message.expungeAllContents(theirs.id)).id);
      const all = await svix.backgroundTask.list({
        task: BackgroundTaskType.ApplicationPurgeContent,
        limit: 250,
      });
      expect(all.data.map((task) => task.id)).toEqual(expect.arrayContaining([mine.id, other.id]));
      expect(all.data.every((task) => task.task === 'application.purge_content')).toBe(true);
      const page = await svix.backgroundTask.list({ limit: 1 });
      expect(page.data).toHaveLength(1);
      expect(page.done).toBe(false);
      const next = await svix.backgroundTask.list({ limit: 1, iterator: page.iterator });
      expect(next.data[0]!.id < page.data[0]!.id).toBe(true);
      expect((await svix.backgroundTask.list({ status: BackgroundTaskStatus.Running })).data).toEqual([]);

      const key = await h.call('POST', '/api-key', { name: 'app key', appId: app.id });
      expect(key.status).toBe(201);
      const appSvix = new Svix(key.body.token, { serverUrl: h.url, retryScheduleInMs: [] });
      const seen = await appSvix.backgroundTask.list({ limit: 250 });
      expect(seen.data.map((task) => task.id)).toEqual([mine.id]);
      expect((await appSvix.backgroundTask.get(mine.id)).status).toBe('finished');
      expect((await apiError(() => appSvix.backgroundTask.get(other.id))).code).toBe(404);
      expect((await apiError(() => appSvix.statistics.aggregateEventTypes())).code).toBe(403);
    });

    it('a task whose process stopped is marked failed, and ended tasks are pruned after 90 days', async () => {
      const longAgo = Date.now() - 10 * 60_000;
      const task = await h.herald.store.backgroundTaskCreate(
        {
          id: `qtask_${'0'.repeat(10)}ABANDONED${store.dialect.toUpperCase()}`,
          appId: null,
          task: 'endpoint.recover',
          params: {},
        },
        'a-process-that-died',
        longAgo,
      );
      await taskReaper(h.herald.store, pino({ level: 'silent' })).run(Date.now());
      const failed = await svix.backgroundTask.get(task.id);
      expect(failed.status).toBe('failed');
      expect(JSON.stringify(failed.data)).toContain('stopped');
      await taskReaper(h.herald.store, pino({ level: 'silent' })).run(Date.now() + 91 * 86_400_000);
      expect((await apiError(() => svix.backgroundTask.get(task.id))).code).toBe(404);
    });
  });
}
