import { expect, it } from 'vitest';
import { UniqueViolation } from '../../src/store/index.js';
import { eventTypeInsert } from './builders.js';
import { describeStore } from './harness.js';

const ALL = { limit: 100, order: 'ascending' } as const;

describeStore('store: event types', (ctx) => {
  it('creates an event type and reads it back with its schemas', async () => {
    const schemas = { '1': { type: 'object', properties: { amount: { type: 'number' } } } };
    const created = await ctx.store.eventTypeCreate(
      eventTypeInsert('invoice.paid', { schemas, deprecated: true, featureFlags: ['beta'] }),
      1_000,
    );
    expect(created).toEqual({
      name: 'invoice.paid',
      description: 'invoice.paid happened',
      schemas,
      archived: false,
      deprecated: true,
      featureFlags: ['beta'],
      groupName: null,
      retrySchedule: null,
      deprecatedVersions: [],
      createdAt: 1_000,
      updatedAt: 1_000,
    });
    expect(await ctx.store.eventTypeGet('invoice.paid')).toEqual(created);
    expect(await ctx.store.eventTypeGet('invoice.unknown')).toBeUndefined();
  });

  it('keeps a group name and a retry schedule, and reads the schedules of many event types at once', async () => {
    const store = await ctx.fresh();
    await store.eventTypeCreate(
      eventTypeInsert('a.grouped', { groupName: 'billing', retrySchedule: [10, 20] }),
    );
    await store.eventTypeCreate(eventTypeInsert('b.plain'));
    expect(await store.eventTypeGet('a.grouped')).toMatchObject({
      groupName: 'billing',
      retrySchedule: [10, 20],
    });
    await store.eventTypeUpdate('b.plain', { retrySchedule: [] });
    expect(await store.eventTypeRetrySchedules(['a.grouped', 'b.plain', 'c.none'])).toEqual(
      new Map([
        ['a.grouped', [10, 20]],
        ['b.plain', []],
      ]),
    );
    await store.eventTypeUpdate('a.grouped', { retrySchedule: null, groupName: null });
    expect(await store.eventTypeGet('a.grouped')).toMatchObject({ groupName: null, retrySchedule: null });
  });

  it('shows an event type with feature flags only to keys carrying one of them', async () => {
    const store = await ctx.fresh();
    await store.eventTypeCreate(eventTypeInsert('a.open'));
    await store.eventTypeCreate(eventTypeInsert('b.beta', { featureFlags: ['beta', 'eu'] }));
    await store.eventTypeCreate(eventTypeInsert('c.alpha', { featureFlags: ['alpha'] }));
    await store.eventTypeCreate(eventTypeInsert('d.emptied', { featureFlags: [] }));
    const names = async (flags?: string[]) =>
      (await store.eventTypeList(ALL, false, flags)).data.map((eventType) => eventType.name);
    expect(await names()).toEqual(['a.open', 'b.beta', 'c.alpha', 'd.emptied']);
    expect(await names([])).toEqual(['a.open', 'd.emptied']);
    expect(await names(['eu'])).toEqual(['a.open', 'b.beta', 'd.emptied']);
    expect(await names(['alpha', 'beta'])).toEqual(['a.open', 'b.beta', 'c.alpha', 'd.emptied']);
    expect(await names(['bet', '"beta"', 'be%'])).toEqual(['a.open', 'd.emptied']);
    expect((await store.eventTypeGet('d.emptied'))?.featureFlags).toBeNull();
  });

  it('refuses a second event type with the same name', async () => {
    await ctx.store.eventTypeCreate(eventTypeInsert('user.created'));
    await expect(ctx.store.eventTypeCreate(eventTypeInsert('user.created'))).rejects.toBeInstanceOf(
      UniqueViolation,
    );
  });

  it('lists event types by name, hiding archived ones unless asked', async () => {
    const store = await ctx.fresh();
    await store.eventTypeCreate(eventTypeInsert('b.second'));
    await store.eventTypeCreate(eventTypeInsert('a.first'));
    await store.eventTypeCreate(eventTypeInsert('c.archived', { archived: true }));
    const active = await store.eventTypeList(ALL, false);
    expect(active.data.map((eventType) => eventType.name)).toEqual(['a.first', 'b.second']);
    const all = await store.eventTypeList(ALL, true);
    expect(all.data.map((eventType) => eventType.name)).toEqual(['a.first', 'b.second', 'c.archived']);
    expect(all.data[2]?.archived).toBe(true);
  });

  it('updates the given fields, archiving and unarchiving', async () => {
    const created = await ctx.store.eventTypeCreate(eventTypeInsert('order.shipped'), 1_000);
    const archived = await ctx.store.eventTypeUpdate('order.shipped', { archived: true }, 2_000);
    expect(archived).toEqual({ ...created, archived: true, updatedAt: 2_000 });
    expect(await ctx.store.eventTypeFindActive(['order.shipped'])).toEqual(new Set());
    const changed = await ctx.store.eventTypeUpdate(
      'order.shipped',
      { archived: false, description: 'Shipped', schemas: null },
      3_000,
    );
    expect(changed).toEqual({ ...created, description: 'Shipped', updatedAt: 3_000 });
    expect(await ctx.store.eventTypeGet('order.shipped')).toEqual(changed);
    expect(await ctx.store.eventTypeUpdate('order.missing', { description: 'x' })).toBeUndefined();
  });

  it('deletes an event type', async () => {
    await ctx.store.eventTypeCreate(eventTypeInsert('temp.thing'));
    expect(await ctx.store.eventTypeDelete('temp.thing')).toBe(true);
    expect(await ctx.store.eventTypeGet('temp.thing')).toBeUndefined();
    expect(await ctx.store.eventTypeDelete('temp.thing')).toBe(false);
  });

  it('finds which names are in the catalogue and not archived', async () => {
    await ctx.store.eventTypeCreate(eventTypeInsert('active.one'));
    await ctx.store.eventTypeCreate(eventTypeInsert('active.two'));
    await ctx.store.eventTypeCreate(eventTypeInsert('archived.one', { archived: true }));
    const found = await ctx.store.eventTypeFindActive(['active.one', 'active.two', 'archived.one', 'nope']);
    expect(found).toEqual(new Set(['active.one', 'active.two']));
    expect(await ctx.store.eventTypeFindActive([])).toEqual(new Set());
  });
});
