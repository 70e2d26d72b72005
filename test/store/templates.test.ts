import { expect, it } from 'vitest';
import { UniqueViolation, type TemplateContent } from '../../src/store/index.js';
import { newId } from '../../src/util/ids.js';
import { appInsert, endpointInsert, eventTypeInsert } from './builders.js';
import { describeStore } from './harness.js';

const ALL = { limit: 100, order: 'ascending' } as const;

function content(body: string, overrides: Partial<TemplateContent> = {}): TemplateContent {
  return { contentType: 'json', body, eventType: null, payloadVersion: null, ...overrides };
}

describeStore('store: templates', (ctx) => {
  const named = (label: string) => `${label} ${newId('template')}`;

  it('creates a template with its first version and reads both back', async () => {
    const id = newId('template');
    const name = named('slack');
    const created = await ctx.store.templateCreate(
      { id, name, description: 'for Slack' },
      content('{"text": {{ event.type | json }}}', { eventType: 'invoice.paid', payloadVersion: '1' }),
      1_000,
    );
    expect(created.template).toEqual({
      id,
      name,
      description: 'for Slack',
      latestVersion: 1,
      createdAt: 1_000,
      updatedAt: 1_000,
    });
    expect(created.version).toEqual({
      templateId: id,
      version: 1,
      contentType: 'json',
      body: '{"text": {{ event.type | json }}}',
      eventType: 'invoice.paid',
      payloadVersion: '1',
      createdAt: 1_000,
    });
    expect(await ctx.store.templateGet(id)).toEqual(created.template);
    expect(await ctx.store.templateVersionGet(id, 1)).toEqual(created.version);
    expect(await ctx.store.templateVersionGet(id, 2)).toBeUndefined();
    expect(await ctx.store.templateGet('tmpl_missing')).toBeUndefined();
  });

  it('refuses a second template with the same name', async () => {
    const name = named('dup');
    await ctx.store.templateCreate({ id: newId('template'), name, description: '' }, content('{}'));
    await expect(
      ctx.store.templateCreate({ id: newId('template'), name, description: '' }, content('{}')),
    ).rejects.toBeInstanceOf(UniqueViolation);
  });

  it('adds numbered versions without changing earlier ones', async () => {
    const id = newId('template');
    await ctx.store.templateCreate({ id, name: named('v'), description: '' }, content('one'), 1_000);
    const second = await ctx.store.templateVersionCreate(id, content('two', { contentType: 'text' }), 2_000);
    expect(second).toMatchObject({ templateId: id, version: 2, body: 'two', contentType: 'text' });
    expect((await ctx.store.templateGet(id))?.latestVersion).toBe(2);
    expect((await ctx.store.templateGet(id))?.updatedAt).toBe(2_000);
    expect((await ctx.store.templateVersionGet(id, 1))?.body).toBe('one');
    expect(await ctx.store.templateVersionCreate('tmpl_missing', content('x'))).toBeUndefined();
  });

  it('numbers concurrent edits consecutively', async () => {
    const id = newId('template');
    await ctx.store.templateCreate({ id, name: named('race'), description: '' }, content('0'));
    const made = await Promise.all(
      [1, 2, 3, 4, 5].map((n) => ctx.store.templateVersionCreate(id, content(String(n)))),
    );
    expect(made.map((version) => version!.version).sort()).toEqual([2, 3, 4, 5, 6]);
    expect((await ctx.store.templateGet(id))?.latestVersion).toBe(6);
  });

  it('lists versions by number, a page at a time', async () => {
    const id = newId('template');
    await ctx.store.templateCreate({ id, name: named('pages'), description: '' }, content('v1'));
    for (let i = 2; i <= 12; i++) await ctx.store.templateVersionCreate(id, content(`v${i}`));
    const first = await ctx.store.templateVersionList(id, { limit: 5, order: 'ascending' });
    expect(first.data.map((v) => v.version)).toEqual([1, 2, 3, 4, 5]);
    expect(first.done).toBe(false);
    const second = await ctx.store.templateVersionList(id, {
      limit: 5,
      order: 'ascending',
      iterator: first.iterator!,
    });
    // Numeric order, not text order: 10 comes after 9.
    expect(second.data.map((v) => v.version)).toEqual([6, 7, 8, 9, 10]);
    const newest = await ctx.store.templateVersionList(id, { limit: 3, order: 'descending' });
    expect(newest.data.map((v) => v.version)).toEqual([12, 11, 10]);
  });

  it('resolves latest versions and fetches many versions at once', async () => {
    const a = newId('template');
    const b = newId('template');
    await ctx.store.templateCreate({ id: a, name: named('a'), description: '' }, content('a1'));
    await ctx.store.templateCreate({ id: b, name: named('b'), description: '' }, content('b1'));
    await ctx.store.templateVersionCreate(b, content('b2'));
    expect(await ctx.store.templateLatestVersions([a, b, 'tmpl_missing'])).toEqual(
      new Map([
        [a, 1],
        [b, 2],
      ]),
    );
    const versions = await ctx.store.templateVersionGetMany([
      { templateId: a, version: 1 },
      { templateId: b, version: 2 },
      { templateId: b, version: 9 },
    ]);
    expect(versions.map((v) => v.body).sort()).toEqual(['a1', 'b2']);
    expect(await ctx.store.templateVersionGetMany([])).toEqual([]);
  });

  it('renames, lists and deletes templates with their versions', async () => {
    const store = await ctx.fresh();
    const first = newId('template');
    const second = newId('template');
    await store.templateCreate({ id: first, name: 'first', description: '' }, content('1'));
    await store.templateCreate({ id: second, name: 'second', description: '' }, content('2'));
    const renamed = await store.templateUpdate(first, { name: 'renamed', description: 'now' }, 5_000);
    expect(renamed).toMatchObject({
      name: 'renamed',
      description: 'now',
      latestVersion: 1,
      updatedAt: 5_000,
    });
    await expect(store.templateUpdate(second, { name: 'renamed' })).rejects.toBeInstanceOf(UniqueViolation);
    expect((await store.templateList(ALL)).data.map((t) => t.id)).toEqual([first, second]);
    expect(await store.templateDelete(first)).toBe(true);
    expect(await store.templateDelete(first)).toBe(false);
    expect(await store.templateVersionGet(first, 1)).toBeUndefined();
    expect(await store.templateUpdate(first, { name: 'gone' })).toBeUndefined();
  });

  it('stores what an endpoint receives and counts endpoints by template', async () => {
    const app = await ctx.store.applicationCreate(appInsert());
    const id = newId('template');
    await ctx.store.templateCreate({ id, name: named('ep'), description: '' }, content('{}'));
    const plain = await ctx.store.endpointCreate(endpointInsert(app.id));
    expect(plain).toMatchObject({
      templateId: null,
      templateVersion: null,
      payloadVersion: null,
      conversion: 'none',
    });
    const shaped = await ctx.store.endpointCreate(
      endpointInsert(app.id, { templateId: id, templateVersion: 1, payloadVersion: '2', conversion: 'xml' }),
    );
    expect(await ctx.store.endpointGet(app.id, shaped.id)).toMatchObject({
      templateId: id,
      templateVersion: 1,
      payloadVersion: '2',
      conversion: 'xml',
    });
    expect(await ctx.store.endpointCountByTemplate(id)).toBe(1);
    const changed = await ctx.store.endpointUpdate(app.id, plain.id, {
      templateId: id,
      templateVersion: null,
      conversion: 'form',
    });
    expect(changed).toMatchObject({ templateId: id, templateVersion: null, conversion: 'form' });
    expect(await ctx.store.endpointCountByTemplate(id)).toBe(2);
  });

  it('stores deprecated payload versions of an event type', async () => {
    const created = await ctx.store.eventTypeCreate(eventTypeInsert('tmpl.versioned'));
    expect(created.deprecatedVersions).toEqual([]);
    const updated = await ctx.store.eventTypeUpdate('tmpl.versioned', { deprecatedVersions: ['1'] });
    expect(updated?.deprecatedVersions).toEqual(['1']);
    const many = await ctx.store.eventTypeGetMany(['tmpl.versioned', 'nope']);
    expect([...many.keys()]).toEqual(['tmpl.versioned']);
    expect(many.get('tmpl.versioned')?.deprecatedVersions).toEqual(['1']);
  });

  it('reads many applications at once', async () => {
    const a = await ctx.store.applicationCreate(appInsert({ metadata: { tier: 'gold' } }));
    const found = await ctx.store.applicationGetMany([a.id, 'app_missing']);
    expect([...found.keys()]).toEqual([a.id]);
    expect(found.get(a.id)?.metadata).toEqual({ tier: 'gold' });
  });
});
