/**
 * Environment export and import between real Heralds: one on SQLite, one on PostgreSQL and back. What a
 * receiver on 127.0.0.1 gets from the imported platform verifies with the secret the endpoint had at the start.
 */
import { Webhook } from 'standardwebhooks';
import { Svix } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_URL } from '../helpers/env.js';
import { HERALD_STORES, startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { startReceiver, type Receiver, type Received } from '../helpers/receiver.js';

const SECRET = 'whsec_' + Buffer.alloc(24, 5).toString('base64');
const PASSPHRASE = 'correct horse battery staple';

const headersOf = (request: Received) =>
  Object.fromEntries(Object.entries(request.headers).map(([key, value]) => [key, String(value)]));

/** A platform worth moving: an event type with a schema, a template with two versions, an application with a
 * rate, an endpoint with its own secret, a header, a filter and the template's first version pinned. */
async function seed(h: RunningHerald, receiver: Receiver): Promise<void> {
  const schema = { type: 'object', properties: { amount: { type: 'integer' } }, required: ['amount'] };
  expect(
    (
      await h.call('POST', '/event-type', {
        name: 'invoice.paid',
        description: 'Paid',
        schemas: { '1': schema },
      })
    ).status,
  ).toBe(201);
  const retry = {
    retrySchedule: [
      { secs: 5, nanos: 0 },
      { secs: 60, nanos: 0 },
    ],
  };
  expect((await h.call('PUT', '/event-type/invoice.paid/retry-schedule', retry)).status).toBe(200);
  const template = await h.call('POST', '/template', {
    name: 'amount only',
    contentType: 'json',
    body: '{"amount": {{ event.data.amount }}, "v": 1}',
  });
  expect(template.status, JSON.stringify(template.body)).toBe(201);
  await h.call('PATCH', `/template/${template.body.id}`, {
    body: '{"amount": {{ event.data.amount }}, "v": 2}',
  });
  expect((await h.call('POST', '/app', { name: 'Acme', uid: 'acme', throttleRate: 50 })).status).toBe(201);
  const endpoint = await h.call('POST', '/app/acme/endpoint', {
    url: `${receiver.url}/hook`,
    uid: 'acme-hook',
    secret: SECRET,
    headers: { 'x-tenant': 'acme' },
    filterTypes: ['invoice.paid'],
    filter: { 'payload.amount': { $gte: 10 } },
    templateId: template.body.id,
    templateVersion: 1,
  });
  expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
}

/** Sends two messages (one the filter drops) and checks what the receiver gets. */
async function deliversAsBefore(h: RunningHerald, receiver: Receiver): Promise<void> {
  const before = receiver.received.length;
  for (const amount of [5, 42])
    expect(
      (await h.call('POST', '/app/acme/msg', { eventType: 'invoice.paid', payload: { amount } })).status,
    ).toBe(202);
  const [request] = (await receiver.waitFor(before + 1)).slice(before);
  expect(JSON.parse(request!.body)).toEqual({ amount: 42, v: 1 });
  expect(request!.headers['x-tenant']).toBe('acme');
  expect(new Webhook(SECRET).verify(request!.body, headersOf(request!))).toEqual({ amount: 42, v: 1 });
}

describe.skipIf(!PG_URL)('environment export and import across stores', () => {
  let sqlite: RunningHerald;
  let postgres: RunningHerald;
  let back: RunningHerald;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    [sqlite, postgres, back] = await Promise.all([
      startTestHerald(),
      startTestHerald({}, { postgres: true }),
      startTestHerald(),
    ]);
    await seed(sqlite, receiver);
  });
  afterAll(async () => {
    await Promise.all([sqlite?.close(), postgres?.close(), back?.close(), receiver?.close()]);
  });

  it('moves a working platform from SQLite to PostgreSQL and back, secrets sealed on the way', async () => {
    const exported = await sqlite.call('POST', '/environment/export', { passphrase: PASSPHRASE });
    expect(exported.status).toBe(200);
    const text = JSON.stringify(exported.body);
    expect(text).not.toContain(SECRET.slice(6));
    expect(text).not.toContain('x-tenant');
    expect(exported.body.eventTypes.map((t: { name: string }) => t.name)).toEqual(['invoice.paid']);
    expect(exported.body.eventTypes[0].retryScheduleMs).toEqual([5000, 60_000]);
    expect(exported.body.templates[0].versions).toHaveLength(2);
    const [app] = exported.body.applications;
    expect(app).toMatchObject({ uid: 'acme', throttleRate: 50 });
    expect(app.endpoints[0]).toMatchObject({
      uid: 'acme-hook',
      templateVersion: 1,
      sealed: expect.any(String),
    });

    const imported = await postgres.call('POST', '/environment/import', {
      ...exported.body,
      passphrase: PASSPHRASE,
    });
    expect(imported.status, JSON.stringify(imported.body)).toBe(204);
    const there = await postgres.call('GET', '/app/acme');
    expect(there.body).toMatchObject({ id: app.id, throttleRate: 50 });
    await deliversAsBefore(postgres, receiver);

    // Importing the same document again adds nothing.
    expect(
      (await postgres.call('POST', '/environment/import', { ...exported.body, passphrase: PASSPHRASE }))
        .status,
    ).toBe(204);
    expect((await postgres.call('GET', '/app/acme/endpoint')).body.data).toHaveLength(1);

    const again = await postgres.call('POST', '/environment/export', { passphrase: 'another passphrase!' });
    expect(
      (await back.call('POST', '/environment/import', { ...again.body, passphrase: 'another passphrase!' }))
        .status,
    ).toBe(204);
    await deliversAsBefore(back, receiver);
    // The event type's retry schedule made both trips.
    for (const target of [postgres, back])
      expect((await target.call('GET', '/event-type/invoice.paid/retry-schedule')).body).toEqual({
        retrySchedule: [
          { secs: 5, nanos: 0 },
          { secs: 60, nanos: 0 },
        ],
      });
  });
});

