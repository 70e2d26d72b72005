import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, type ApiFixture } from '../helpers/env.js';
import { client, V1, type Client } from './support.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Schema = Record<string, any>;

/**
 * The Svix OpenAPI document Herald's API is a superset of: the contract our issues name, vendored unchanged so
 * these checks always run.
 */
const SVIX_REFERENCE = fileURLToPath(new URL('../fixtures/svix-openapi.json', import.meta.url));
const svix = JSON.parse(fs.readFileSync(SVIX_REFERENCE, 'utf8')) as Schema;
/**
 * The poller routes, which that document predates, taken from Svix's full document: Herald serves them as
 * Svix routes, so they are held to the same contract.
 */
const SVIX_POLLER = fileURLToPath(new URL('../fixtures/svix-openapi-poller.json', import.meta.url));
const poller = JSON.parse(fs.readFileSync(SVIX_POLLER, 'utf8')) as Schema;
Object.assign(svix.paths, poller.paths);
Object.assign(svix.components.schemas, poller.components.schemas);
/** Other operations of the full document that Herald serves. */
const FROM_FULL = [
  '/endpoint/{endpoint_id}/oauth',
  '/endpoint/{endpoint_id}/oauth-config',
  '/endpoint/{endpoint_id}/rate-limit-status',
  '/app/{app_id}/alert-email',
  '/api/v1/environment/settings',
];
/**
 * The operational-webhook, endpoint transformation and authentication routes, from Svix's full document
 * (vendored unchanged), with the schemas they use.
 */
const SVIX_FULL = fileURLToPath(new URL('../fixtures/svix-openapi-full.json', import.meta.url));
const full = JSON.parse(fs.readFileSync(SVIX_FULL, 'utf8')) as Schema;
for (const [path, operations] of Object.entries(full.paths as Schema))
  if (
    path.startsWith('/api/v1/operational-webhook/') ||
    path.startsWith('/api/v1/app/{app_id}/endpoint/{endpoint_id}/transformation') ||
    path.startsWith('/api/v1/auth/') ||
    FROM_FULL.some((tail) => path.endsWith(tail))
  )
    svix.paths[path] ??= operations;
/** The other operations of the full document Herald serves, held to the same contract. */
const FULL_OPERATIONS = [
  'get /api/v1/event-type/{event_type_name}/retry-schedule',
  'put /api/v1/event-type/{event_type_name}/retry-schedule',
  'post /api/v1/app/{app_id}/msg/search',
  'get /api/v1/app/{app_id}/events',
  'get /api/v1/app/{app_id}/msg/{msg_id}/raw',
  'post /api/v1/app/{app_id}/msg/precheck/active',
  'post /api/v1/app/{app_id}/endpoint/{endpoint_id}/msg/test-attempt',
  'get /api/v1/app/{app_id}/attempt/endpoint/{endpoint_id}/count',
  'get /api/v1/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}/headers',
  'post /api/v1/app/{app_id}/endpoint/{endpoint_id}/cancel-msgs',
  'get /api/v1/app/stats/count-active',
  'get /api/v1/stats/endpoint/count',
  'get /api/v1/app/{app_id}/stats/attempts',
  'get /api/v1/stats/app/{app_id}/attempt',
  'post /api/v1/app/{app_id}/msg/bulk-expunge',
];
for (const operation of FULL_OPERATIONS) {
  const [method, path] = operation.split(' ') as [string, string];
  svix.paths[path] = { ...svix.paths[path], [method]: full.paths[path][method] };
}
for (const [name, schema] of Object.entries(full.components.schemas as Schema))
  svix.components.schemas[name] ??= schema;
/** Background tasks and the operations that start them, from the full document too. */
const TASK_OPERATIONS = new Set([
  'v1.background-task.list',
  'v1.background-task.get',
  'v1.endpoint.recover',
  'v1.endpoint.replay-missing',
  'v1.endpoint.bulk-replay',
  'v1.message.expunge-all-contents',
  'v1.statistics.aggregate-app-stats',
  'v1.statistics.aggregate-event-types',
  'v1.message.broadcast',
  'v1.event-type.export-openapi',
]);
for (const [path, operations] of Object.entries(full.paths as Schema))
  for (const [method, operation] of Object.entries(operations as Schema))
    if (TASK_OPERATIONS.has(operation.operationId)) (svix.paths[path] ??= {})[method] = operation;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

