import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EndpointSecrets, MAX_PREVIOUS_SECRETS, RotationLimitReached } from '../../src/signing/secrets.js';
import { Vault } from '../../src/security/vault.js';
import { apiFixture, type ApiFixture } from '../helpers/env.js';
import { client, createApp, createEndpoint, expectError, type Client } from './support.js';

describe('endpoint headers and secret', () => {
  let f: ApiFixture;
  let admin: Client;
  let appId: string;
  let base: string;
  let endpointId: string;
  beforeAll(async () => {
    f = await apiFixture();
    admin = client(f);
    appId = (await createApp(f, { name: 'Settings', uid: 'settings' })).id;
  });
  beforeEach(async () => {
    endpointId = (await createEndpoint(f, appId)).id;
    base = `/app/${appId}/endpoint/${endpointId}`;
  });
  afterAll(async () => f.close());

  async function audit(action: string) {
    const page = await f.store.auditList({ appId, action }, { limit: 250, order: 'ascending' });
    return page.data.filter((record) => record.targetId === endpointId);
  }

  describe('headers', () => {
    it('starts with no headers', async () => {
      const res = await admin.get(`${base}/headers`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ headers: {}, sensitive: [] });
    });

    it('stores headers with PUT (204) and returns them, hiding the values of sensitive ones', async () => {
      const put = await admin.put(`${base}/headers`, {
        headers: {
          'X-Team': 'billing',
          Authorization: 'Bearer very-secret-token',
          'X-Api-Key': 'key-value-123',
          'X-Session-Id': 'session-value-456',
        },
      });
      expect(put.statusCode).toBe(204);
      expect(put.body).toBe('');
      const res = await admin.get(`${base}/headers`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.headers).toEqual({ 'X-Team': 'billing' });
      expect([...body.sensitive].sort()).toEqual(['Authorization', 'X-Api-Key', 'X-Session-Id']);
      for (const secret of ['very-secret-token', 'key-value-123', 'session-value-456'])
        expect(res.body).not.toContain(secret);
    });

    it('replaces all headers on PUT', async () => {
      await admin.put(`${base}/headers`, { headers: { 'X-One': '1', 'X-Two': '2' } });
      await admin.put(`${base}/headers`, { headers: { 'X-Three': '3' } });
      expect((await admin.get(`${base}/headers`)).json()).toEqual({
        headers: { 'X-Three': '3' },
        sensitive: [],
      });
    });

    it('PATCH adds and changes the headers given, removes those set to null, keeps the rest', async () => {
      await admin.put(`${base}/headers`, { headers: { 'X-Keep': 'k', 'X-Change': 'old', 'X-Drop': 'd' } });
      const res = await admin.patch(`${base}/headers`, {
        headers: { 'x-change': 'new', 'X-Drop': null, 'X-Add': 'a' },
      });
      expect(res.statusCode).toBe(204);
      expect((await admin.get(`${base}/headers`)).json().headers).toEqual({
        'X-Keep': 'k',
        'x-change': 'new',
        'X-Add': 'a',
      });
    });

    it('PATCH removes the headers named in deleteHeaders, case-insensitively', async () => {
      await admin.put(`${base}/headers`, {
        headers: { 'X-Keep': 'k', 'X-Drop': 'd', Authorization: 'Bearer gone' },
      });
      const res = await admin.patch(`${base}/headers`, {
        headers: { 'X-Add': 'a' },
        deleteHeaders: ['x-drop', 'AUTHORIZATION', 'X-Never-Set'],
      });
      expect(res.statusCode).toBe(204);
      expect((await admin.get(`${base}/headers`)).json()).toEqual({
        headers: { 'X-Keep': 'k', 'X-Add': 'a' },
        sensitive: [],
      });
      const records = await audit('endpoint.headers.changed');
      expect(records.at(-1)!.after).toEqual({ names: ['X-Keep', 'X-Add'] });

      expect(
        (await admin.patch(`${base}/headers`, { headers: {}, deleteHeaders: ['X-Keep'] })).statusCode,
      ).toBe(204);
      expect((await admin.get(`${base}/headers`)).json().headers).toEqual({ 'X-Add': 'a' });
    });

    it('PATCH refuses a header that is both set and deleted, changing nothing', async () => {
      await admin.put(`${base}/headers`, { headers: { 'X-A': '1' } });
      expectError(
        await admin.patch(`${base}/headers`, { headers: { 'X-A': '2' }, deleteHeaders: ['x-a'] }),
        422,
        'validation',
        /X-A/,
      );
      expect((await admin.get(`${base}/headers`)).json().headers).toEqual({ 'X-A': '1' });
      // Removing it both ways is consistent, so it is allowed.
      const res = await admin.patch(`${base}/headers`, { headers: { 'X-A': null }, deleteHeaders: ['X-A'] });
      expect(res.statusCode).toBe(204);
      expect((await admin.get(`${base}/headers`)).json().headers).toEqual({});
    });

    it('PATCH validates deleteHeaders', async () => {
      await admin.put(`${base}/headers`, { headers: { 'X-A': '1' } });
      for (const deleteHeaders of ['X-A', [1], [''], ['x'.repeat(257)], Array(51).fill('X-A'), null])
        expectError(await admin.patch(`${base}/headers`, { headers: {}, deleteHeaders }), 422, 'validation');
      expect((await admin.get(`${base}/headers`)).json().headers).toEqual({ 'X-A': '1' });
    });

    it('works through the endpoint uid', async () => {
      await createEndpoint(f, appId, { uid: 'headers-by-uid' });
      expect(
        (await admin.put('/app/settings/endpoint/headers-by-uid/headers', { headers: { 'X-A': 'b' } }))
          .statusCode,
      ).toBe(204);
      expect((await admin.get('/app/settings/endpoint/headers-by-uid/headers')).json().headers).toEqual({
        'X-A': 'b',
      });
    });

    it.each([
      'Content-Type',
      'content-length',
      'Host',
      'webhook-id',
      'Webhook-Signature',
      'svix-signature',
      'Connection',
    ])('rejects the reserved header %s with 422 on PUT and PATCH', async (name) => {
      await admin.put(`${base}/headers`, { headers: { 'X-Before': 'yes' } });
      expectError(
        await admin.put(`${base}/headers`, { headers: { [name]: 'x' } }),
        422,
        'validation',
        new RegExp(name, 'i'),
      );
      expectError(await admin.patch(`${base}/headers`, { headers: { [name]: 'x' } }), 422, 'validation');
      expect((await admin.get(`${base}/headers`)).json().headers).toEqual({ 'X-Before': 'yes' });
    });

    it.each([
      ['a carriage return', 'value\rInjected: yes'],
      ['a line feed', 'value\nInjected: yes'],
      ['CRLF', 'value\r\nInjected: yes'],
      ['a NUL', 'value\u0000'],
    ])('rejects a header value with %s', async (_label, value) => {
      expectError(
        await admin.put(`${base}/headers`, { headers: { 'X-Evil': value } }),
        422,
        'validation',
        /X-Evil/,
      );
      expectError(await admin.patch(`${base}/headers`, { headers: { 'X-Evil': value } }), 422, 'validation');
      expect((await admin.get(`${base}/headers`)).json().headers).toEqual({});
    });

    it('rejects header names that are not HTTP tokens', async () => {
      for (const name of ['X Space', 'X:Colon', 'X\r\nY', 'Ünicode'])
        expectError(await admin.put(`${base}/headers`, { headers: { [name]: 'v' } }), 422, 'validation');
    });

    it('validates the body shape', async () => {
      expectError(await admin.put(`${base}/headers`, {}), 422, 'validation', /headers/);
      expectError(await admin.put(`${base}/headers`, { headers: { 'X-A': 1 } }), 422, 'validation');
      expectError(await admin.put(`${base}/headers`, { headers: { 'X-A': null } }), 422, 'validation');
      const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`X-H${i}`, 'v']));
      expectError(await admin.put(`${base}/headers`, { headers: many }), 422, 'validation');
    });

    it('audits header changes by name, never by value', async () => {
      await admin.put(`${base}/headers`, { headers: { Authorization: 'Bearer audit-secret' } });
      const records = await audit('endpoint.headers.changed');
      expect(records).toHaveLength(1);
      expect(records[0]!.after).toEqual({ names: ['Authorization'] });
      expect(JSON.stringify(records)).not.toContain('audit-secret');
    });

    it('answers 404 for an unknown endpoint', async () => {
      const path = `/app/${appId}/endpoint/nope/headers`;
      expectError(await admin.get(path), 404, 'not_found');
      expectError(await admin.put(path, { headers: {} }), 404, 'not_found');
      expectError(await admin.patch(path, { headers: {} }), 404, 'not_found');
    });
  });

  describe('secret', () => {
    it('reveals a generated whsec_ secret, the same each time, and audits every reveal', async () => {
      const first = await admin.get(`${base}/secret`);
      expect(first.statusCode).toBe(200);
      expect(first.json()).toEqual({ key: expect.stringMatching(/^whsec_[A-Za-z0-9+/=]{32,100}$/) });
      expect((await admin.get(`${base}/secret`)).json().key).toBe(first.json().key);
      const records = await audit('endpoint.secret.revealed');
      expect(records).toHaveLength(2);
      expect(JSON.stringify(records)).not.toContain(first.json().key);
    });

    it('gives different endpoints different secrets', async () => {
      const other = await createEndpoint(f, appId);
      expect((await admin.get(`/app/${appId}/endpoint/${other.id}/secret`)).json().key).not.toBe(
        (await admin.get(`${base}/secret`)).json().key,
      );
    });

    it('returns a user-supplied secret normalised with the whsec_ prefix', async () => {
      const bare = 'dGhpcyBpcyBhIHRlc3Qgc2VjcmV0IGtleSAxMjM0NTY=';
      const plain = await createEndpoint(f, appId, { secret: bare });
      expect((await admin.get(`/app/${appId}/endpoint/${plain.id}/secret`)).json().key).toBe(`whsec_${bare}`);
      const prefixed = await createEndpoint(f, appId, { secret: `whsec_${bare}` });
      expect((await admin.get(`/app/${appId}/endpoint/${prefixed.id}/secret`)).json().key).toBe(
        `whsec_${bare}`,
      );
    });

    it('rotates to a new generated secret (204) and audits it', async () => {
      const before = (await admin.get(`${base}/secret`)).json().key;
      const res = await admin.post(`${base}/secret/rotate`, {});
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      const after = (await admin.get(`${base}/secret`)).json().key;
      expect(after).toMatch(/^whsec_/);
      expect(after).not.toBe(before);
      const records = await audit('endpoint.secret.rotated');
      expect(records).toHaveLength(1);
      expect(records[0]!.after).toEqual({ gracePeriodSeconds: 86400 });
      expect(JSON.stringify(records)).not.toContain(after);
    });

    it('rotates without a body at all', async () => {
      const before = (await admin.get(`${base}/secret`)).json().key;
      const res = await f.api.inject({
        method: 'POST',
        url: `/api/v1${base}/secret/rotate`,
        headers: f.admin,
      });
      expect(res.statusCode, res.body).toBe(204);
      expect((await admin.get(`${base}/secret`)).json().key).not.toBe(before);
    });

    it('rotates to a given key, normalised, with the grace period given', async () => {
      const key = 'E'.repeat(48);
      const res = await admin.post(`${base}/secret/rotate`, { key, gracePeriodSeconds: 60 });
      expect(res.statusCode).toBe(204);
      expect((await admin.get(`${base}/secret`)).json().key).toBe(`whsec_${key}`);
      const records = await audit('endpoint.secret.rotated');
      expect(records.at(-1)!.after).toEqual({ gracePeriodSeconds: 60 });
    });

    it('rejects an invalid key or grace period, keeping the secret', async () => {
      const before = (await admin.get(`${base}/secret`)).json().key;
      expectError(await admin.post(`${base}/secret/rotate`, { key: 'short' }), 422, 'validation', /key/);
      expectError(
        await admin.post(`${base}/secret/rotate`, { key: 'x'.repeat(40) + '!' }),
        422,
        'validation',
      );
      expectError(
        await admin.post(`${base}/secret/rotate`, { gracePeriodSeconds: -1 }),
        422,
        'validation',
        /gracePeriodSeconds/,
      );
      expectError(
        await admin.post(`${base}/secret/rotate`, { gracePeriodSeconds: 8 * 24 * 3600 }),
        422,
        'validation',
      );
      expect((await admin.get(`${base}/secret`)).json().key).toBe(before);
      expect(await audit('endpoint.secret.rotated')).toHaveLength(0);
    });

    it('rejects an invalid secret on create', async () => {
      for (const secret of ['short', 'whsec_' + '!'.repeat(40), 'x'.repeat(101)])
        expectError(
          await admin.post(`/app/${appId}/endpoint`, { url: 'https://example.com/', secret }),
          422,
          'validation',
          /secret/,
        );
    });

    it('answers 404 for an unknown endpoint', async () => {
      expectError(await admin.get(`/app/${appId}/endpoint/nope/secret`), 404, 'not_found');
      expectError(await admin.post(`/app/${appId}/endpoint/nope/secret/rotate`, {}), 404, 'not_found');
      expectError(await admin.get('/app/no-app/endpoint/nope/secret'), 404, 'not_found');
    });
  });
});

