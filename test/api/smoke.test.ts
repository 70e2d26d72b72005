import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, type ApiFixture } from '../helpers/env.js';

describe('API smoke', () => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await apiFixture();
  });
  afterAll(async () => f.close());

  it('creates and reads an application', async () => {
    const created = await f.api.inject({
      method: 'POST',
      url: '/api/v1/app',
      headers: f.admin,
      payload: { name: 'Acme', uid: 'acme' },
    });
    expect(created.statusCode).toBe(201);
    const got = await f.api.inject({ method: 'GET', url: '/api/v1/app/acme', headers: f.admin });
    expect(got.json()).toMatchObject({ name: 'Acme', uid: 'acme', id: created.json().id });
  });

  it('answers health without a key, with an empty 204', async () => {
    const res = await f.api.inject({ method: 'GET', url: '/api/v1/health' });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
  });
});
