/**
 * Operational-webhook endpoints end to end, on SQLite and PostgreSQL: the nine routes driven through the
 * official `svix` SDK against a real Herald on 127.0.0.1, and the operational events they receive at real
 * receivers, each filtered by the endpoint's `filterTypes` and signed with its own secret.
 */
import { ApiException, Svix } from 'svix';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectValidationShape } from './support.js';
import { listOperationalEventTypes } from '../../src/delivery/operational-events.js';
import { HERALD_STORES, startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';

const SECRET = 'whsec_' + Buffer.alloc(24, 3).toString('base64');
const ROTATED = 'whsec_' + Buffer.alloc(32, 5).toString('base64');
const ENDPOINT_EVENTS = [
  'endpoint.created',
  'endpoint.updated',
  'endpoint.deleted',
  'endpoint.disabled',
  'endpoint.enabled',
];
const ATTEMPT_EVENTS = ['message.attempt.exhausted', 'message.attempt.failing', 'message.attempt.recovered'];

/** Runs `call` and returns the status of the `ApiException` it must throw. */
async function failure(call: () => Promise<unknown>): Promise<number> {
  try {
    await call();
  } catch (error) {
    if (error instanceof ApiException) return error.code;
    throw error;
  }
  throw new Error('expected the SDK call to fail');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- event payloads are read as JSON
type Event = { type: string; timestamp: string; data: Record<string, any> };

/** The events a receiver got, each checked against the secret of the endpoint it was sent to. */
function eventsAt(receiver: Receiver, secret: string): Event[] {
  const webhook = new Webhook(secret);
  return receiver.received.map(
    (request) => webhook.verify(request.body, request.headers as Record<string, string>) as Event,
  );
}

/** Waits until the receiver got an event for which `match` holds, and returns it. */
async function eventAt(receiver: Receiver, secret: string, match: (event: Event) => boolean): Promise<Event> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = eventsAt(receiver, secret).find(match);
    if (found) return found;
    if (Date.now() > deadline)
      throw new Error(
        `no such event; got ${eventsAt(receiver, secret)
          .map((event) => event.type)
          .join(', ')}`,
      );
    await receiver.waitFor(receiver.received.length + 1, 500).catch(() => undefined);
  }
}

