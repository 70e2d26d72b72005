import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, type ApiFixture } from '../helpers/env.js';
import { client, createEventType, expectError, type Client } from './support.js';

const invoiceSchema = {
  type: 'object',
  properties: { invoiceId: { type: 'string' }, amount: { type: 'integer', minimum: 0 } },
  required: ['invoiceId'],
  examples: [{ invoiceId: 'inv_1', amount: 10 }],
};

describe('event types', () => {
  let f: ApiFixture;
  let admin: Client;
  beforeAll(async () => {
    f = await apiFixture();
    admin = client(f);
  });
  afterAll(async () => f.close());

  it('creates an event type (201) with every field and gets it by name', async () => {
    const res = await admin.post('/event-type', {
      name: 'invoice.paid',
      description: 'An invoice was paid',
      archived: false,
      deprecated: true,
      featureFlag: 'beta-billing',
      schemas: { '1': invoiceSchema },
    });
    expect(res.statusCode).toBe(201);
    const expected = {
      name: 'invoice.paid',
      description: 'An invoice was paid',
      archived: false,
      deprecated: true,
      featureFlag: 'beta-billing',
      featureFlags: ['beta-billing'],
      groupName: null,
      schemas: { '1': invoiceSchema },
      deprecatedVersions: [],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    };
    expect(res.json()).toEqual(expected);
    const got = await admin.get('/event-type/invoice.paid');
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(expected);
  });

  it('defaults the optional fields', async () => {
    const res = await admin.post('/event-type', { name: 'user.created', description: 'x' });
    expect(res.json()).toMatchObject({
      archived: false,
      deprecated: false,
      featureFlag: null,
      schemas: null,
    });
  });

  describe('featureFlags and groupName', () => {
    const extra = { featureFlags: ['beta', 'eu-only'], groupName: 'billing' };

    it('are stored and returned on create, PUT and PATCH; PATCH with null removes them', async () => {
      const created = await admin.post('/event-type', { name: 'sdk.extra', description: 'x', ...extra });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ ...extra, featureFlag: 'beta' });
      const put = await admin.put('/event-type/sdk.extra', { description: 'y', groupName: 'other' });
      expect(put.json()).toMatchObject({ featureFlags: null, featureFlag: null, groupName: 'other' });
      const putNew = await admin.put('/event-type/sdk.extra.new', { description: 'y', ...extra });
      expect(putNew.statusCode).toBe(201);
      expect(putNew.json()).toMatchObject(extra);
      const patched = await admin.patch('/event-type/sdk.extra', { ...extra, description: 'z' });
      expect(patched.json()).toMatchObject({ ...extra, description: 'z' });
      const kept = await admin.patch('/event-type/sdk.extra', { description: 'w' });
      expect(kept.json()).toMatchObject(extra);
      const nulls = await admin.patch('/event-type/sdk.extra', { featureFlags: null, groupName: null });
      expect(nulls.json()).toMatchObject({ featureFlags: null, featureFlag: null, groupName: null });
      expect((await admin.get('/event-type/sdk.extra')).json()).toMatchObject({ groupName: null });
    });

    it('take the deprecated featureFlag as a list of one', async () => {
      await createEventType(f, 'sdk.flagged', { featureFlag: 'kept' });
      expect((await admin.get('/event-type/sdk.flagged')).json()).toMatchObject({
        featureFlag: 'kept',
        featureFlags: ['kept'],
      });
      const res = await admin.patch('/event-type/sdk.flagged', { featureFlags: ['other'] });
      expect(res.json()).toMatchObject({ featureFlag: 'other', featureFlags: ['other'] });
    });

    it('must still have the types the SDK sends', async () => {
      for (const body of [
        { featureFlags: 'beta' },
        { featureFlags: [1] },
        { featureFlags: ['a b'] },
        { groupName: 5 },
        { groupName: 'a/b' },
      ])
        expectError(
          await admin.post('/event-type', { name: 'sdk.bad.extra', description: 'x', ...body }),
          422,
          'validation',
        );
      expectError(await admin.get('/event-type/sdk.bad.extra'), 404);
    });
  });

  it('refuses a duplicate name (409)', async () => {
    await createEventType(f, 'dup.type');
    expectError(await admin.post('/event-type', { name: 'dup.type', description: 'again' }), 409, 'conflict');
    expect((await admin.get('/event-type/dup.type')).json().description).toBe('The dup.type event');
  });

  it('answers 404 for an unknown name on every route that reads or changes one', async () => {
    expectError(await admin.get('/event-type/no.such'), 404, 'not_found', /no\.such/);
    expectError(await admin.patch('/event-type/no.such', { description: 'x' }), 404, 'not_found');
    expectError(await admin.del('/event-type/no.such'), 404, 'not_found');
    expectError(await admin.del('/event-type/no.such?expunge=true'), 404, 'not_found');
  });

  it('requires a name and a description, and a valid name', async () => {
    expectError(await admin.post('/event-type', { description: 'x' }), 422, 'validation', /name/);
    expectError(await admin.post('/event-type', { name: 'a.b' }), 422, 'validation', /description/);
    expectError(await admin.post('/event-type', { name: 'has space', description: 'x' }), 422, 'validation');
    expectError(
      await admin.post('/event-type', { name: 'x'.repeat(257), description: 'x' }),
      422,
      'validation',
    );
    expectError(await admin.get('/event-type/bad%20name'), 422, 'validation');
  });

  it('lists event types without their schemas unless with_content=true', async () => {
    await createEventType(f, 'list.one', { schemas: { '1': invoiceSchema } });
    const plain = (await admin.get('/event-type?limit=250')).json();
    expect(plain.done).toBe(true);
    const one = plain.data.find((e: { name: string }) => e.name === 'list.one');
    expect(one).toMatchObject({ name: 'list.one', schemas: null });
    const full = (await admin.get('/event-type?limit=250&with_content=true')).json();
    expect(full.data.find((e: { name: string }) => e.name === 'list.one').schemas).toEqual({
      '1': invoiceSchema,
    });
  });

  describe('PUT', () => {
    it('creates a missing event type (201)', async () => {
      const res = await admin.put('/event-type/put.created', { description: 'made by PUT' });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ name: 'put.created', description: 'made by PUT', archived: false });
    });

    it('replaces an existing one (200): omitted fields return to their defaults', async () => {
      await createEventType(f, 'put.replace', {
        deprecated: true,
        featureFlag: 'flag',
        schemas: { '1': invoiceSchema },
      });
      const res = await admin.put('/event-type/put.replace', { description: 'replaced' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        name: 'put.replace',
        description: 'replaced',
        deprecated: false,
        featureFlag: null,
        schemas: null,
      });
    });

    it('restores an archived event type when archived is false', async () => {
      await createEventType(f, 'put.restore');
      await admin.del('/event-type/put.restore');
      expect((await admin.get('/event-type/put.restore')).json().archived).toBe(true);
      const res = await admin.put('/event-type/put.restore', { description: 'back' });
      expect(res.json().archived).toBe(false);
    });

    it('requires a description', async () => {
      expectError(await admin.put('/event-type/put.nodesc', {}), 422, 'validation', /description/);
      expectError(await admin.get('/event-type/put.nodesc'), 404);
    });
  });

  describe('PATCH', () => {
    it('changes only the fields given', async () => {
      await createEventType(f, 'patch.only', { featureFlag: 'f1', schemas: { '1': invoiceSchema } });
      const res = await admin.patch('/event-type/patch.only', { deprecated: true });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        description: 'The patch.only event',
        deprecated: true,
        featureFlag: 'f1',
        schemas: { '1': invoiceSchema },
      });
    });

    it('clears nullable fields given as null', async () => {
      await createEventType(f, 'patch.null', { featureFlag: 'f1', schemas: { '1': invoiceSchema } });
      const res = await admin.patch('/event-type/patch.null', { featureFlag: null, schemas: null });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        featureFlag: null,
        schemas: null,
        description: 'The patch.null event',
      });
    });
  });

  describe('DELETE', () => {
    it('archives by default: still readable, hidden from the list unless include_archived', async () => {
      await createEventType(f, 'del.archive');
      const res = await admin.del('/event-type/del.archive');
      expect(res.statusCode).toBe(204);
      expect((await admin.get('/event-type/del.archive')).json()).toMatchObject({ archived: true });
      const names = async (query: string) =>
        (await admin.get(`/event-type?limit=250${query}`)).json().data.map((e: { name: string }) => e.name);
      expect(await names('')).not.toContain('del.archive');
      expect(await names('&include_archived=true')).toContain('del.archive');
    });

    it('deletes for good with expunge=true', async () => {
      await createEventType(f, 'del.expunge');
      expect((await admin.del('/event-type/del.expunge?expunge=true')).statusCode).toBe(204);
      expectError(await admin.get('/event-type/del.expunge'), 404);
      // The name can be used again.
      await createEventType(f, 'del.expunge');
    });
  });

  describe('payload schemas', () => {
    it.each([
      ['an unknown type', { type: 'no-such-type' }],
      ['a non-array required', { type: 'object', required: 'invoiceId' }],
      ['a negative minLength', { type: 'string', minLength: -1 }],
      ['an unresolvable $ref', { $ref: 'https://example.com/remote.json' }],
    ])('rejects a schema with %s (422), naming the version', async (_label, schema) => {
      const body = expectError(
        await admin.post('/event-type', { name: 'bad.schema', description: 'x', schemas: { '2': schema } }),
        422,
        'validation',
      );
      expect(body.detail).toMatch(/schemas\[2\]/);
      expectError(await admin.get('/event-type/bad.schema'), 404);
    });

    it('rejects an example that contradicts its schema', async () => {
      const schema = { ...invoiceSchema, examples: [{ invoiceId: 'ok' }, { amount: -5 }] };
      const body = expectError(
        await admin.post('/event-type', { name: 'bad.example', description: 'x', schemas: { '1': schema } }),
        422,
        'validation',
      );
      expect(body.detail).toMatch(/schemas\[1\]\.examples\[1\]/);
    });

    it('checks schemas on PUT and PATCH too, leaving the stored ones alone', async () => {
      await createEventType(f, 'schema.kept', { schemas: { '1': invoiceSchema } });
      const bad = { '1': { type: 'nope' } };
      expectError(
        await admin.put('/event-type/schema.kept', { description: 'x', schemas: bad }),
        422,
        'validation',
      );
      expectError(await admin.patch('/event-type/schema.kept', { schemas: bad }), 422, 'validation');
      expect((await admin.get('/event-type/schema.kept')).json()).toMatchObject({
        description: 'The schema.kept event',
        schemas: { '1': invoiceSchema },
      });
    });

    it('rejects versions that are not positive numbers and schemas that are not objects', async () => {
      const cases = [{ v1: {} }, { '0': {} }, { v1: true }, { '1': 'string' }, { '1': true }, { '1': [] }];
      for (const schemas of cases) {
        expectError(
          await admin.post('/event-type', { name: 'bad.version', description: 'x', schemas }),
          422,
          'validation',
          /schemas/,
        );
        expectError(await admin.get('/event-type/bad.version'), 404);
      }
      // Nothing unreadable was stored: the full listing still serialises.
      expect((await admin.get('/event-type?with_content=true&include_archived=true')).statusCode).toBe(200);
    });

    it('rejects a schema nested too deeply to compile, without failing the server', async () => {
      const depth = 5000;
      const deep = '{"type":"object","properties":{"a":'.repeat(depth) + '{}' + '}}'.repeat(depth);
      const res = await admin.post(
        '/event-type',
        `{"name":"deep.schema","description":"x","schemas":{"1":${deep}}}`,
      );
      expect([413, 422]).toContain(res.statusCode);
      expectError(res, res.statusCode);
      expectError(await admin.get('/event-type/deep.schema'), 404);
    });
  });

  describe('retry schedule', () => {
    it('is null until set, then reads back as Svix durations; null removes it', async () => {
      await createEventType(f, 'retry.set');
      const path = '/event-type/retry.set/retry-schedule';
      expect((await admin.get(path)).json()).toEqual({ retrySchedule: null });
      const schedule = [
        { secs: 1, nanos: 0 },
        { secs: 0, nanos: 500_000_000 },
        { secs: 3600, nanos: 0 },
      ];
      const put = await admin.put(path, { retrySchedule: schedule });
      expect(put.statusCode).toBe(200);
      expect(put.json()).toEqual({ retrySchedule: schedule });
      expect((await admin.get(path)).json()).toEqual({ retrySchedule: schedule });
      // Replacing the event type keeps its schedule: the schedule is a resource of its own.
      await admin.put('/event-type/retry.set', { description: 'replaced' });
      expect((await admin.get(path)).json()).toEqual({ retrySchedule: schedule });
      expect((await admin.put(path, { retrySchedule: [] })).json()).toEqual({ retrySchedule: [] });
      expect((await admin.put(path, { retrySchedule: null })).json()).toEqual({ retrySchedule: null });
      expect((await admin.put(path, {})).json()).toEqual({ retrySchedule: null });
    });

    it('answers 404 for an unknown event type and a 4xx naming the field for a bad schedule', async () => {
      expectError(await admin.get('/event-type/retry.none/retry-schedule'), 404);
      expectError(await admin.put('/event-type/retry.none/retry-schedule', { retrySchedule: [] }), 404);
      await createEventType(f, 'retry.bad');
      for (const retrySchedule of [[{ secs: -1, nanos: 0 }], [{ secs: 1 }], [5], 'soon']) {
        const res = await admin.put('/event-type/retry.bad/retry-schedule', { retrySchedule });
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
        expect(res.body).toMatch(/retrySchedule/);
      }
      expect((await admin.get('/event-type/retry.bad/retry-schedule')).json()).toEqual({
        retrySchedule: null,
      });
    });
  });
});
