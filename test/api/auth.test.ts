import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/security/api-keys.js';
import { apiFixture, type ApiFixture } from '../helpers/env.js';
import {
  client,
  createApp,
  createEndpoint,
  createEventType,
  expectError,
  seedAttempt,
  seedMessage,
  V1,
  type Client,
  type Headers,
  type Method,
} from './support.js';

type Access = 'public' | 'admin' | 'app' | 'any';

/**
 * Every route of the API, as the OpenAPI document names it, with the access it requires. A test below fails
 * when a route is added without being listed here, so that new routes get their authorisation checked.
 */
const ROUTES: Array<[Method, string, Access]> = [
  ['GET', '/health', 'public'],
  ['GET', '/health/ping', 'public'],
  ['GET', '/app', 'any'],
  ['POST', '/app', 'admin'],
  ['GET', '/app/{app_id}', 'app'],
  ['PUT', '/app/{app_id}', 'admin'],
  ['PATCH', '/app/{app_id}', 'admin'],
  ['DELETE', '/app/{app_id}', 'admin'],
  ['GET', '/app/{app_id}/endpoint', 'app'],
  ['POST', '/app/{app_id}/endpoint', 'app'],
  ['GET', '/app/{app_id}/endpoint/{endpoint_id}', 'app'],
  ['PUT', '/app/{app_id}/endpoint/{endpoint_id}', 'app'],
  ['PATCH', '/app/{app_id}/endpoint/{endpoint_id}', 'app'],
  ['DELETE', '/app/{app_id}/endpoint/{endpoint_id}', 'app'],
  ['GET', '/app/{app_id}/endpoint/{endpoint_id}/headers', 'app'],
  ['PUT', '/app/{app_id}/endpoint/{endpoint_id}/headers', 'app'],
  ['PATCH', '/app/{app_id}/endpoint/{endpoint_id}/headers', 'app'],
  ['GET', '/app/{app_id}/endpoint/{endpoint_id}/transformation', 'app'],
  ['PATCH', '/app/{app_id}/endpoint/{endpoint_id}/transformation', 'app'],
  ['POST', '/app/{app_id}/endpoint/{endpoint_id}/transformation/simulate', 'app'],
  ['GET', '/app/{app_id}/endpoint/{endpoint_id}/secret', 'app'],
  ['POST', '/app/{app_id}/endpoint/{endpoint_id}/secret/rotate', 'app'],
  ['GET', '/app/{app_id}/endpoint/{endpoint_id}/msg', 'app'],
  ['GET', '/event-type', 'any'],
  ['POST', '/event-type', 'admin'],
  ['GET', '/event-type/{event_type_name}', 'any'],
  ['PUT', '/event-type/{event_type_name}', 'admin'],
  ['PATCH', '/event-type/{event_type_name}', 'admin'],
  ['DELETE', '/event-type/{event_type_name}', 'admin'],
  ['POST', '/event-type/import/openapi', 'admin'],
  ['POST', '/event-type/export/openapi', 'admin'],
  ['POST', '/environment/export', 'admin'],
  ['POST', '/environment/import', 'admin'],
  ['GET', '/event-type/{event_type_name}/retry-schedule', 'admin'],
  ['PUT', '/event-type/{event_type_name}/retry-schedule', 'admin'],
  ['GET', '/template', 'any'],
  ['POST', '/template', 'admin'],
  ['GET', '/template/{template_id}', 'any'],
  ['PUT', '/template/{template_id}', 'admin'],
  ['PATCH', '/template/{template_id}', 'admin'],
  ['DELETE', '/template/{template_id}', 'admin'],
  ['GET', '/template/{template_id}/version', 'any'],
  ['GET', '/template/{template_id}/version/{version}', 'any'],
  ['POST', '/template/{template_id}/render', 'any'],
  ['POST', '/template/render', 'any'],
  ['GET', '/app/{app_id}/msg', 'app'],
  ['POST', '/app/{app_id}/msg', 'app'],
  ['POST', '/app/{app_id}/msg/batch', 'app'],
  ['POST', '/app/{app_id}/msg/{msg_id}/endpoint/{endpoint_id}/resend', 'app'],
  ['POST', '/app/{app_id}/msg/{msg_id}/endpoint/{endpoint_id}/skip', 'app'],
  ['POST', '/app/{app_id}/filter/test', 'app'],
  ['POST', '/app/{app_id}/endpoint/{endpoint_id}/filter/test', 'app'],
  ['POST', '/app/{app_id}/endpoint/{endpoint_id}/send-example', 'app'],
  ['POST', '/app/{app_id}/endpoint/{endpoint_id}/recover', 'app'],
  ['POST', '/app/{app_id}/endpoint/{endpoint_id}/replay-missing', 'app'],
  ['POST', '/app/{app_id}/endpoint/{endpoint_id}/bulk-replay', 'app'],
  ['POST', '/app/{app_id}/msg/expunge-all-contents', 'app'],
  ['POST', '/app/{app_id}/msg/bulk-expunge', 'app'],
  ['POST', '/msg/broadcast', 'admin'],
  ['GET', '/background-task', 'any'],
  ['GET', '/background-task/{task_id}', 'any'],
  ['POST', '/stats/usage/app', 'admin'],
  ['PUT', '/stats/usage/event-types', 'admin'],
  ['GET', '/app/{app_id}/endpoint/{endpoint_id}/stats', 'app'],
  ['GET', '/app/{app_id}/endpoint/{endpoint_id}/health', 'app'],
  ['GET', '/app/{app_id}/endpoint/{endpoint_id}/health/adaptive-limit', 'app'],
  ['POST', '/app/{app_id}/endpoint/{endpoint_id}/relay/take', 'app'],
  ['POST', '/app/{app_id}/endpoint/{endpoint_id}/relay/{relay_id}', 'app'],
  ['GET', '/app/{app_id}/dead-letter', 'app'],
  ['POST', '/app/{app_id}/dead-letter/replay', 'app'],
  ['GET', '/app/{app_id}/msg/{msg_id}', 'app'],
  ['POST', '/app/{app_id}/msg/search', 'app'],
  ['GET', '/app/{app_id}/events', 'app'],
  ['GET', '/app/{app_id}/msg/{msg_id}/raw', 'app'],
  ['POST', '/app/{app_id}/msg/precheck/active', 'app'],
  ['POST', '/app/{app_id}/endpoint/{endpoint_id}/msg/test-attempt', 'app'],
  ['GET', '/app/{app_id}/attempt/endpoint/{endpoint_id}/count', 'app'],
  ['GET', '/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}/headers', 'app'],
  ['POST', '/app/{app_id}/endpoint/{endpoint_id}/cancel-msgs', 'app'],
  ['GET', '/app/stats/count-active', 'admin'],
  ['GET', '/stats/endpoint/count', 'admin'],
  ['GET', '/app/{app_id}/stats/attempts', 'app'],
  ['GET', '/stats/app/{app_id}/attempt', 'app'],
  ['GET', '/app/{app_id}/poller/{sink_id}', 'app'],
  ['GET', '/app/{app_id}/poller/{sink_id}/consumer/{consumer_id}', 'app'],
  ['POST', '/app/{app_id}/poller/{sink_id}/consumer/{consumer_id}/seek', 'app'],
  ['GET', '/app/{app_id}/polling-endpoint/{sink_id}/consumer/{consumer_id}', 'app'],
  ['POST', '/app/{app_id}/polling-endpoint/{sink_id}/consumer/{consumer_id}/commit', 'app'],
  ['DELETE', '/app/{app_id}/msg/{msg_id}/content', 'app'],
  ['GET', '/app/{app_id}/msg/{msg_id}/endpoint', 'app'],
  ['GET', '/app/{app_id}/attempt/endpoint/{endpoint_id}', 'app'],
  ['GET', '/app/{app_id}/attempt/msg/{msg_id}', 'app'],
  ['GET', '/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}', 'app'],
  ['DELETE', '/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}/content', 'app'],
  ['GET', '/api-key', 'admin'],
  ['POST', '/api-key', 'admin'],
  ['DELETE', '/api-key/{key_id}', 'admin'],
  ['PATCH', '/api-key/{key_id}', 'admin'],
  ['GET', '/app/{app_id}/endpoint/{endpoint_id}/public-key', 'app'],
  ['POST', '/app/{app_id}/endpoint/{endpoint_id}/public-key/rotate', 'app'],
  ['GET', '/app/{app_id}/endpoint/{endpoint_id}/auth', 'app'],
  ['PUT', '/app/{app_id}/endpoint/{endpoint_id}/auth', 'app'],
  ['DELETE', '/app/{app_id}/endpoint/{endpoint_id}/auth', 'app'],
  ['GET', '/app/{app_id}/endpoint/{endpoint_id}/ip-restrictions', 'app'],
  ['PUT', '/app/{app_id}/endpoint/{endpoint_id}/ip-restrictions', 'app'],
  ['GET', '/app/{app_id}/ip-restrictions', 'app'],
  ['PUT', '/app/{app_id}/ip-restrictions', 'admin'],
  ['GET', '/app/{app_id}/privacy', 'app'],
  ['PUT', '/app/{app_id}/privacy', 'admin'],
  ['GET', '/app/{app_id}/rate-limit', 'app'],
  ['GET', '/app/{app_id}/sla', 'app'],
  ['POST', '/app/{app_id}/sla', 'app'],
  ['GET', '/app/{app_id}/sla/{sla_id}', 'app'],
  ['PUT', '/app/{app_id}/sla/{sla_id}', 'app'],
  ['DELETE', '/app/{app_id}/sla/{sla_id}', 'app'],
  ['GET', '/sla/at-risk', 'admin'],
  ['GET', '/operational-webhook/endpoint', 'admin'],
  ['POST', '/operational-webhook/endpoint', 'admin'],
  ['GET', '/operational-webhook/endpoint/{endpoint_id}', 'admin'],
  ['PUT', '/operational-webhook/endpoint/{endpoint_id}', 'admin'],
  ['DELETE', '/operational-webhook/endpoint/{endpoint_id}', 'admin'],
  ['GET', '/operational-webhook/endpoint/{endpoint_id}/headers', 'admin'],
  ['PUT', '/operational-webhook/endpoint/{endpoint_id}/headers', 'admin'],
  ['GET', '/operational-webhook/endpoint/{endpoint_id}/secret', 'admin'],
  ['POST', '/operational-webhook/endpoint/{endpoint_id}/secret/rotate', 'admin'],
  ['GET', '/audit-log', 'admin'],
  ['POST', '/auth/app-portal-access/{app_id}', 'admin'],
  ['POST', '/auth/dashboard-access/{app_id}', 'admin'],
  ['GET', '/auth/whoami', 'any'],
  ['POST', '/auth/logout', 'any'],
  ['POST', '/auth/app/{app_id}/expire-all', 'admin'],
  ['POST', '/auth/app/{app_id}/create-message-token', 'admin'],
  ['POST', '/auth/one-time-token', 'public'],
  ['GET', '/auth/app/{app_id}/poller/{endpoint_id}/token', 'app'],
  ['POST', '/auth/app/{app_id}/poller/{endpoint_id}/token/rotate', 'app'],
  ['GET', '/app/{app_id}/endpoint/{endpoint_id}/oauth', 'app'],
  ['PUT', '/app/{app_id}/endpoint/{endpoint_id}/oauth', 'app'],
  ['DELETE', '/app/{app_id}/endpoint/{endpoint_id}/oauth', 'app'],
  ['GET', '/app/{app_id}/endpoint/{endpoint_id}/oauth-config', 'app'],
  ['GET', '/app/{app_id}/endpoint/{endpoint_id}/rate-limit-status', 'app'],
  ['PATCH', '/app/{app_id}/alert-email', 'app'],
  ['GET', '/app/{app_id}/alert-email', 'app'],
  ['GET', '/environment/settings', 'any'],
];

