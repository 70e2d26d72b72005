import { Type } from '@sinclair/typebox';
import type { Application } from '../../store/index.js';
import { newId } from '../../util/ids.js';
import { throttleRate } from '../aliases.js';
import { routeModule } from '../route-group.js';
import { forbidden, notFound } from '../errors.js';
import { findApplication } from '../lookups.js';
import { mapPage, pageQuery } from '../pagination.js';
import { ApplicationIn, ApplicationOut, ApplicationPatch } from '../schemas/applications.js';
import { AppParams, IdempotencyHeaders, ListResponse, OrderedPageQuery, toIso } from '../schemas/common.js';

export function applicationOut(app: Application) {
  return {
    id: app.id,
    uid: app.uid,
    name: app.name,
    metadata: app.metadata,
    throttleRate: app.throttleRate,
    // The same setting under the name newer svix SDKs read.
    rateLimit: app.throttleRate,
    createdAt: toIso(app.createdAt),
    updatedAt: toIso(app.updatedAt),
  };
}

export const applicationRoutes = routeModule({ tags: ['Application'] }, (route, { store, config }) => {
  route.get(
    '/app',
    {
      access: 'any',
      summary: 'List applications',
      description:
        'An application-scoped key sees only its own application (the dashboard finds its application this ' +
        'way), or gets 403 as in Svix with HERALD_APP_KEY_ACCESS=svix.',
      querystring: OrderedPageQuery,
      response: { 200: ListResponse(ApplicationOut) },
    },
    async (request) => {
      if (request.principal?.appId && config.appKeyAccess === 'svix')
        throw forbidden('listing applications needs an admin key; read your application at /app/{app_id}');
      const page = await store.applicationList(
        pageQuery(request.query, 'ascending'),
        request.principal?.appId ?? undefined,
      );
      return mapPage(page, applicationOut);
    },
  );

  route.post(
    '/app',
    {
      access: 'admin',
      summary: 'Create an application',
      description: 'With `get_if_exists=true`, an application whose uid is taken is returned instead (200).',
      querystring: Type.Object({ get_if_exists: Type.Optional(Type.Boolean({ default: false })) }),
      headers: IdempotencyHeaders,
      body: ApplicationIn,
      response: { 200: ApplicationOut, 201: ApplicationOut },
    },
    async (request, reply) => {
      const body = request.body;
      const rate = throttleRate(body);
      if (request.query.get_if_exists && body.uid) {
        const existing = await store.applicationGet(body.uid);
        if (existing) return reply.status(200).send(applicationOut(existing));
      }
      const created = await store.applicationCreate({
        id: newId('application'),
        uid: body.uid ?? null,
        name: body.name,
        metadata: body.metadata ?? {},
        throttleRate: rate ?? null,
      });
      return reply.status(201).send(applicationOut(created));
    },
  );

  route.get(
    '/app/:app_id',
    {
      access: 'app',
      summary: 'Get an application',
      params: AppParams,
      response: { 200: ApplicationOut },
    },
    async (request) => applicationOut(request.application),
  );

  route.put(
    '/app/:app_id',
    {
      access: 'admin',
      summary: 'Update an application, or create it',
      description:
        'Replaces the application: omitted optional fields return to their defaults, `uid` too (as in Svix). ' +
        "If no application has this id or uid, one is created with the body's `uid`, or else `app_id`, as " +
        'its uid (201).',
      params: AppParams,
      body: ApplicationIn,
      response: { 200: ApplicationOut, 201: ApplicationOut },
    },
    async (request, reply) => {
      const { app_id } = request.params;
      const body = request.body;
      const existing = await store.applicationGet(app_id);
      const fields = {
        name: body.name,
        metadata: body.metadata ?? {},
        throttleRate: throttleRate(body) ?? null,
      };
      if (!existing) {
        const created = await store.applicationCreate({
          id: newId('application'),
          uid: body.uid ?? app_id,
          ...fields,
        });
        return reply.status(201).send(applicationOut(created));
      }
      const updated = await store.applicationUpdate(existing.id, { ...fields, uid: body.uid ?? null });
      if (!updated) throw notFound('application', app_id);
      return applicationOut(updated);
    },
  );

  route.patch(
    '/app/:app_id',
    {
      access: 'admin',
      summary: 'Change some fields of an application',
      params: AppParams,
      body: ApplicationPatch,
      response: { 200: ApplicationOut },
    },
    async (request) => {
      const { app_id } = request.params;
      const { name, uid, metadata } = request.body;
      const rate = throttleRate(request.body);
      const existing = await findApplication(store, app_id);
      // Only the documented fields: the body may carry unknown keys, which must never reach the store.
      const updated = await store.applicationUpdate(existing.id, {
        name,
        uid,
        metadata,
        throttleRate: rate,
      });
      if (!updated) throw notFound('application', app_id);
      return applicationOut(updated);
    },
  );

  route.delete(
    '/app/:app_id',
    {
      access: 'admin',
      summary: 'Delete an application',
      description: 'Deletes the application with its endpoints, messages and attempts.',
      params: AppParams,
      response: { 204: Type.Null() },
    },
    async (request, reply) => {
      const { app_id } = request.params;
      const existing = await findApplication(store, app_id);
      if (!(await store.applicationDelete(existing.id))) throw notFound('application', app_id);
      return reply.status(204).send(null);
    },
  );
});