for (const store of HERALD_STORES)
  describe.skipIf(store.skip)(`operational-webhook endpoints (${store.dialect})`, { timeout: 90_000 }, () => {
    let h: RunningHerald;
    let svix: Svix;
    const receivers: Receiver[] = [];
    const receiver = async () => {
      const started = await startReceiver();
      receivers.push(started);
      return started;
    };

    beforeAll(async () => {
      h = await startTestHerald({}, { postgres: store.postgres });
      svix = new Svix(h.token, { serverUrl: h.url, retryScheduleInMs: [] });
    });
    afterAll(async () => {
      await Promise.all(receivers.map((started) => started.close()));
      await h?.close();
    });

    it('lists none and reads none before the first is created', async () => {
      expect((await svix.operationalWebhook.endpoint.list()).data).toEqual([]);
      expect(await failure(() => svix.operationalWebhook.endpoint.get('operator-webhook'))).toBe(404);
      expect((await svix.application.list()).data).toEqual([]);
    });

    it('creates, lists, reads, updates and deletes them through the SDK, with their secret and headers', async () => {
      const api = svix.operationalWebhook.endpoint;
      const target = await receiver();
      const created = await api.create({
        url: `${target.url}/ops`,
        uid: 'ops-crud',
        description: 'On-call',
        filterTypes: ['endpoint.created', 'message.attempt.exhausted'],
        metadata: { team: 'platform' },
        rateLimit: 10,
        secret: SECRET,
      });
      expect(created).toMatchObject({
        uid: 'ops-crud',
        url: `${target.url}/ops`,
        description: 'On-call',
        disabled: false,
        filterTypes: ['endpoint.created', 'message.attempt.exhausted'],
        metadata: { team: 'platform' },
        rateLimit: 10,
        throttleRate: 10,
      });
      expect(created.id).toMatch(/^ep_/);
      expect(created.createdAt).toBeInstanceOf(Date);
      expect(await api.get('ops-crud')).toEqual(created);
      const second = await api.create({ url: `${target.url}/second` });
      expect((await api.list()).data.map((endpoint) => endpoint.id)).toEqual([second.id, created.id]);
      expect((await api.list({ limit: 1, order: 'ascending' as never })).data.map((e) => e.id)).toEqual([
        created.id,
      ]);

      // PUT replaces the settings: what the body leaves out returns to its default.
      const updated = await api.update(created.id, {
        url: `${target.url}/moved`,
        uid: 'ops-crud',
        disabled: true,
      });
      expect(updated).toMatchObject({
        id: created.id,
        url: `${target.url}/moved`,
        description: '',
        disabled: true,
        filterTypes: null,
        metadata: {},
        rateLimit: null,
      });

      expect(await api.getSecret(created.id)).toEqual({ key: SECRET });
      await api.rotateSecret(created.id, { key: ROTATED });
      expect(await api.getSecret(created.id)).toEqual({ key: ROTATED });
      await api.rotateSecret(created.id);
      expect((await api.getSecret(created.id)).key).toMatch(/^whsec_/);
      expect((await api.getSecret(created.id)).key).not.toBe(ROTATED);

      expect(await api.getHeaders(created.id)).toEqual({ headers: {}, sensitive: [] });
      await api.updateHeaders(created.id, { headers: { 'X-Team': 'platform', Authorization: 'Bearer abc' } });
      expect(await api.getHeaders(created.id)).toEqual({
        headers: { 'X-Team': 'platform' },
        sensitive: ['Authorization'],
      });

      await api.delete(created.id);
      await api.delete(second.id);
      expect(await failure(() => api.get(created.id))).toBe(404);
      expect(await failure(() => api.getSecret(created.id))).toBe(404);
      expect((await api.list()).data).toEqual([]);
    });

    it('takes admin keys only, and answers bad input with 4xx', async () => {
      const app = await svix.application.create({ name: 'Tenant' });
      const { token } = await svix.authentication.appPortalAccess(app.id, {});
      const tenant = new Svix(token, { serverUrl: h.url, retryScheduleInMs: [] });
      expect(await failure(() => tenant.operationalWebhook.endpoint.list())).toBe(403);
      expect(
        await failure(() => tenant.operationalWebhook.endpoint.create({ url: 'http://127.0.0.1:9/' })),
      ).toBe(403);

      const api = svix.operationalWebhook.endpoint;
      const refused = async (body: Record<string, unknown>) => {
        const response = await h.call('POST', '/operational-webhook/endpoint', body);
        expect(response.status, JSON.stringify(response.body)).toBe(422);
        return expectValidationShape(response.body).text;
      };
      expect(await refused({ url: 'http://127.0.0.1:9/', filterTypes: ['invoice.paid'] })).toMatch(
        /filterTypes/,
      );
      expect(await refused({ url: 'poll://inbox' })).toMatch(/url/);
      expect(await refused({ url: 'relay://ops-laptop' })).toMatch(/url/);
      expect(await refused({ url: 'ftp://127.0.0.1/' })).toMatch(/url/);
      expect(
        await refused({
          url: 'http://127.0.0.1:9/',
          eventTypes: ['endpoint.created'],
          filterTypes: ['endpoint.deleted'],
        }),
      ).toMatch(/filterTypes/);
      expect(await failure(() => api.get('ep_missing'))).toBe(404);
      expect(await failure(() => api.update('ep_missing', { url: 'http://127.0.0.1:9/' }))).toBe(404);
      expect(await failure(() => api.updateHeaders('ep_missing', { headers: {} }))).toBe(404);
      await api.create({ url: 'http://127.0.0.1:9/', uid: 'taken' });
      expect(await failure(() => api.create({ url: 'http://127.0.0.1:9/', uid: 'taken' }))).toBe(409);
      await api.delete('taken');
    });

    it("delivers every operational event to the endpoints whose filter takes it, signed with each one's secret", async () => {
      const api = svix.operationalWebhook.endpoint;
      const all = await receiver();
      const changes = await receiver();
      const attempts = await receiver();
      const toAll = await api.create({ url: `${all.url}/all` });
      const toChanges = await api.create({ url: `${changes.url}/changes`, filterTypes: ENDPOINT_EVENTS });
      const toAttempts = await api.create({ url: `${attempts.url}/attempts`, filterTypes: ATTEMPT_EVENTS });
      const secretOf = async (id: string) => (await api.getSecret(id)).key;
      const [allSecret, changesSecret, attemptsSecret] = await Promise.all([
        secretOf(toAll.id),
        secretOf(toChanges.id),
        secretOf(toAttempts.id),
      ]);

      const app = await svix.application.create({ name: 'Customer', uid: `customer-${store.dialect}` });
      // Herald's own endpoint settings (a retry schedule) go over plain HTTP: the SDK sends only Svix's fields.
      const endpointWith = async (appId: string, body: Record<string, unknown>) => {
        const created = await h.call('POST', `/app/${appId}/endpoint`, body);
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        return created.body as { id: string };
      };
      // Fails four times, then succeeds: failing after the fourth attempt, recovered on the fifth.
      const flaky = await receiver();
      flaky.answer(() => (flaky.received.length <= 4 ? { status: 500 } : { status: 200 }));
      const flakyEp = await endpointWith(app.id, {
        url: `${flaky.url}/hook`,
        uid: 'flaky',
        retrySchedule: [0, 0, 0, 0, 0],
      });
      // Always fails, with one retry: exhausted.
      const broken = await receiver();
      broken.answer(() => ({ status: 500 }));
      const brokenEp = await endpointWith(app.id, { url: `${broken.url}/hook`, retrySchedule: [0] });
      // 410 Gone: disabled automatically.
      const gone = await receiver();
      gone.answer(() => ({ status: 410 }));
      const goneEp = await svix.endpoint.create(app.id, { url: `${gone.url}/hook` });
      const msg = await svix.message.create(app.id, { eventType: 'invoice.paid', payload: { id: 1 } });

      const about = (endpointId: string) => (event: Event) => event.data.endpointId === endpointId;
      const is = (type: string, endpointId: string) => (event: Event) =>
        event.type === type && about(endpointId)(event);
      for (const [type, endpointId] of [
        ['message.attempt.failing', flakyEp.id],
        ['message.attempt.recovered', flakyEp.id],
        ['message.attempt.exhausted', brokenEp.id],
      ] as const) {
        const event = await eventAt(attempts, attemptsSecret, is(type, endpointId));
        expect(event.data).toMatchObject({ appId: app.id, appUid: app.uid, msgId: msg.id, endpointId });
        expect(event.data.lastAttempt).toMatchObject({ id: expect.stringMatching(/^atmpt_/) });
        await eventAt(all, allSecret, is(type, endpointId));
      }
      const disabled = await eventAt(changes, changesSecret, is('endpoint.disabled', goneEp.id));
      expect(disabled.data).toMatchObject({ appId: app.id, endpointId: goneEp.id, trigger: 'automatic' });

      // Changes made through the API.
      await svix.endpoint.patch(app.id, flakyEp.id, { disabled: true });
      const manual = await eventAt(changes, changesSecret, is('endpoint.disabled', flakyEp.id));
      expect(manual.data).toMatchObject({
        appId: app.id,
        appUid: app.uid,
        endpointUid: 'flaky',
        trigger: 'manual',
      });
      await svix.endpoint.patch(app.id, flakyEp.id, { disabled: false });
      await eventAt(changes, changesSecret, is('endpoint.enabled', flakyEp.id));
      await svix.endpoint.delete(app.id, brokenEp.id);
      await eventAt(changes, changesSecret, is('endpoint.deleted', brokenEp.id));
      for (const type of ['endpoint.created', 'endpoint.updated', 'endpoint.enabled', 'endpoint.deleted'])
        await eventAt(all, allSecret, (event) => event.type === type);

      // Each endpoint got only what its filter takes, and every request verified with its own secret.
      expect(new Set(eventsAt(changes, changesSecret).map((event) => event.type))).toEqual(
        new Set(ENDPOINT_EVENTS),
      );
      expect(new Set(eventsAt(attempts, attemptsSecret).map((event) => event.type))).toEqual(
        new Set([...ATTEMPT_EVENTS]),
      );
      expect(() => eventsAt(changes, allSecret)).toThrow();
      for (const endpoint of [toAll, toChanges, toAttempts]) await api.delete(endpoint.id);
    });

    it('does not disable an operational endpoint that answers 410, nor report on its own deliveries', async () => {
      const api = svix.operationalWebhook.endpoint;
      const gone = await receiver();
      gone.answer(() => ({ status: 410 }));
      const watcher = await receiver();
      const toGone = await api.create({ url: `${gone.url}/gone`, filterTypes: ['endpoint.created'] });
      const toWatcher = await api.create({ url: `${watcher.url}/watch` });
      const watcherSecret = (await api.getSecret(toWatcher.id)).key;
      const app = await svix.application.create({ name: 'Another customer' });
      const ep = await svix.endpoint.create(app.id, { url: 'http://127.0.0.1:9/hook' });
      await gone.waitFor(1);
      await eventAt(
        watcher,
        watcherSecret,
        (event) => event.type === 'endpoint.created' && event.data.endpointId === ep.id,
      );
      // A change after the 410, so that anything the 410 led to would have been delivered before it.
      await svix.endpoint.delete(app.id, ep.id);
      await eventAt(
        watcher,
        watcherSecret,
        (event) => event.type === 'endpoint.deleted' && event.data.endpointId === ep.id,
      );
      expect((await api.get(toGone.id)).disabled).toBe(false);
      expect(eventsAt(watcher, watcherSecret).filter((event) => event.data.endpointId === toGone.id)).toEqual(
        [],
      );
      await api.delete(toGone.id);
      await api.delete(toWatcher.id);
    });

    it('lists the operational event types in the catalogue only with HERALD_OPERATIONAL_EVENT_TYPES=catalogue', async () => {
      // The default keeps the catalogue to the platform's own event types.
      const hidden = await h.call('GET', '/event-type/endpoint.created');
      expect([hidden.status, hidden.body.code]).toEqual([404, 'not_found']);
      expect(hidden.body.detail).not.toMatch(/no route/);
      const own = await startTestHerald(
        { HERALD_OPERATIONAL_EVENT_TYPES: 'catalogue' },
        { postgres: store.postgres },
      );
      try {
        const names = async () =>
          ((await own.call('GET', '/event-type?limit=100')).body.data as { name: string }[]).map(
            (type) => type.name,
          );
        expect(await names()).toEqual(expect.arrayContaining([...ENDPOINT_EVENTS, ...ATTEMPT_EVENTS]));
        // Every start adds what is missing and leaves the rest as they are, as another process starting would.
        const edited = await own.call('PATCH', '/event-type/sla.breached', { description: 'ours' });
        expect(edited.status).toBe(200);
        await own.call('DELETE', '/event-type/endpoint.enabled');
        await own.call('DELETE', '/event-type/endpoint.updated?expunge=true');
        expect((await own.call('GET', '/event-type/endpoint.updated')).status).toBe(404);
        await listOperationalEventTypes(own.herald.store);
        expect((await own.call('GET', '/event-type/endpoint.updated')).status).toBe(200);
        expect((await own.call('GET', '/event-type/sla.breached')).body.description).toBe('ours');
        // Archived by the operator (DELETE archives), it stays archived.
        const archived = await own.call('GET', '/event-type/endpoint.enabled');
        expect([archived.status, archived.body.archived]).toEqual([200, true]);
        expect((await names()).filter((name) => name === 'endpoint.created')).toHaveLength(1);
      } finally {
        await own.close();
      }
    });

    it('creates the first one from HERALD_OPERATOR_WEBHOOK_URL, readable and changeable through the API', async () => {
      const operator = await receiver();
      const own = await startTestHerald(
        { HERALD_OPERATOR_WEBHOOK_URL: `${operator.url}/operator` },
        { postgres: store.postgres },
      );
      try {
        const client = new Svix(own.token, { serverUrl: own.url, retryScheduleInMs: [] });
        const { data } = await client.operationalWebhook.endpoint.list();
        expect(data).toEqual([
          expect.objectContaining({ uid: 'operator-webhook', url: `${operator.url}/operator` }),
        ]);
        const secret = (await client.operationalWebhook.endpoint.getSecret('operator-webhook')).key;
        const app = await client.application.create({ name: 'Customer' });
        const ep = await client.endpoint.create(app.id, { url: 'http://127.0.0.1:9/hook' });
        const created = await eventAt(operator, secret, (event) => event.type === 'endpoint.created');
        expect(created.data).toMatchObject({ appId: app.id, endpointId: ep.id });
      } finally {
        await own.close();
      }
    });
  });