describe('OpenAPI document and docs page', () => {
  let f: ApiFixture;
  let anonymous: Client;
  let doc: Schema;
  beforeAll(async () => {
    f = await apiFixture();
    anonymous = client(f, null);
    const res = await anonymous.get('/openapi.json');
    expect(res.statusCode).toBe(200);
    doc = JSON.parse(res.body);
  });
  afterAll(async () => f.close());

  it('serves the document without a key, as JSON', async () => {
    const res = await anonymous.get('/openapi.json');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(doc.components.securitySchemes.HTTPBearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('has the Svix paths, with Svix path parameter names', () => {
    for (const path of [
      '/api/v1/app',
      '/api/v1/app/{app_id}',
      '/api/v1/app/{app_id}/endpoint',
      '/api/v1/app/{app_id}/endpoint/{endpoint_id}',
      '/api/v1/app/{app_id}/endpoint/{endpoint_id}/headers',
      '/api/v1/app/{app_id}/endpoint/{endpoint_id}/secret',
      '/api/v1/app/{app_id}/endpoint/{endpoint_id}/secret/rotate',
      '/api/v1/app/{app_id}/endpoint/{endpoint_id}/msg',
      '/api/v1/app/{app_id}/msg',
      '/api/v1/app/{app_id}/msg/{msg_id}',
      '/api/v1/app/{app_id}/msg/{msg_id}/content',
      '/api/v1/app/{app_id}/msg/{msg_id}/endpoint',
      '/api/v1/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}',
      '/api/v1/app/{app_id}/msg/{msg_id}/attempt/{attempt_id}/content',
      '/api/v1/app/{app_id}/attempt/endpoint/{endpoint_id}',
      '/api/v1/app/{app_id}/attempt/msg/{msg_id}',
      '/api/v1/event-type',
      '/api/v1/event-type/{event_type_name}',
      '/api/v1/health',
    ])
      expect(Object.keys(doc.paths), path).toContain(path);
  });

  it('marks public routes as needing no key, and every other route as needing one', () => {
    expect(doc.security).toEqual([{ HTTPBearer: [] }]);
    for (const [path, operations] of Object.entries(doc.paths as Schema))
      for (const [method, operation] of Object.entries(operations as Schema)) {
        // The one-time token is its own credential: its exchange needs no key.
        const isPublic = path.startsWith(`${V1}/health`) || path === `${V1}/auth/one-time-token`;
        expect(operation.security, `${method} ${path}`).toEqual(isPublic ? [] : undefined);
      }
  });

  it('tags the routes Svix does not have as Herald additions', () => {
    for (const [path, operations] of Object.entries(doc.paths as Schema))
      for (const [method, operation] of Object.entries(operations as Schema))
        if (!svix.paths[path]?.[method]) expect(operation.tags, `${method} ${path}`).toContain('Herald');
  });

  describe('matches the Svix contract where the two overlap', () => {
    const shared: Array<{ path: string; method: string; herald: Schema; svix: Schema }> = [];
    beforeAll(() => {
      for (const [path, operations] of Object.entries(doc.paths as Schema))
        for (const [method, operation] of Object.entries(operations as Schema))
          if (svix.paths[path]?.[method])
            shared.push({ path, method, herald: operation, svix: svix.paths[path][method] });
      expect(shared.length).toBeGreaterThan(30);
    });

    /** Follows $ref, and unwraps single-branch allOf and nullable anyOf. */
    const resolve = (root: Schema, schema: Schema | undefined): Schema | undefined => {
      if (!schema) return schema;
      if (schema.$ref)
        return resolve(
          root,
          (schema.$ref as string)
            .split('/')
            .slice(1)
            .reduce((node: Schema, key) => node[key], root),
        );
      if (schema.allOf?.length === 1)
        return resolve(root, { ...schema.allOf[0], ...schema, allOf: undefined });
      if (schema.anyOf) {
        const branches = schema.anyOf.filter((branch: Schema) => branch.type !== 'null');
        if (branches.length === 1) return resolve(root, branches[0]);
      }
      return schema;
    };

    /** Every field Svix has (response) or requires (request), Herald has too, recursively. */
    const missingFields = (
      theirs: Schema | undefined,
      ours: Schema | undefined,
      at: string,
      depth = 0,
    ): string[] => {
      const s = resolve(svix, theirs);
      const h = resolve(doc, ours);
      if (!s || depth > 4) return [];
      if (!h) return [`${at}: missing`];
      if (s.type === 'array') return missingFields(s.items, h.items, `${at}[]`, depth + 1);
      return Object.keys(s.properties ?? {}).flatMap((name) =>
        h.properties?.[name]
          ? missingFields(s.properties[name], h.properties[name], `${at}.${name}`, depth + 1)
          : [`${at}.${name}`],
      );
    };

    it('uses the same success status codes', () => {
      for (const { path, method, herald, svix: theirs } of shared) {
        const codes = Object.keys(theirs.responses).filter((code) => code.startsWith('2'));
        for (const code of codes) expect(Object.keys(herald.responses), `${method} ${path}`).toContain(code);
      }
    });

    it('accepts every Svix query parameter', () => {
      for (const { path, method, herald, svix: theirs } of shared) {
        const ours = (herald.parameters ?? [])
          .filter((p: Schema) => p.in === 'query')
          .map((p: Schema) => p.name);
        for (const param of (theirs.parameters ?? []).filter((p: Schema) => p.in === 'query'))
          expect(ours, `${method} ${path}`).toContain(param.name);
      }
    });

    it('returns every field of the Svix response schemas', () => {
      const missing = shared.flatMap(({ path, method, herald, svix: theirs }) =>
        Object.keys(theirs.responses)
          .filter((code) => code.startsWith('2'))
          .flatMap((code) =>
            missingFields(
              theirs.responses[code]?.content?.['application/json']?.schema,
              herald.responses[code]?.content?.['application/json']?.schema,
              `${method} ${path} ${code}`,
            ),
          ),
      );
      expect(missing).toEqual([]);
    });

    it('accepts every field of the Svix request bodies and requires no field Svix does not', () => {
      for (const { path, method, herald, svix: theirs } of shared) {
        const their = resolve(svix, theirs.requestBody?.content?.['application/json']?.schema);
        if (!their) continue;
        const our = resolve(doc, herald.requestBody?.content?.['application/json']?.schema);
        expect(our, `${method} ${path}`).toBeDefined();
        expect(missingFields(their, our, `${method} ${path} body`)).toEqual([]);
        for (const name of our!.required ?? [])
          expect(their.required ?? [], `${method} ${path} requires ${name}`).toContain(name);
      }
    });
  });

  it('documents every method only under the API prefix', () => {
    for (const [path, operations] of Object.entries(doc.paths as Schema)) {
      expect(path.startsWith(`${V1}/`)).toBe(true);
      for (const method of Object.keys(operations as Schema)) expect(METHODS).toContain(method);
    }
  });

  it('serves the docs page as HTML without a key', async () => {
    const res = await anonymous.get('/docs');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toMatch(/<html/i);
    expect(res.body).toMatch(/swagger/i);
  });
});
