/**
 * The security routes and controls through the API: signature settings and public keys, write-only outbound
 * credentials, IP rules, API keys limited to client networks and rates, the audit log and the rate-limit status.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/server.js';
import { generateApiKey } from '../../src/security/api-keys.js';
import { Vault } from '../../src/security/vault.js';
import { openStore } from '../../src/store/index.js';
import { apiFixture, tempDir, testConfig, type ApiFixture } from '../helpers/env.js';
import { client, createApp, createEndpoint, expectError, V1, type Client } from './support.js';

describe('security controls over the API', () => {
  let f: ApiFixture;
  let admin: Client;
  let appId: string;
  beforeAll(async () => {
    f = await apiFixture(undefined, { HERALD_API_RATE_LIMIT: '0' });
    admin = client(f);
    appId = (await createApp(f, { name: 'Sec', uid: 'sec' })).id;
  });
  afterAll(async () => f.close());

  describe('signatures', () => {
    it('takes signatureVersions on create and PATCH, keeps it on PUT when omitted, and validates it', async () => {
      const ep = await createEndpoint(f, 'sec', { signatureVersions: ['v1a'] });
      expect((await admin.get(`/app/sec/endpoint/${ep.id}`)).json().signatureVersions).toEqual(['v1a']);
      const put = await admin.put(`/app/sec/endpoint/${ep.id}`, { url: 'https://example.com/put' });
      expect(put.json().signatureVersions).toEqual(['v1a']);
      const patched = await admin.patch(`/app/sec/endpoint/${ep.id}`, { signatureVersions: ['v1', 'v1a'] });
      expect(patched.json().signatureVersions).toEqual(['v1', 'v1a']);
      expect((await createEndpoint(f, 'sec')).id).toBeDefined();
      for (const bad of [[], ['v2'], ['v1', 'v1'], 'v1'])
        expectError(
          await admin.patch(`/app/sec/endpoint/${ep.id}`, { signatureVersions: bad }),
          422,
          'validation',
          /signatureVersions/,
        );
    });

    it('hands out the public key, and gives an endpoint made before Ed25519 its key on first use', async () => {
      const ep = await createEndpoint(f, 'sec');
      const first = (await admin.get(`/app/sec/endpoint/${ep.id}/public-key`)).json();
      expect(first).toEqual({ key: expect.stringMatching(/^whpk_[A-Za-z0-9+/]{43}=$/), previousKeys: [] });
      expect((await admin.get(`/app/sec/endpoint/${ep.id}/public-key`)).json()).toEqual(first);
      await f.store.endpointUpdate(appId, ep.id, { signingKeysSealed: null });
      const made = (await admin.get(`/app/sec/endpoint/${ep.id}/public-key`)).json();
      expect(made.key).not.toBe(first.key);
      expect((await admin.get(`/app/sec/endpoint/${ep.id}/public-key`)).json()).toEqual(made);
      expectError(
        await admin.post(`/app/sec/endpoint/${ep.id}/public-key/rotate`, { gracePeriodSeconds: 8 * 86400 }),
        422,
        'validation',
      );
      expect((await admin.post(`/app/sec/endpoint/${ep.id}/public-key/rotate`)).statusCode).toBe(204);
      const rotated = (await admin.get(`/app/sec/endpoint/${ep.id}/public-key`)).json();
      expect(rotated.previousKeys).toEqual([{ key: made.key, expiresAt: expect.any(String) }]);
      const expiresIn = Date.parse(rotated.previousKeys[0].expiresAt) - Date.now();
      expect(Math.abs(expiresIn - 86_400_000)).toBeLessThan(60_000);
    });

    it('records a key rotation with its grace period and the new public key, never the secret key', async () => {
      const ep = await createEndpoint(f, 'sec');
      const res = await admin.post(`/app/sec/endpoint/${ep.id}/public-key/rotate`, {
        gracePeriodSeconds: 60,
      });
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      const current = (await admin.get(`/app/sec/endpoint/${ep.id}/public-key`)).json();
      const records = (
        await admin.get(`/audit-log?target_id=${ep.id}&action=endpoint.signing_key.rotated`)
      ).json().data;
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        appId,
        targetType: 'endpoint',
        after: { gracePeriodSeconds: 60, publicKey: current.key },
      });
      expect(JSON.stringify(records)).not.toContain('whsk_');
    });
  });

  describe('outbound credentials', () => {
    it('are write-only: shown once when Herald generates them, never by GET, and never in the audit log', async () => {
      const ep = await createEndpoint(f, 'sec');
      const set = await admin.put(`/app/sec/endpoint/${ep.id}/auth`, { type: 'jwt' });
      expect(set.statusCode).toBe(200);
      const generated = set.json().generatedKey as string;
      expect(generated).toHaveLength(43);
      const read = (await admin.get(`/app/sec/endpoint/${ep.id}/auth`)).body;
      expect(read).not.toContain(generated);
      expect(JSON.parse(read)).toEqual({ type: 'jwt', algorithm: 'HS256', expiresInSeconds: 60 });
      await admin.put(`/app/sec/endpoint/${ep.id}/auth`, {
        type: 'oauth2',
        tokenUrl: 'https://auth.example.com/token',
        clientId: 'id',
        clientSecret: 'very-secret-client-secret',
        clientAuth: 'body',
      });
      const audit = (await admin.get(`/audit-log?target_id=${ep.id}`)).body;
      expect(audit).not.toContain(generated);
      expect(audit).not.toContain('very-secret-client-secret');
      // An Idempotency-Key is not honoured where the response may hold a generated key.
      const again = await admin.put(
        `/app/sec/endpoint/${ep.id}/auth`,
        { type: 'jwt' },
        { 'idempotency-key': 'k' },
      );
      const replay = await admin.put(
        `/app/sec/endpoint/${ep.id}/auth`,
        { type: 'jwt' },
        { 'idempotency-key': 'k' },
      );
      expect(replay.json().generatedKey).not.toBe(again.json().generatedKey);
    });

    it('are unreadable in the database file, as are signing secrets, keys and sensitive headers', async () => {
      const tmp = tempDir();
      const file = path.join(tmp.dir, 'herald.db');
      const store = openStore({ sqliteFile: file });
      await store.migrate();
      const api = await buildApi({
        config: testConfig({}, tmp.dir),
        store,
        vault: new Vault(randomBytes(32)),
      });
      const { key, token } = generateApiKey({ name: 'admin', appId: null });
      await store.apiKeyCreate(key);
      const call = (method: 'POST' | 'PUT' | 'GET', url: string, payload?: object) =>
        api.inject({ method, url: `${V1}${url}`, headers: { authorization: `Bearer ${token}` }, payload });
      try {
        await call('POST', '/app', { name: 'disk', uid: 'disk' });
        const secret = `whsec_${randomBytes(32).toString('base64')}`;
        const ep = (
          await call('POST', '/app/disk/endpoint', {
            url: 'https://example.com/hook',
            secret,
            signatureVersions: ['v1', 'v1a'],
            headers: { Authorization: 'Token header-value-secret' },
          })
        ).json();
        const basic = await call('PUT', `/app/disk/endpoint/${ep.id}/auth`, {
          type: 'basic',
          username: 'u',
          password: 'password-on-disk',
        });
        expect(basic.statusCode).toBe(200);
        const jwt = await call('PUT', `/app/disk/endpoint/${ep.id}/auth`, {
          type: 'jwt',
          algorithm: 'HS256',
        });
        const hsKey = jwt.json().generatedKey as string;
        await store.close();
        const bytes = Buffer.concat(
          [file, `${file}-wal`].filter((name) => fs.existsSync(name)).map((name) => fs.readFileSync(name)),
        ).toString('latin1');
        expect(bytes).toContain(ep.id);
        for (const plain of [
          secret,
          secret.slice(6),
          'header-value-secret',
          'password-on-disk',
          hsKey,
          token,
          'whsk_',
        ])
          expect(bytes.includes(plain), plain).toBe(false);
      } finally {
        await api.close();
        tmp.remove();
      }
    });
  });

  describe('API keys limited to client networks', () => {
    it('refuses a key outside its networks with 403 and records it, and accepts it inside', async () => {
      const created = (
        await admin.post('/api-key', {
          name: 'office only',
          allowedClientCidrs: ['203.0.113.0/24', '::ffff:198.51.100.7'],
        })
      ).json();
      expect(created.allowedClientCidrs).toEqual(['203.0.113.0/24', '198.51.100.7/32']);
      const from = (remoteAddress: string) =>
        f.api.inject({
          method: 'GET',
          url: `${V1}/app`,
          headers: { authorization: `Bearer ${created.token}` },
          remoteAddress,
        });
      expect((await from('203.0.113.9')).statusCode).toBe(200);
      expect((await from('::ffff:203.0.113.9')).statusCode).toBe(200);
      expect((await from('198.51.100.7')).statusCode).toBe(200);
      const refused = await from('192.0.2.1');
      expectError(refused, 403, 'forbidden', /192\.0\.2\.1/);
      const audit = (await admin.get(`/audit-log?action=auth.forbidden&actor=${created.id}`)).json().data;
      expect(audit[0]).toMatchObject({
        actor: created.id,
        ip: '192.0.2.1',
        targetId: 'GET /api/v1/app',
        after: {
          status: 403,
          reason: expect.stringMatching(/may not be used from/),
          tokenPrefix: 'hk_admin_',
        },
      });
      expect(JSON.stringify(audit)).not.toContain(created.token);

      const patched = await admin.patch(`/api-key/${created.id}`, { allowedClientCidrs: null });
      expect(patched.json().allowedClientCidrs).toBeNull();
      expect((await from('192.0.2.1')).statusCode).toBe(200);
      expectError(
        await admin.patch(`/api-key/${created.id}`, { allowedClientCidrs: ['nope'] }),
        422,
        'validation',
        /not a CIDR/,
      );
      expectError(await admin.patch('/api-key/key_missing', { rateLimit: 1 }), 404, 'not_found');
      const changes = (await admin.get(`/audit-log?action=api_key.changed&target_id=${created.id}`)).json()
        .data;
      expect(changes[0]).toMatchObject({
        before: { allowedClientCidrs: ['203.0.113.0/24', '198.51.100.7/32'], rateLimit: null },
        after: { allowedClientCidrs: null, rateLimit: null },
      });
    });
  });

  describe('rate limits per API key', () => {
    it('answers 429 with Retry-After over the limit, records the trip once, and recovers', async () => {
      const created = (await admin.post('/api-key', { name: 'slow', appId: 'sec', rateLimit: 2 })).json();
      const limited = client(f, { authorization: `Bearer ${created.token}` });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await limited.get('/app/sec');
        statuses.push(res.statusCode);
        if (res.statusCode === 200) expect(res.headers['x-ratelimit-limit']).toBe('2');
        if (res.statusCode === 429) {
          expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
          expectError(res, 429, 'rate_limited', /2 requests a second/);
        }
      }
      // The bucket holds two seconds' worth.
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
      // Other keys are not affected.
      expect((await admin.get('/app/sec')).statusCode).toBe(200);
      const trips = (await admin.get(`/audit-log?action=api_key.rate_limited&target_id=${created.id}`)).json()
        .data;
      expect(trips).toHaveLength(1);
      expect(trips[0]).toMatchObject({
        actor: created.id,
        appId,
        after: { limit: 2, method: 'GET', path: `${V1}/app/sec` },
      });
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect((await limited.get('/app/sec')).statusCode).toBe(200);
    });

    it('applies HERALD_API_RATE_LIMIT to keys without their own limit', async () => {
      const limitedServer = await apiFixture(undefined, { HERALD_API_RATE_LIMIT: '1' });
      try {
        const c = client(limitedServer);
        expect((await c.get('/app')).statusCode).toBe(200);
        expect((await c.get('/app')).statusCode).toBe(200);
        expectError(await c.get('/app'), 429, 'rate_limited');
        // Public routes are never limited.
        expect((await client(limitedServer, null).get('/health')).statusCode).toBe(204);
      } finally {
        await limitedServer.close();
      }
    });
  });

  describe('the rate-limit status route', () => {
    it('shows each endpoint’s throttleRate, bucket and queue', async () => {
      const app = await createApp(f, { name: 'Rates', uid: 'rates' });
      const limited = await createEndpoint(f, 'rates', { throttleRate: 10, uid: 'limited' });
      const free = await createEndpoint(f, 'rates', { uid: 'free' });
      await f.store.endpointTakeTokens(limited.id, 10, 10, Date.now());
      const res = await admin.get('/app/rates/rate-limit');
      expect(res.statusCode).toBe(200);
      // Listed as GET …/endpoint lists them: newest first.
      const [b, a] = res.json().data;
      expect(a).toMatchObject({
        endpointId: limited.id,
        endpointUid: 'limited',
        throttleRate: 10,
        capacity: 10,
        pending: 0,
      });
      expect(a.tokens).toBeLessThan(2);
      expect(b).toEqual({
        endpointId: free.id,
        endpointUid: 'free',
        throttleRate: null,
        tokens: null,
        capacity: null,
        nextTokenAt: null,
        pending: 0,
      });
      expect(app.id).toBeDefined();
      const paged = (await admin.get('/app/rates/rate-limit?limit=1')).json();
      expect(paged.data).toHaveLength(1);
      expect(paged.done).toBe(false);
    });
  });

  describe('the audit log', () => {
    it('records failed authentication with the IP, never the token', async () => {
      const bad = await f.api.inject({
        method: 'POST',
        url: `${V1}/app`,
        headers: { authorization: 'Bearer hk_admin_this-token-is-wrong', 'content-type': 'application/json' },
        payload: '{}',
        remoteAddress: '198.51.100.20',
      });
      expect(bad.statusCode).toBe(401);
      const records = (await admin.get('/audit-log?action=auth.failed')).json().data;
      expect(records[0]).toMatchObject({
        actor: 'anonymous',
        ip: '198.51.100.20',
        action: 'auth.failed',
        targetId: 'POST /api/v1/app',
        after: { status: 401, reason: expect.stringMatching(/not valid/), tokenPrefix: 'hk_admin_' },
      });
      expect(JSON.stringify(records)).not.toContain('this-token-is-wrong');
    });

    it('bounds failure records per IP and minute', async () => {
      for (let i = 0; i < 15; i++)
        await f.api.inject({ method: 'GET', url: `${V1}/app`, remoteAddress: '198.51.100.99' });
      const records = (await admin.get('/audit-log?action=auth.&limit=250'))
        .json()
        .data.filter((record: { ip: string }) => record.ip === '198.51.100.99');
      expect(records).toHaveLength(10);
      expect(records[0].after.note).toMatch(/not recorded/);
    });

    it('filters by application (id or uid), action, actor and time, and pages newest first', async () => {
      const ep = await createEndpoint(f, 'sec', { uid: 'audited' });
      await admin.patch(`/app/sec/endpoint/${ep.id}`, { url: 'https://example.com/moved' });
      await admin.put(`/app/sec/endpoint/${ep.id}/ip-restrictions`, {
        allowedDestinationCidrs: ['192.0.2.0/24'],
      });
      await admin.put('/app/sec/ip-restrictions', { allowedDestinationCidrs: ['192.0.2.0/24'] });
      const byUid = (await admin.get('/audit-log?app_id=sec&limit=3')).json();
      expect(byUid.data.map((r: { action: string }) => r.action)).toEqual([
        'application.ip_restrictions.changed',
        'endpoint.ip_restrictions.changed',
        'endpoint.url.changed',
      ]);
      expect(byUid.data[2]).toMatchObject({
        appId,
        targetId: ep.id,
        before: { url: 'https://example.com/hook' },
        after: { url: 'https://example.com/moved' },
        ip: '127.0.0.1',
        timestamp: expect.any(String),
      });
      expect(byUid.done).toBe(false);
      const next = (await admin.get(`/audit-log?app_id=${appId}&limit=3&iterator=${byUid.iterator}`)).json();
      expect(next.data[0].action).toBe('endpoint.created');
      expect(next.data[0].targetId).toBe(ep.id);
      const prefix = (await admin.get(`/audit-log?action=endpoint.&target_id=${ep.id}`)).json().data;
      expect(prefix.map((r: { action: string }) => r.action)).toEqual([
        'endpoint.ip_restrictions.changed',
        'endpoint.url.changed',
        'endpoint.created',
      ]);
      const future = new Date(Date.now() + 60_000).toISOString();
      expect((await admin.get(`/audit-log?after=${future}`)).json().data).toEqual([]);
      expect((await admin.get(`/audit-log?before=${future}&limit=1`)).json().data).toHaveLength(1);
      expectError(await admin.get('/audit-log?after=yesterday'), 422, 'validation');
      const keyId = (await f.store.apiKeyList())[0]!.id;
      expect((await admin.get(`/audit-log?actor=${keyId}&limit=250`)).json().data.length).toBeGreaterThan(3);
      expectError(
        await admin.put('/app/ghost/ip-restrictions', { allowedDestinationCidrs: null }),
        404,
        'not_found',
      );
    });
  });
});
