/**
 * Svix's endpoint OAuth routes over Herald's `oauth2` outbound authentication: the shapes, the secret never
 * shown again, and a real token server that sees what Herald sends (client secret post, extra parameters and
 * headers, a refresh token, an RS256 client assertion).
 */
import { generateKeyPairSync, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HERALD_STORES, startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { eventually } from '../svix-compat/support.js';

for (const store of HERALD_STORES)
  describe.skipIf(store.skip)(`endpoint OAuth (${store.dialect})`, () => {
    let h: RunningHerald;
    let server: Receiver;
    let ep: string;
    beforeAll(async () => {
      h = await startTestHerald({}, { postgres: store.postgres });
      server = await startReceiver();
      server.answer((request) =>
        request.path === '/token'
          ? {
              status: 200,
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ access_token: `at-${server.received.length}`, expires_in: 3600 }),
            }
          : { status: 200, body: 'ok' },
      );
      expect((await h.call('POST', '/app', { name: 'OAuth', uid: 'oauth' })).status).toBe(201);
      ep = (await h.call('POST', '/app/oauth/endpoint', { url: `${server.url}/hook`, uid: 'hook' })).body.id;
    });
    afterAll(async () => {
      await server.close();
      await h.close();
    });

    const config = {
      grantType: 'clientCredentials',
      authMethod: 'clientSecretPost',
      clientId: 'herald-client',
      clientSecret: 'very-secret-value',
      tokenUrl: '',
      scopes: ['hooks.write', 'hooks.read'],
      extraParams: { resource: 'https://api.example.com' },
      extraHeaders: { 'X-Tenant': 'acme' },
    };

    it('reports no OAuth before it is set, then the configuration without its secret', async () => {
      expect((await h.call('GET', '/app/oauth/endpoint/hook/oauth')).status).toBe(404);
      expect((await h.call('GET', '/app/oauth/endpoint/hook/oauth-config')).body).toEqual({
        enabled: false,
        config: null,
      });
      const put = await h.call('PUT', `/app/oauth/endpoint/${ep}/oauth`, {
        ...config,
        tokenUrl: `${server.url}/token`,
      });
      expect(put.status, JSON.stringify(put.body)).toBe(204);
      const shown = (await h.call('GET', '/app/oauth/endpoint/hook/oauth')).body;
      expect(shown).toEqual({
        grantType: 'clientCredentials',
        authMethod: 'clientSecretPost',
        clientId: 'herald-client',
        tokenUrl: `${server.url}/token`,
        scopes: ['hooks.write', 'hooks.read'],
        extraParams: { resource: 'https://api.example.com' },
        extraHeaders: { 'x-tenant': 'acme' },
      });
      const status = (await h.call('GET', '/app/oauth/endpoint/hook/oauth-config')).body;
      expect(status).toEqual({ enabled: true, config: shown });
      expect((await h.call('GET', '/app/oauth/endpoint/hook/auth')).body).toMatchObject({ type: 'oauth2' });
      const audit = await h.call('GET', '/audit-log?app_id=oauth');
      expect(JSON.stringify(audit.body)).not.toContain('very-secret-value');
    });

    it('fetches the token as configured and sends it with each delivery', async () => {
      const sent = await h.call('POST', '/app/oauth/msg', { eventType: 'a.b', payload: { n: 1 } });
      expect(sent.status).toBe(202);
      await eventually(async () => expect(server.received.some((r) => r.path === '/hook')).toBe(true));
      const token = server.received.find((r) => r.path === '/token')!;
      const form = new URLSearchParams(token.body);
      expect(Object.fromEntries(form)).toEqual({
        resource: 'https://api.example.com',
        grant_type: 'client_credentials',
        scope: 'hooks.write hooks.read',
        client_id: 'herald-client',
        client_secret: 'very-secret-value',
      });
      expect(token.headers['x-tenant']).toBe('acme');
      const hook = server.received.find((r) => r.path === '/hook')!;
      expect(hook.headers.authorization).toMatch(/^Bearer at-/);
    });

    it('keeps the stored secret when a change leaves it out, and refuses a new client without one', async () => {
      const tokenUrl = `${server.url}/token`;
      const { clientSecret: _secret, ...withoutSecret } = config;
      const kept = await h.call('PUT', '/app/oauth/endpoint/hook/oauth', {
        ...withoutSecret,
        tokenUrl,
        scopes: ['hooks.write'],
      });
      expect(kept.status).toBe(204);
      const other = await h.call('PUT', '/app/oauth/endpoint/hook/oauth', {
        ...withoutSecret,
        tokenUrl,
        clientId: 'someone-else',
      });
      expect(other.status).toBe(422);
      expect(JSON.stringify(other.body)).toContain('clientSecret');
      const refresh = await h.call('PUT', '/app/oauth/endpoint/hook/oauth', {
        ...withoutSecret,
        tokenUrl,
        clientId: 'someone-else',
        grantType: 'refreshToken',
      });
      expect(refresh.status).toBe(422);
      expect(JSON.stringify(refresh.body)).toContain('refreshToken');
      const badUrl = await h.call('PUT', '/app/oauth/endpoint/hook/oauth', { ...config, tokenUrl: 'nope' });
      expect(badUrl.status).toBeGreaterThanOrEqual(400);
      expect(badUrl.status).toBeLessThan(500);
      expect(JSON.stringify(badUrl.body)).toContain('tokenUrl');
      const badHeader = await h.call('PUT', '/app/oauth/endpoint/hook/oauth', {
        ...config,
        tokenUrl,
        extraHeaders: { 'bad header': 'x' },
      });
      expect(badHeader.status).toBe(422);
      expect(JSON.stringify(badHeader.body)).toContain('extraHeaders');
    });

    it('signs an RS256 client assertion for clientSecretJwt', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      const put = await h.call('PUT', '/app/oauth/endpoint/hook/oauth', {
        grantType: 'clientCredentials',
        authMethod: 'clientSecretJwt',
        clientId: 'jwt-client',
        tokenUrl: `${server.url}/token`,
        jwtParams: {
          secretBase64: Buffer.from(pem).toString('base64'),
          signingAlgorithm: 'RS256',
          secretId: 'k1',
        },
      });
      expect(put.status, JSON.stringify(put.body)).toBe(204);
      expect((await h.call('GET', '/app/oauth/endpoint/hook/oauth')).body.authMethod).toBe('clientSecretJwt');
      const before = server.received.length;
      await h.call('POST', '/app/oauth/msg', { eventType: 'a.b', payload: { n: 2 } });
      await eventually(async () =>
        expect(server.received.slice(before).some((r) => r.path === '/token')).toBe(true),
      );
      const form = new URLSearchParams(server.received.slice(before).find((r) => r.path === '/token')!.body);
      expect(form.get('client_assertion_type')).toBe(
        'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      );
      const [header, claims, signature] = form.get('client_assertion')!.split('.');
      expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toMatchObject({
        alg: 'RS256',
        kid: 'k1',
      });
      expect(JSON.parse(Buffer.from(claims!, 'base64url').toString())).toMatchObject({
        iss: 'jwt-client',
        sub: 'jwt-client',
        aud: `${server.url}/token`,
      });
      const valid = verify(
        'sha256',
        Buffer.from(`${header}.${claims}`),
        publicKey,
        Buffer.from(signature!, 'base64url'),
      );
      expect(valid).toBe(true);
      const weak = await h.call('PUT', '/app/oauth/endpoint/hook/oauth', {
        grantType: 'clientCredentials',
        authMethod: 'clientSecretJwt',
        clientId: 'jwt-client',
        tokenUrl: `${server.url}/token`,
        jwtParams: { secretBase64: Buffer.from('not a key').toString('base64'), signingAlgorithm: 'RS256' },
      });
      expect(weak.status).toBe(422);
      expect(JSON.stringify(weak.body)).toContain('secretBase64');
    });

    it('removes OAuth, and only OAuth', async () => {
      expect((await h.call('DELETE', '/app/oauth/endpoint/hook/oauth')).status).toBe(204);
      expect((await h.call('GET', '/app/oauth/endpoint/hook/oauth-config')).body.enabled).toBe(false);
      await h.call('PUT', '/app/oauth/endpoint/hook/auth', { type: 'basic', username: 'u', password: 'p' });
      expect((await h.call('DELETE', '/app/oauth/endpoint/hook/oauth')).status).toBe(204);
      expect((await h.call('GET', '/app/oauth/endpoint/hook/auth')).body.type).toBe('basic');
    });
  });