const fill = (template: string) => template.replace(/\{[a-z_]+\}/g, 'some-id');

describe('authentication and authorisation', () => {
  let f: ApiFixture;
  let admin: Client;
  let anonymous: Client;
  let appKey: Headers;
  let appKeyClient: Client;
  let appA: string;
  let appB: string;
  beforeAll(async () => {
    f = await apiFixture();
    admin = client(f);
    anonymous = client(f, null);
    appA = (await createApp(f, { name: 'A', uid: 'app-a' })).id;
    appB = (await createApp(f, { name: 'B', uid: 'app-b' })).id;
    appKey = await f.appKey(appA);
    appKeyClient = client(f, appKey);
    await createEventType(f, 'user.signup');
  });
  afterAll(async () => f.close());

  it('the route table here covers every route in the OpenAPI document', async () => {
    const doc = (await anonymous.get('/openapi.json')).json() as { paths: Record<string, object> };
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(ROUTES.map(([method, path]) => `${method} ${V1}${path}`).sort());
  });

  it('answers public routes without a key', async () => {
    expect((await anonymous.get('/health')).statusCode).toBe(204);
    expect((await anonymous.get('/health/ping')).statusCode).toBe(204);
    expect((await anonymous.send('HEAD', '/health')).statusCode).toBe(204);
    expect((await anonymous.get('/openapi.json')).statusCode).toBe(200);
    expect((await anonymous.get('/docs')).statusCode).toBe(200);
  });

  it.each(ROUTES.filter(([, , access]) => access !== 'public'))(
    'answers %s %s with 401 without a key',
    async (method, path) => {
      const res = await anonymous.send(
        method,
        fill(path),
        method === 'GET' || method === 'DELETE' ? undefined : {},
      );
      expectError(res, 401, 'authentication_failed', /Authorization/);
    },
  );

  it.each([
    ['an empty header', ''],
    ['another scheme', `Basic ${Buffer.from('user:pass').toString('base64')}`],
    ['Bearer without a token', 'Bearer'],
    ['Bearer with a space only', 'Bearer '],
    ['two tokens', 'Bearer one two'],
    ['a bare token', 'hk_admin_abcdef'],
  ])('rejects %s with 401', async (_label, authorization) => {
    expectError(await client(f, { authorization }).get('/app'), 401, 'authentication_failed');
  });

  it('rejects an unknown key with 401', async () => {
    const body = expectError(
      await client(f, { authorization: 'Bearer hk_admin_not-a-real-key' }).get('/app'),
      401,
      'authentication_failed',
    );
    expect(body.detail).toMatch(/not valid/);
  });

  it('accepts the scheme name in any case', async () => {
    expect((await client(f, { authorization: `bearer ${f.adminToken}` }).get('/app')).statusCode).toBe(200);
  });

  it('rejects an expired key with 401', async () => {
    const expired = generateApiKey({ name: 'old', appId: null, expiresAt: Date.now() - 1000 });
    await f.store.apiKeyCreate(expired.key);
    expectError(
      await client(f, { authorization: `Bearer ${expired.token}` }).get('/app'),
      401,
      'authentication_failed',
      /expired/,
    );
  });

  it('rejects a key revoked through DELETE /api-key/:id with 401', async () => {
    const created = (await admin.post('/api-key', { name: 'short-lived' })).json();
    const holder = client(f, { authorization: `Bearer ${created.token}` });
    expect((await holder.get('/app')).statusCode).toBe(200);
    expect((await admin.del(`/api-key/${created.id}`)).statusCode).toBe(204);
    expectError(await holder.get('/app'), 401, 'authentication_failed', /revoked/);
  });

  it('stops a revoked key at once even when keys are cached', async () => {
    const cached = await apiFixture(undefined, { HERALD_API_KEY_CACHE_SECONDS: '600' });
    try {
      const c = client(cached);
      const created = (await c.post('/api-key', { name: 'cached' })).json();
      const holder = client(cached, { authorization: `Bearer ${created.token}` });
      expect((await holder.get('/app')).statusCode).toBe(200);
      expect((await c.del(`/api-key/${created.id}`)).statusCode).toBe(204);
      expectError(await holder.get('/app'), 401, 'authentication_failed');
    } finally {
      await cached.close();
    }
  });

  describe('an application-scoped key', () => {
    let fixtures: Record<'a' | 'b', { ep: string; msg: string; attempt: string }>;
    beforeAll(async () => {
      const seed = async (appId: string, label: string) => {
        const endpoint = await createEndpoint(f, appId, { uid: `ep-${label}` });
        const { message, deliveries } = await seedMessage(f, appId, {
          eventId: `evt-${label}`,
          endpointIds: [endpoint.id],
        });
        const attempt = await seedAttempt(f, {
          appId,
          msgId: message.id,
          endpointId: endpoint.id,
          deliveryId: deliveries[0]!.id,
        });
        return { ep: `ep-${label}`, msg: `evt-${label}`, attempt: attempt.id };
      };
      fixtures = { a: await seed(appA, 'a'), b: await seed(appB, 'b') };
    });

    /** One valid request for every application route, in an order that can run start to end. */
    const appRequests = (app: string, ids: { ep: string; msg: string; attempt: string }) => {
      const ep = `/app/${app}/endpoint/${ids.ep}`;
      const msg = `/app/${app}/msg/${ids.msg}`;
      const requests: Array<[Method, string, unknown?]> = [
        ['GET', `/app/${app}`],
        ['GET', `/app/${app}/endpoint`],
        ['POST', `/app/${app}/endpoint`, { url: 'https://example.com/new' }],
        ['GET', ep],
        // The uid is sent again: a PUT without it would remove it (as in Svix), and later paths use it.
        ['PUT', ep, { url: 'https://example.com/put', uid: ids.ep }],
        ['PATCH', ep, { description: 'patched' }],
        ['GET', `${ep}/headers`],
        ['PUT', `${ep}/headers`, { headers: { 'X-A': '1' } }],
        ['PATCH', `${ep}/headers`, { headers: { 'X-B': '2' } }],
        ['GET', `${ep}/secret`],
        ['POST', `${ep}/secret/rotate`, {}],
        ['GET', `${ep}/public-key`],
        ['POST', `${ep}/public-key/rotate`, {}],
        ['PUT', `${ep}/auth`, { type: 'basic', username: 'u', password: 'p' }],
        ['GET', `${ep}/auth`],
        ['DELETE', `${ep}/auth`],
        ['PUT', `${ep}/ip-restrictions`, { allowedDestinationCidrs: ['127.0.0.1/32'] }],
        ['GET', `${ep}/ip-restrictions`],
        ['GET', `/app/${app}/ip-restrictions`],
        ['GET', `/app/${app}/privacy`],
        ['GET', `/app/${app}/rate-limit`],
        ['GET', `${ep}/msg`],
        ['GET', `/auth/app/${app}/poller/${ids.ep}/token`],
        [
          'PUT',
          `${ep}/oauth`,
          {
            grantType: 'clientCredentials',
            authMethod: 'clientSecretBasic',
            clientId: 'c',
            clientSecret: 's',
            tokenUrl: 'https://example.com/token',
          },
        ],
        ['GET', `${ep}/oauth`],
        ['GET', `${ep}/oauth-config`],
        ['DELETE', `${ep}/oauth`],
        ['GET', `${ep}/rate-limit-status`],
        ['PATCH', `/app/${app}/alert-email`, { email: 'ops@example.com' }],
        ['GET', `/app/${app}/alert-email`],
        ['POST', `/auth/app/${app}/poller/${ids.ep}/token/rotate`, {}],
        ['GET', `/app/${app}/msg`],
        ['POST', `/app/${app}/msg`, { eventType: 'user.signup', payload: { from: 'auth test' } }],
        ['GET', msg],
        ['GET', `${msg}/endpoint`],
        ['GET', `/app/${app}/attempt/endpoint/${ids.ep}`],
        ['GET', `/app/${app}/attempt/msg/${ids.msg}`],
        ['GET', `${msg}/attempt/${ids.attempt}`],
        ['DELETE', `${msg}/attempt/${ids.attempt}/content`],
        ['DELETE', `${msg}/content`],
        ['DELETE', ep],
      ];
      return requests;
    };

    it('gets 403 on every route of another application, which is left unchanged', async () => {
      const before = {
        endpoints: (await admin.get(`/app/${appB}/endpoint`)).json(),
        headers: (await admin.get(`/app/${appB}/endpoint/ep-b/headers`)).json(),
        secret: (await admin.get(`/app/${appB}/endpoint/ep-b/secret`)).json(),
        message: (await admin.get(`/app/${appB}/msg/evt-b`)).json(),
      };
      for (const app of ['app-b', appB])
        for (const [method, path, body] of appRequests(app, fixtures.b))
          expectError(await appKeyClient.send(method, path, body), 403, 'forbidden');
      expect((await admin.get(`/app/${appB}/endpoint`)).json()).toEqual(before.endpoints);
      expect((await admin.get(`/app/${appB}/endpoint/ep-b/headers`)).json()).toEqual(before.headers);
      expect((await admin.get(`/app/${appB}/endpoint/ep-b/secret`)).json()).toEqual(before.secret);
      expect((await admin.get(`/app/${appB}/msg/evt-b`)).json()).toEqual(before.message);
    });

    it('gets the same 403 for an application that does not exist, so existence does not leak', async () => {
      for (const [method, path, body] of appRequests('ghost-app', fixtures.b)) {
        const res = await appKeyClient.send(method, path, body);
        expectError(res, 403, 'forbidden');
      }
      const missing = await appKeyClient.get('/app/ghost-app');
      const existing = await appKeyClient.get('/app/app-b');
      expect(missing.statusCode).toBe(existing.statusCode);
      expect(missing.json().code).toBe(existing.json().code);
    });

    it('gets 403 on admin-only routes, which change nothing', async () => {
      const requests: Array<[Method, string, unknown?]> = [
        ['POST', '/app', { name: 'Sneaky' }],
        ['PUT', '/app/app-a', { name: 'Renamed' }],
        ['PATCH', '/app/app-a', { name: 'Renamed' }],
        ['DELETE', '/app/app-a'],
        ['POST', '/event-type', { name: 'sneaky.type', description: 'x' }],
        ['PUT', '/event-type/user.signup', { description: 'changed' }],
        ['PATCH', '/event-type/user.signup', { description: 'changed' }],
        ['DELETE', '/event-type/user.signup'],
        ['POST', '/template', { name: 'sneaky', contentType: 'text', body: 'x' }],
        [
          'PUT',
          '/template/tmpl_00000000000000000000000000',
          { name: 'sneaky', contentType: 'text', body: 'x' },
        ],
        ['PATCH', '/template/tmpl_00000000000000000000000000', { body: 'x' }],
        ['DELETE', '/template/tmpl_00000000000000000000000000'],
        ['GET', '/api-key'],
        ['POST', '/api-key', { name: 'escalate' }],
        ['DELETE', '/api-key/key_00000000000000000000000000'],
        ['PATCH', '/api-key/key_00000000000000000000000000', { rateLimit: 1 }],
        ['PUT', '/app/app-a/ip-restrictions', { allowedDestinationCidrs: null }],
        ['PUT', '/app/app-a/privacy', { redactionRules: [] }],
        ['GET', '/audit-log'],
        ['POST', '/auth/app-portal-access/app-a', {}],
        ['POST', '/auth/dashboard-access/app-a', {}],
        ['POST', '/auth/app/app-a/expire-all', {}],
        ['POST', '/auth/app/app-a/create-message-token', { name: 'escalate' }],
      ];
      for (const [method, path, body] of requests)
        expectError(await appKeyClient.send(method, path, body), 403, 'forbidden', /admin/);
      expect((await admin.get('/app/app-a')).json().name).toBe('A');
      expect((await admin.get('/event-type/user.signup')).json()).toMatchObject({
        description: 'The user.signup event',
        archived: false,
      });
      expectError(await admin.get('/event-type/sneaky.type'), 404);
      const keys = (await admin.get('/api-key')).json().data as Array<{ name: string }>;
      expect(keys.map((key) => key.name)).not.toContain('escalate');
    });

    it('lists only its own application', async () => {
      const res = await appKeyClient.get('/app');
      expect(res.statusCode).toBe(200);
      expect(res.json().data.map((app: { id: string }) => app.id)).toEqual([appA]);
      expect((await admin.get('/app')).json().data.length).toBeGreaterThan(1);
    });

    it('reads the event type catalogue', async () => {
      expect((await appKeyClient.get('/event-type')).statusCode).toBe(200);
      expect((await appKeyClient.get('/event-type/user.signup')).statusCode).toBe(200);
    });

    it('reaches every route of its own application, by uid or id', async () => {
      expect((await appKeyClient.get(`/app/${appA}`)).json().id).toBe(appA);
      for (const [method, path, body] of appRequests('app-a', fixtures.a)) {
        const res = await appKeyClient.send(method, path, body);
        expect(res.statusCode, `${method} ${path}: ${res.body}`).toBeLessThan(300);
      }
    });
  });
});