for (const store of HERALD_STORES)
  describe.skipIf(store.skip)(`environment import refusals and the svix SDK on ${store.dialect}`, () => {
    let h: RunningHerald;
    let receiver: Receiver;
    let sealedDocument: Record<string, unknown>;
    beforeAll(async () => {
      receiver = await startReceiver();
      h = await startTestHerald({}, { postgres: store.postgres });
      await seed(h, receiver);
      sealedDocument = (await h.call('POST', '/environment/export', { passphrase: PASSPHRASE })).body;
    });
    afterAll(async () => {
      await h?.close();
      await receiver?.close();
    });

    it('refuses a wrong or missing passphrase, naming it, and writes nothing', async () => {
      const fresh = await startTestHerald();
      try {
        for (const passphrase of ['not the passphrase', undefined]) {
          const answer = await fresh.call('POST', '/environment/import', { ...sealedDocument, passphrase });
          expect(answer.status).toBeGreaterThanOrEqual(400);
          expect(answer.status).toBeLessThan(500);
          expect(JSON.stringify(answer.body)).toContain('passphrase');
        }
        const short = await h.call('POST', '/environment/export', { passphrase: 'short' });
        expect(short.status).toBeGreaterThanOrEqual(400);
        expect(JSON.stringify(short.body)).toContain('passphrase');
        expect((await fresh.call('GET', '/event-type')).body.data).toHaveLength(0);
        expect((await fresh.call('GET', '/app')).body.data).toHaveLength(0);
      } finally {
        await fresh.close();
      }
    });

    it('exports without secrets when no passphrase is given; the import gives such endpoints a new secret', async () => {
      const plain = await h.call('POST', '/environment/export');
      expect(plain.status).toBe(200);
      expect(plain.body.sealing).toBeNull();
      expect(plain.body.applications[0].endpoints[0].sealed).toBeUndefined();
      const fresh = await startTestHerald();
      try {
        expect((await fresh.call('POST', '/environment/import', plain.body)).status).toBe(204);
        const secret = await fresh.call('GET', `/app/acme/endpoint/acme-hook/secret`);
        expect(secret.body.key).toMatch(/^whsec_/);
        expect(secret.body.key).not.toBe(SECRET);
      } finally {
        await fresh.close();
      }
    });

    it('answers 409 when a template of the document has a name taken here by another', async () => {
      const fresh = await startTestHerald();
      try {
        await fresh.call('POST', '/template', { name: 'amount only', contentType: 'json', body: '{}' });
        const answer = await fresh.call('POST', '/environment/import', {
          ...sealedDocument,
          passphrase: PASSPHRASE,
        });
        expect(answer.status).toBe(409);
        expect(JSON.stringify(answer.body)).toContain('templates[0].name');
        expect((await fresh.call('GET', '/app')).body.data).toHaveLength(0);
      } finally {
        await fresh.close();
      }
    });

    it('names the place of a bad endpoint in the document', async () => {
      const broken = structuredClone(sealedDocument) as {
        applications: Array<{ endpoints: Array<{ url: string }> }>;
      };
      broken.applications[0]!.endpoints[0]!.url = 'ftp://example.com/';
      const answer = await h.call('POST', '/environment/import', { ...broken, passphrase: PASSPHRASE });
      expect(answer.status).toBe(422);
      expect(JSON.stringify(answer.body)).toContain('applications[0].endpoints[0].url');
    });

    it('exports and imports event types through the SDK, upserting them as Svix does', async () => {
      const svix = new Svix(h.token, { serverUrl: h.url });
      const document = await svix.environment.export();
      expect(document.eventTypes.map((eventType) => eventType.name)).toEqual(['invoice.paid']);
      expect(document.connectors).toEqual([]);
      await svix.environment.import({
        eventTypes: [
          { name: 'invoice.paid', description: 'Paid, at last' },
          { name: 'invoice.voided', description: 'Voided' },
        ],
      });
      expect((await svix.eventType.get('invoice.paid')).description).toBe('Paid, at last');
      expect((await svix.eventType.get('invoice.voided')).description).toBe('Voided');
    });
  });
