/**
 * The API while its database cannot be reached, on an SQLite store whose every query fails with SQLite's own
 * I/O error for as long as the test says: requests, the key check included, answer 503 `database_unavailable`
 * with `Retry-After`, never a 500, and the health check names the database; all is well again after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { apiFixture, sqliteStore, type ApiFixture } from '../helpers/env.js';

describe('API: database unavailable', () => {
  let f: ApiFixture;
  /** Store methods that fail now: all of them, or the named ones. */
  let away: 'all' | Set<string> | null = null;
  const fails = (property: string | symbol) =>
    away === 'all' ? property !== 'close' : away !== null && away.has(String(property));

  beforeAll(async () => {
    f = await apiFixture(async () => {
      const fixture = await sqliteStore();
      const failing = new Proxy(fixture.store, {
        get(target, property, receiver) {
          const value: unknown = Reflect.get(target, property, receiver);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) =>
            fails(property)
              ? Promise.reject(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' }))
              : (value as (...a: unknown[]) => unknown).apply(target, args);
        },
      }) as Store;
      return { store: failing, close: () => fixture.close() };
    });
    await f.post('/app', { name: 'Acme', uid: 'acme' });
  });
  afterAll(async () => f.close());

  const send = () =>
    f.api.inject({
      method: 'POST',
      url: '/api/v1/app/acme/msg',
      headers: f.admin,
      payload: { eventType: 'user.created', payload: { n: 1 } },
    });
  const health = () => f.api.inject({ method: 'GET', url: '/api/v1/health' });

  it('answers 503 database_unavailable with Retry-After while the database is away, then recovers', async () => {
    away = 'all';
    try {
      const refused = await send();
      expect(refused.statusCode).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect(refused.json()).toMatchObject({ code: 'database_unavailable' });
      expect(refused.json().detail).toMatch(/database/);

      const down = await health();
      expect(down.statusCode).toBe(503);
      expect(down.headers['retry-after']).toBe('5');
      expect(down.json()).toMatchObject({ code: 'database_unavailable' });
      expect(down.json().detail).toMatch(/database does not answer/);
    } finally {
      away = null;
    }
    expect((await send()).statusCode).toBe(202);
    expect((await health()).statusCode).toBe(204);
  });

  it('answers 503 when the outbox write itself fails, through the grouped ingest writer', async () => {
    away = new Set(['messageCreateMany']);
    try {
      const refused = await Promise.all([send(), send(), send()]);
      for (const answer of refused) {
        expect(answer.statusCode).toBe(503);
        expect(answer.json()).toMatchObject({ code: 'database_unavailable' });
      }
    } finally {
      away = null;
    }
    expect((await send()).statusCode).toBe(202);
  });
});
