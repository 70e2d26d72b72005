import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Endpoint, Message } from '../../src/store/index.js';
import { CompiledCache } from '../../src/templates/compile.js';
import { BodyShaper } from '../../src/templates/shaper.js';
import { newId } from '../../src/util/ids.js';
import { sqliteStore, type StoreFixture } from '../helpers/env.js';
import { appInsert, endpointInsert, eventTypeInsert, messageOf } from '../store/builders.js';

describe('body shaping per claimed batch', () => {
  let fixture: StoreFixture;
  let appId: string;
  let message: Message;
  beforeAll(async () => {
    fixture = await sqliteStore();
    appId = (await fixture.store.applicationCreate(appInsert({ uid: 'acme', metadata: { tier: 'gold' } })))
      .id;
    message = messageOf(appId, { eventType: 'invoice.paid', payload: { amount: 42 } });
  });
  afterAll(async () => fixture.close());

  const endpoint = (overrides: Partial<Endpoint> = {}) =>
    ({
      ...endpointInsert(appId),
      templateId: null,
      templateVersion: null,
      payloadVersion: null,
      conversion: 'none',
      ...overrides,
    }) as Endpoint;

  it('makes no query for a batch without templates or pinned payload versions', async () => {
    const spies = [
      'templateLatestVersions',
      'templateVersionGetMany',
      'applicationGetMany',
      'eventTypeGetMany',
    ].map((name) => vi.spyOn(fixture.store, name as 'templateLatestVersions'));
    const shaper = new BodyShaper(fixture.store, new CompiledCache());
    const target = endpoint({ conversion: 'form' });
    const batch = await shaper.prepare([target, endpoint()], [message]);
    expect(batch.shape(target, message, message.payload!)).toEqual({
      ok: true,
      body: 'amount=42',
      contentType: 'application/x-www-form-urlencoded',
    });
    const queried = spies.flatMap((spy) =>
      spy.mock.calls.filter((call) => (call[0] as unknown[]).length > 0),
    );
    expect(queried).toEqual([]);
    spies.forEach((spy) => spy.mockRestore());
  });

  it('compiles a version once, then only reads the latest version numbers', async () => {
    const templateId = newId('template');
    await fixture.store.templateCreate(
      { id: templateId, name: 'shaper', description: '' },
      {
        contentType: 'text',
        body: '{{ app.uid }}/{{ app.metadata.tier }}: {{ event.data.amount }}',
        eventType: null,
        payloadVersion: null,
      },
    );
    const cache = new CompiledCache();
    const shaper = new BodyShaper(fixture.store, cache);
    const target = endpoint({ templateId });
    const fetch = vi.spyOn(fixture.store, 'templateVersionGetMany');
    for (let i = 0; i < 3; i++) {
      const batch = await shaper.prepare([target], [message]);
      expect(batch.shape(target, message, message.payload!)).toMatchObject({
        ok: true,
        body: 'acme/gold: 42',
      });
    }
    expect(fetch.mock.calls.filter((call) => call[0].length > 0)).toHaveLength(1);
    await fixture.store.templateVersionCreate(templateId, {
      contentType: 'text',
      body: 'v2',
      eventType: null,
      payloadVersion: null,
    });
    const batch = await shaper.prepare([target], [message]);
    expect(batch.shape(target, message, message.payload!)).toMatchObject({ ok: true, body: 'v2' });
    fetch.mockRestore();
  });

  it('reports a template that is gone', async () => {
    const shaper = new BodyShaper(fixture.store, new CompiledCache());
    const target = endpoint({ templateId: 'tmpl_gone', templateVersion: 3 });
    const batch = await shaper.prepare([target], [message]);
    expect(batch.shape(target, message, message.payload!)).toMatchObject({
      ok: false,
      problems: [
        { kind: 'binding', message: expect.stringMatching(/version 3 of template tmpl_gone does not exist/) },
      ],
    });
  });

  it('refuses an event in another payload version than the endpoint pins, without a template', async () => {
    await fixture.store.eventTypeCreate(
      eventTypeInsert('invoice.paid', { schemas: { '1': { type: 'object' }, '2': { type: 'object' } } }),
    );
    const shaper = new BodyShaper(fixture.store, new CompiledCache());
    const old = endpoint({ payloadVersion: '1' });
    const current = endpoint({ payloadVersion: '2' });
    const batch = await shaper.prepare([old, current], [message]);
    expect(batch.shape(old, message, message.payload!).ok).toBe(false);
    expect(batch.shape(current, message, message.payload!)).toMatchObject({
      ok: true,
      body: '{"amount":42}',
    });
  });
});
