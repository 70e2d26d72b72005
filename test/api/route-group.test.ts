/** Declaring routes once: what a declaration adds to the fastify route, and what its handler is told. */
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { routeGroup, routeOptions } from '../../src/api/route-group.js';
import { AppParams, errorResponses } from '../../src/api/schemas/common.js';
import type { Application } from '../../src/store/index.js';

const Ok = Type.Object({ ok: Type.Boolean() });

describe('route declarations', () => {
  it('tag a documented route with its group, and give it the error responses of an authenticated route', () => {
    const options = routeOptions(
      'GET',
      '/app/:app_id/thing',
      { access: 'app', summary: 'Get a thing', params: AppParams, response: { 200: Ok } },
      ['Thing'],
    );
    expect(options).toEqual({
      method: 'GET',
      url: '/app/:app_id/thing',
      config: { access: 'app' },
      schema: {
        tags: ['Thing'],
        summary: 'Get a thing',
        params: AppParams,
        response: { 200: Ok, ...errorResponses },
      },
    });
  });

  it("keep a route's own tags, and a public route's responses as declared", () => {
    const options = routeOptions(
      'GET',
      '/ping',
      { access: 'public', tags: ['Health'], summary: 'Ping', response: { 204: Type.Null() } },
      ['Thing'],
    );
    expect(options.schema).toEqual({ tags: ['Health'], summary: 'Ping', response: { 204: Type.Null() } });
    expect(options.config).toEqual({ access: 'public' });
  });

  it('leave a hidden route out of the document: no tags, no responses', () => {
    const options = routeOptions('GET', '/metrics', { access: 'admin', hide: true }, ['Thing']);
    expect(options.schema).toEqual({ hide: true });
  });

  it('carry the settings fastify and the hooks read, and only those that are set', () => {
    const options = routeOptions(
      'POST',
      '/app/:app_id/thing',
      {
        access: 'app',
        appOptional: true,
        idempotent: false,
        bodyLimit: 1024,
        optionalBody: true,
        summary: 'Make a thing',
        response: { 200: Ok },
      },
      undefined,
    );
    expect(options.config).toEqual({ access: 'app', appOptional: true, idempotent: false });
    expect(options.bodyLimit).toBe(1024);
    expect(options.preValidation).toBeTypeOf('function');
    expect((options.schema as { tags?: unknown }).tags).toBeUndefined();
  });

  it('refuse an app-scoped route whose path names no application', () => {
    expect(() =>
      routeOptions('GET', '/thing', { access: 'app', summary: 'A thing', response: { 200: Ok } }, []),
    ).toThrow(/no :app_id/);
  });

  it('give a route with an optional body the empty object when none is sent', async () => {
    const app = Fastify().withTypeProvider<TypeBoxTypeProvider>();
    routeGroup(app).post(
      '/echo',
      {
        access: 'public',
        summary: 'Echo',
        body: Type.Optional(Type.Object({ n: Type.Optional(Type.Integer()) })),
        response: { 200: Type.Object({ body: Type.Unknown() }) },
        optionalBody: true,
      },
      async (request) => ({ body: request.body }),
    );
    expect((await app.inject({ method: 'POST', url: '/echo' })).json()).toEqual({ body: {} });
    const sent = await app.inject({ method: 'POST', url: '/echo', payload: { n: 2 } });
    expect(sent.json()).toEqual({ body: { n: 2 } });
    await app.close();
  });

  it("type the handler's request from the schemas, with the application an app-scoped route always has", () => {
    const app = Fastify().withTypeProvider<TypeBoxTypeProvider>();
    const route = routeGroup(app);
    route.post(
      '/app/:app_id/thing',
      {
        access: 'app',
        summary: 'Make a thing',
        params: AppParams,
        body: Type.Object({ n: Type.Integer() }),
        response: { 200: Ok },
      },
      async (request) => {
        expectTypeOf(request.application).toEqualTypeOf<Application>();
        expectTypeOf(request.params.app_id).toEqualTypeOf<string>();
        expectTypeOf(request.body.n).toEqualTypeOf<number>();
        return { ok: true };
      },
    );
    route.post(
      '/app/:app_id/other',
      { access: 'app', appOptional: true, summary: 'Maybe make it', response: { 200: Ok } },
      async (request) => {
        expectTypeOf(request.application).toEqualTypeOf<Application | null>();
        return { ok: true };
      },
    );
    route.get('/any', { access: 'any', summary: 'Any', response: { 200: Ok } }, async (request) => {
      expectTypeOf(request.application).toEqualTypeOf<Application | null>();
      return { ok: true };
    });
  });
});