describe('EndpointSecrets.rotate', () => {
  const vault = new Vault(randomBytes(32));
  const secrets = new EndpointSecrets(vault);
  const HOUR = 60 * 60 * 1000;
  const start = Date.parse('2030-01-01T00:00:00Z');
  const currentKey = (sealed: string, now: number) => secrets.openSecrets(sealed, now)[0]!.key;

  it(`keeps the current secret and ${MAX_PREVIOUS_SECRETS} previous ones, and refuses one more (as Svix does)`, () => {
    let sealed = secrets.sealNewSecret(null);
    const keys = [currentKey(sealed, start)];
    for (let i = 1; i <= MAX_PREVIOUS_SECRETS; i++) {
      sealed = secrets.rotate(sealed, null, HOUR, start + i);
      keys.push(currentKey(sealed, start + i));
    }
    const now = start + MAX_PREVIOUS_SECRETS;
    const kept = secrets.openSecrets(sealed, now);
    expect(kept).toHaveLength(1 + MAX_PREVIOUS_SECRETS);
    // Newest first: the current secret, then the previous ones from the most recently replaced.
    expect(kept.map((secret) => secret.key)).toEqual([...keys].reverse());
    expect(kept[0]!.expiresAt).toBeNull();
    for (const secret of kept.slice(1)) expect(secret.expiresAt).toBeGreaterThan(now);
    // One more would cut the oldest one's grace period short: refused, naming when it expires.
    expect(() => secrets.rotate(sealed, null, HOUR, now + 1)).toThrow(RotationLimitReached);
    // Once the oldest has expired, a rotation goes through again.
    const later = start + 1 + HOUR;
    sealed = secrets.rotate(sealed, null, HOUR, later);
    expect(secrets.openSecrets(sealed, later)).toHaveLength(1 + MAX_PREVIOUS_SECRETS);
  });

  it('keeps each previous secret until its own grace period ends, and drops expired ones', () => {
    let sealed = secrets.sealNewSecret('whsec_' + 'A'.repeat(32));
    sealed = secrets.rotate(sealed, 'whsec_' + 'B'.repeat(32), 2 * HOUR, start);
    sealed = secrets.rotate(sealed, 'whsec_' + 'C'.repeat(32), HOUR / 2, start + 1000);
    expect(secrets.openSecrets(sealed, start + 1000)).toEqual([
      { key: 'whsec_' + 'C'.repeat(32), expiresAt: null },
      { key: 'whsec_' + 'B'.repeat(32), expiresAt: start + 1000 + HOUR / 2 },
      { key: 'whsec_' + 'A'.repeat(32), expiresAt: start + 2 * HOUR },
    ]);
    // Past the shorter grace period only A is left beside the current secret.
    sealed = secrets.rotate(sealed, 'whsec_' + 'D'.repeat(32), 0, start + HOUR);
    expect(secrets.openSecrets(sealed, start + HOUR).map((secret) => secret.key)).toEqual([
      'whsec_' + 'D'.repeat(32),
      'whsec_' + 'A'.repeat(32),
    ]);
  });
});
