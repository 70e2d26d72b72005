/**
 * Svix's bulk-expunge, broadcast and event-type OpenAPI export against a real Herald on 127.0.0.1, on SQLite
 * and PostgreSQL. The `svix` SDK has none of the three calls, so they go over HTTP as Svix's document has them;
 * everything around them (applications, endpoints, messages, tasks, the import) goes through the SDK.
 */
import { Svix } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settled } from './helpers/sdk.js';
import { HERALD_STORES, startTestHerald, type RunningHerald } from './helpers/herald.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

for (const store of HERALD_STORES) {
  describe.skipIf(store.skip)(`bulk message operations (${store.dialect})`, { timeout: 60_000 }, () => {
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

    it('bulk-expunge removes the payloads named and says which ids it did not find', async () => {
      const app = await svix.application.create({ name: 'bulk-expunge' });
      const first = await svix.message.create(app.id, { eventType: 'a.b', payload: { n: 1 } });
      await svix.message.create(app.id, { eventType: 'a.b', eventId: 'evt-2', payload: { n: 2 } });
      const kept = await svix.message.create(app.id, { eventType: 'a.b', payload: { n: 3 } });
      const answer = await h.call('POST', `/app/${app.id}/msg/bulk-expunge`, {
        ids: [first.id, 'evt-2', 'msg_missing'],
      });
      expect(answer).toEqual({
        status: 200,
        body: { results: { [first.id]: 'expunged', 'evt-2': 'expunged', msg_missing: 'not-found' } },
      });
      expect((await svix.message.get(app.id, first.id)).payload).toEqual({ expired: true });
      expect((await svix.message.get(app.id, 'evt-2')).payload).toEqual({ expired: true });
      expect((await svix.message.get(app.id, kept.id)).payload).toEqual({ n: 3 });
      // No ids is nothing to do; an id that is not a message id is Svix's 422 naming the field.
      expect(await h.call('POST', `/app/${app.id}/msg/bulk-expunge`, {})).toEqual({
        status: 200,
        body: { results: {} },
      });
      const bad = await h.call('POST', `/app/${app.id}/msg/bulk-expunge`, { ids: ['not an id'] });
      expect(bad.status).toBe(422);
      expect(JSON.stringify(bad.body)).toContain('ids');
    });

    it('broadcast sends the message to every application through its filters, once per eventId', async () => {
      const hook = await startReceiver();
      receivers.push(hook);
      await svix.eventType.create({ name: 'news.out', description: 'news' });
      await svix.eventType.create({ name: 'other', description: 'other' });
      const listening = await svix.application.create({ name: 'listening' });
      const filtered = await svix.application.create({ name: 'filtered' });
      const empty = await svix.application.create({ name: 'no endpoints' });
      await svix.endpoint.create(listening.id, { url: `${hook.url}/listening` });
      await svix.endpoint.create(filtered.id, { url: `${hook.url}/filtered`, filterTypes: ['other'] });
      const body = { eventType: 'news.out', eventId: 'news-1', payload: { headline: 'hi' } };
      const accepted = await h.call('POST', '/msg/broadcast', body);
      expect(accepted.status).toBe(202);
      expect(accepted.body).toMatchObject({ status: 'running', task: 'message.broadcast' });
      const task = await settled(svix, accepted.body.id);
      expect(task.status).toBe('finished');
      const created = (task.data as { messagesCreated: { appId: string; msgId: string }[] }).messagesCreated;
      // Every application records the message, whether or not an endpoint takes it.
      const byApp = new Map(created.map((entry) => [entry.appId, entry.msgId]));
      for (const app of [listening, filtered, empty]) {
        const messages = await svix.message.list(app.id);
        expect(messages.data.map((message) => message.id)).toEqual([byApp.get(app.id)]);
        expect(messages.data[0]).toMatchObject({ eventId: 'news-1', payload: { headline: 'hi' } });
      }
      const [received] = await hook.waitFor(1);
      expect(received!.path).toBe('/listening');
      expect(JSON.parse(received!.body)).toEqual({ headline: 'hi' });
      // The same eventId again creates nothing anywhere.
      const again = await settled(svix, (await h.call('POST', '/msg/broadcast', body)).body.id);
      expect(again).toMatchObject({ status: 'finished', data: { messagesCreated: [] } });
      for (const app of [listening, filtered, empty])
        expect((await svix.message.list(app.id)).data).toHaveLength(1);
    });

    it('broadcast refuses a bad body with a 422 naming the field', async () => {
      const bad = await h.call('POST', '/msg/broadcast', { eventType: 'news.out' });
      expect(bad.status).toBe(422);
      expect(JSON.stringify(bad.body)).toContain('payload');
      // A payload the event type's schema refuses fails the task, with the reason.
      const schema = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } };
      await svix.eventType.create({ name: 'strict', description: 'strict', schemas: { '1': schema } });
      await svix.application.create({ name: 'strict receiver' });
      const accepted = await h.call('POST', '/msg/broadcast', { eventType: 'strict', payload: { n: 1 } });
      const task = await settled(svix, accepted.body.id);
      expect(task.status).toBe('failed');
      expect(JSON.stringify(task.data)).toContain('id');
    });

    it('the OpenAPI export imports back to the same catalogue', async () => {
      const schema = {
        type: 'object',
        properties: { id: { type: 'string' }, amount: { type: 'integer' } },
        required: ['id'],
        examples: [{ id: 'inv_1', amount: 3 }],
      };
      await svix.eventType.create({
        name: 'invoice.paid',
        description: 'An invoice was paid',
        schemas: { '1': schema },
      });
      await svix.eventType.create({ name: 'invoice.old', description: 'Old', deprecated: true });
      await svix.eventType.create({ name: 'invoice.gone', description: 'Gone' });
      await svix.eventType.delete('invoice.gone');
      const accepted = await h.call('POST', '/event-type/export/openapi');
      expect(accepted.status).toBe(202);
      expect(accepted.body.task).toBe('sdk.generate');
      const task = await settled(svix, accepted.body.id);
      expect(task.status).toBe('finished');
      const spec = (task.data as { spec: Record<string, any> }).spec; // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(spec.openapi).toBe('3.1.0');
      expect(Object.keys(spec.webhooks)).toContain('invoice.paid');
      expect(Object.keys(spec.webhooks)).not.toContain('invoice.gone');
      const before = (await svix.eventType.list({ limit: 250, withContent: true })).data;
      const dryRun = await svix.eventType.importOpenapi({ spec, dryRun: true });
      const catalogue = (list: typeof before) =>
        list
          .map(({ name, description, schemas, deprecated }) => ({
            name,
            description,
            schemas: schemas ?? null,
            deprecated,
          }))
          .sort((a, b) => a.name.localeCompare(b.name));
      expect(catalogue(dryRun.data.toModify as typeof before)).toEqual(catalogue(before));
      // A real import over a changed catalogue puts it back.
      await svix.eventType.update('invoice.paid', { description: 'changed' });
      await svix.eventType.importOpenapi({ spec });
      expect(catalogue((await svix.eventType.list({ limit: 250, withContent: true })).data)).toEqual(
        catalogue(before),
      );
    });
  });
}
