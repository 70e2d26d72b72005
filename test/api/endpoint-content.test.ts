/**
 * Endpoint content filters and compression through the API, on every store: saved, read back, replaced and
 * patched; refused with a 422 that names the place; applied at fan-out (a filtered-out endpoint gets no
 * delivery row); and tried against sample messages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, DIALECTS, type ApiFixture } from '../helpers/env.js';
import { client, createApp, createEventType, expectError, type Client } from './support.js';

const FILTER = { 'payload.amount': { $gte: 1000 }, 'payload.currency': { $in: ['EUR', 'USD'] } };

describe.each(DIALECTS)('endpoint filters and compression ($name)', ({ make, skip }) => {
  let f: ApiFixture;
  let admin: Client;
  let appId: string;
  beforeAll(async () => {
    if (skip) return;
    f = await apiFixture(make);
    admin = client(f);
    appId = (await createApp(f, { name: 'Content', uid: 'content-app' })).id;
    await createEventType(f, 'invoice.paid');
    await createEventType(f, 'invoice.failed');
  });
  afterAll(async () => f?.close());
  const test = skip ? it.skip : it;

  async function endpoint(body: Record<string, unknown>) {
    const res = await admin.post(`/app/${appId}/endpoint`, { url: 'https://example.com/hook', ...body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string } & Record<string, unknown>;
  }

  test('creates with the defaults: no filter, no compression', async () => {
    const created = await endpoint({});
    expect(created).toMatchObject({ filter: null, compression: 'none', compressionThreshold: null });
  });

  test('saves a filter and compression, reads them back, and PUT and PATCH change them', async () => {
    const created = await endpoint({ filter: FILTER, compression: 'gzip', compressionThreshold: 2048 });
    expect(created).toMatchObject({ filter: FILTER, compression: 'gzip', compressionThreshold: 2048 });
    const read = await admin.get(`/app/${appId}/endpoint/${created.id}`);
    expect(read.json()).toMatchObject({ filter: FILTER, compression: 'gzip', compressionThreshold: 2048 });

    // PATCH changes what it names and keeps the rest.
    const patched = await admin.patch(`/app/${appId}/endpoint/${created.id}`, { compression: 'br' });
    expect(patched.json()).toMatchObject({ filter: FILTER, compression: 'br', compressionThreshold: 2048 });
    const cleared = await admin.patch(`/app/${appId}/endpoint/${created.id}`, { filter: null });
    expect(cleared.json()).toMatchObject({ filter: null, compression: 'br' });

    // PUT replaces: what it omits returns to the default.
    const put = await admin.put(`/app/${appId}/endpoint/${created.id}`, {
      url: 'https://example.com/hook',
      filter: { eventType: 'invoice.paid' },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({
      filter: { eventType: 'invoice.paid' },
      compression: 'none',
      compressionThreshold: null,
    });
    const listed = await admin.get(`/app/${appId}/endpoint`);
    const row = (listed.json().data as Array<{ id: string }>).find((e) => e.id === created.id);
    expect(row).toMatchObject({ filter: { eventType: 'invoice.paid' }, compression: 'none' });
  });

  test('refuses a filter Herald cannot evaluate cheaply with a 422 that names the place', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [
        { 'payload.amount': { $where: 'true' } },
        /body\.filter\["payload\.amount"\]\.\$where is not an operator/,
      ],
      [{ $where: 'sleep(1000)' }, /body\.filter\.\$where is not an operator/],
      [{ amount: 5 }, /body\.filter\.amount is not a path/],
      [{ 'payload..x': 5 }, /body\.filter\["payload\.\.x"\] has an empty segment/],
      [{ 'payload.__proto__': 5 }, /"__proto__" that a path may not use/],
      [{ 'eventType.x': 'a' }, /eventType has no fields/],
      [
        { 'payload.name': { $regex: '(a)\\1' } },
        /body\.filter\["payload\.name"\]\.\$regex is not a regular expression Herald can evaluate safely/,
      ],
      [{ 'payload.name': { $regex: '(?=a)b' } }, /\$regex is not a regular expression .* RE2 syntax/],
      [{ 'payload.name': { $regex: '((a{100}){100}){100}' } }, /\$regex is not a regular expression/],
      [{ 'payload.name': { $regex: 'x'.repeat(257) } }, /\$regex is longer than 256 characters/],
      [{ 'payload.name': { $regex: '[' } }, /\$regex is not a regular expression .*missing closing \]/],
      [{ 'payload.name': { $regex: 'a', $options: 'g' } }, /\$options takes the flags i, m and s/],
      [
        { $or: [{ 'payload.a': 1 }, { 'payload.b': { $gt: true } }] },
        /body\.filter\.\$or\[1\]\["payload\.b"\]\.\$gt takes/,
      ],
      [{ $and: [] }, /body\.filter\.\$and takes a list/],
      [
        { 'payload.id': { $in: Array.from({ length: 101 }, (_, i) => i) } },
        /\$in takes a list of at most 100/,
      ],
      [{ 'payload.tags': { $size: -1 } }, /\$size takes a whole number/],
      [{ 'payload.a': { $exists: 'yes' } }, /\$exists takes true or false/],
      [{ 'payload.a': { $not: 5 } }, /\$not takes an object of operators/],
      [{ payload: { amount: 5 } }, /use a dotted path/],
      [{ 'payload.a': { $gt: 1, b: 2 } }, /body\.filter\["payload\.a"\] must be a value to equal/],
      [{ $gt: 5 }, /body\.filter\.\$gt applies to a field/],
    ];
    for (const [filter, detail] of cases) {
      const res = await admin.post(`/app/${appId}/endpoint`, { url: 'https://example.com/hook', filter });
      expectError(res, 422, undefined, detail);
    }
    // A PATCH and a PUT are checked the same way.
    const { id } = await endpoint({});
    expectError(
      await admin.patch(`/app/${appId}/endpoint/${id}`, { filter: { 'payload.a': { $elemMatch: {} } } }),
      422,
      undefined,
      /\$elemMatch is not an operator/,
    );
    expectError(
      await admin.put(`/app/${appId}/endpoint/${id}`, {
        url: 'https://example.com/hook',
        filter: { channels: { $all: ['a'] } },
      }),
      422,
      undefined,
      /body\.filter\.channels\.\$all is not an operator/,
    );
    // A non-object filter or a bad compression setting is refused by the schema, never reaching the store.
    expectError(await admin.post(`/app/${appId}/endpoint`, { url: 'https://e.com/h', filter: [1] }), 422);
    expectError(
      await admin.post(`/app/${appId}/endpoint`, { url: 'https://e.com/h', compression: 'zip' }),
      422,
    );
    expectError(
      await admin.post(`/app/${appId}/endpoint`, { url: 'https://e.com/h', compressionThreshold: -1 }),
      422,
    );
  });

  test('applies filters at fan-out: a filtered-out endpoint gets no delivery row', async () => {
    const app = (await createApp(f, { name: 'Fan-out', uid: `fanout-${Date.now()}` })).id;
    const create = async (body: Record<string, unknown>) => {
      const res = await admin.post(`/app/${app}/endpoint`, { url: 'https://example.com/hook', ...body });
      expect(res.statusCode, res.body).toBe(201);
      return (res.json() as { id: string }).id;
    };
    const big = await create({ filter: FILTER });
    const all = await create({});
    const vip = await create({
      filter: {
        $or: [{ 'payload.customer.tier': 'gold' }, { 'payload.tags': { $size: 2 } }],
        'payload.customer.name': { $not: { $regex: '^test_', $options: 'i' } },
      },
    });
    const failed = await create({ filter: { eventType: 'invoice.failed', channels: 'eu' } });
    const endpointsOf = async (msgId: string) => {
      const page = await f.store.deliveryListByMessage(msgId, { limit: 100, order: 'ascending' });
      return page.data.map((delivery) => delivery.endpointId).sort();
    };
    const send = async (body: Record<string, unknown>) => {
      const res = await admin.post(`/app/${app}/msg`, { eventType: 'invoice.paid', ...body });
      expect(res.statusCode, res.body).toBe(202);
      const id = (res.json() as { id: string }).id;
      return endpointsOf(id);
    };
    expect(await send({ payload: { amount: 1500, currency: 'EUR', customer: { name: 'Ann' } } })).toEqual(
      [all, big].sort(),
    );
    expect(
      await send({ payload: { amount: 999, currency: 'EUR', customer: { tier: 'gold', name: 'B' } } }),
    ).toEqual([all, vip].sort());
    expect(
      await send({ payload: { amount: 5000, currency: 'GBP', customer: { tier: 'gold', name: 'TEST_x' } } }),
    ).toEqual([all]);
    expect(await send({ payload: { tags: ['a', 'b'], customer: { name: 'C' } } })).toEqual([all, vip].sort());
    const res = await admin.post(`/app/${app}/msg`, {
      eventType: 'invoice.failed',
      channels: ['eu', 'us'],
      payload: {},
    });
    expect(res.statusCode).toBe(202);
    expect(await endpointsOf((res.json() as { id: string }).id)).toEqual([all, failed].sort());
  });

  test('evaluates regular expressions in linear time: a pattern that backtracks for ever in JavaScript does not', async () => {
    // In JavaScript's RegExp this pattern takes 2^n steps on n "a"s not followed by the end: it would never finish.
    const filter = { 'payload.name': { $regex: '^(a|a)*$' } };
    const tryIt = (name: string) => admin.post(`/app/${appId}/filter/test`, { filter, payload: { name } });
    expect((await tryIt(`${'a'.repeat(100_000)}!`)).json()).toEqual({ matches: false });
    expect((await tryIt('a'.repeat(100_000))).json()).toEqual({ matches: true });
    // Flags: i, m and s.
    const flagged = { 'payload.name': { $regex: '^acme.corp$', $options: 'ims' } };
    const res = await admin.post(`/app/${appId}/filter/test`, {
      filter: flagged,
      payload: { name: 'x\nACME\nCorp' },
    });
    expect(res.json()).toEqual({ matches: true });
  });

  test('describes the fields and the filter test routes in the OpenAPI document', async () => {
    const doc = (await client(f, null).get('/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/app/{app_id}/filter/test',
        '/api/v1/app/{app_id}/endpoint/{endpoint_id}/filter/test',
      ]),
    );
    const create = doc.paths['/api/v1/app/{app_id}/endpoint'].post;
    const body = create.requestBody.content['application/json'].schema;
    const fields = body.properties ?? doc.components.schemas[body.$ref.split('/').pop()].properties;
    expect(Object.keys(fields)).toEqual(
      expect.arrayContaining(['filter', 'compression', 'compressionThreshold']),
    );
  });

  test('tries a filter, saved or not, against a sample message', async () => {
    const tryIt = (body: Record<string, unknown>) => admin.post(`/app/${appId}/filter/test`, body);
    const paid = { eventType: 'invoice.paid', payload: { amount: 1200, currency: 'USD' } };
    expect((await tryIt({ ...paid, filter: FILTER })).json()).toEqual({ matches: true });
    expect((await tryIt({ ...paid, payload: { amount: 12 }, filter: FILTER })).json()).toEqual({
      matches: false,
    });
    expect((await tryIt({ ...paid, filter: null })).json()).toEqual({ matches: true });
    expect(
      (await tryIt({ ...paid, channels: ['eu'], filter: { channels: { $in: ['eu'] } } })).json(),
    ).toEqual({ matches: true });
    expectError(
      await tryIt({ ...paid, filter: { 'payload.amount': { $gte: 1, $foo: 2 } } }),
      422,
      undefined,
      /body\.filter\["payload\.amount"\]\.\$foo is not an operator/,
    );

    const saved = await endpoint({ filter: FILTER, eventTypes: ['invoice.paid'] });
    const trySaved = (body: Record<string, unknown>) =>
      admin.post(`/app/${appId}/endpoint/${saved.id}/filter/test`, body);
    expect((await trySaved(paid)).json()).toEqual({ matches: true, receives: true });
    // The endpoint takes only invoice.paid: the filter matches, but the endpoint would not receive it.
    expect((await trySaved({ ...paid, eventType: 'invoice.failed' })).json()).toEqual({
      matches: true,
      receives: false,
    });
    // An unsaved draft is tried instead of the saved filter.
    expect((await trySaved({ ...paid, filter: { 'payload.amount': { $lt: 100 } } })).json()).toEqual({
      matches: false,
      receives: false,
    });
    expect((await admin.post(`/app/${appId}/endpoint/ep_nope/filter/test`, paid)).statusCode).toBe(404);
  });
});
