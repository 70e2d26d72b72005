import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Endpoint } from '../../store/index.js';
import { newId } from '../../util/ids.js';
import type { ApiContext } from '../context.js';
import { checkEndpointUrl, checkEventTypes, EndpointSecrets } from '../endpoint-config.js';
import { notFound, unprocessable } from '../errors.js';
import { mapPage, pageQuery } from '../pagination.js';
import {
  AppParams,
  errorResponses,
  IdempotencyHeaders,
  ListResponse,
  Ordering,
  PageQueryString,
  toIso,
} from '../schemas/common.js';
import {
  EndpointIn,
  EndpointOut,
  EndpointParams,
  EndpointPatch,
  EndpointUpdate,
} from '../schemas/endpoints.js';

const tags = ['Endpoint'];

export function endpointOut(endpoint: Endpoint) {
  return {
    id: endpoint.id,
    uid: endpoint.uid,
    url: endpoint.url,
    description: endpoint.description,
    disabled: endpoint.disabled,
    eventTypes: endpoint.eventTypes,
    // The same filter under the name the official svix SDKs read.
    filterTypes: endpoint.eventTypes,
    channels: endpoint.channels,
    metadata: endpoint.metadata,
    throttleRate: endpoint.throttleRate,
    version: 1,
    createdAt: toIso(endpoint.createdAt),
    updatedAt: toIso(endpoint.updatedAt),
  };
}

/**
 * The event-type filter of an endpoint body. The contract calls it `eventTypes`; the official svix SDKs send
 * `filterTypes`. Either is accepted; both at once must agree.
 */
function eventTypeFilter(body: {
  eventTypes?: string[] | null | undefined;
  filterTypes?: string[] | null | undefined;
}): string[] | null | undefined {
  const { eventTypes, filterTypes } = body;
  if (eventTypes === undefined) return filterTypes;
  if (filterTypes !== undefined && JSON.stringify(filterTypes) !== JSON.stringify(eventTypes))
    throw unprocessable('body.eventTypes and body.filterTypes are the same setting; send only one of them');
  return eventTypes;
}

export const endpointRoutes =
  (context: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { store, config, audit } = context;
    const secrets = new EndpointSecrets(context.vault);

    async function findEndpoint(appId: string, endpointId: string): Promise<Endpoint> {
      const endpoint = await store.endpointGet(appId, endpointId);
      if (!endpoint) throw notFound('endpoint', endpointId);
      return endpoint;
    }

    app.get(
      '/app/:app_id/endpoint',
      {
        config: { access: 'app' },
        schema: {
          tags,
          summary: "List an application's endpoints",
          params: AppParams,
          querystring: Type.Object({ ...PageQueryString, order: Type.Optional(Ordering) }),
          response: { 200: ListResponse(EndpointOut), ...errorResponses },
        },
      },
      async (request) => {
        const page = await store.endpointList(request.application!.id, pageQuery(request.query, 'ascending'));
        return mapPage(page, endpointOut);
      },
    );

    app.post(
      '/app/:app_id/endpoint',
      {
        config: { access: 'app' },
        schema: {
          tags,
          summary: 'Create an endpoint',
          description: 'When `secret` is null or omitted, a secret is generated (recommended).',
          params: AppParams,
          headers: IdempotencyHeaders,
          body: EndpointIn,
          response: { 201: EndpointOut, ...errorResponses },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const url = checkEndpointUrl(body.url, config);
        const eventTypes = eventTypeFilter(body);
        await checkEventTypes(store, eventTypes);
        const created = await store.endpointCreate({
          id: newId('endpoint'),
          appId: request.application!.id,
          uid: body.uid ?? null,
          url,
          description: body.description ?? '',
          disabled: body.disabled ?? false,
          eventTypes: eventTypes ?? null,
          channels: body.channels ?? null,
          metadata: body.metadata ?? {},
          throttleRate: body.throttleRate ?? null,
          headersSealed: secrets.sealHeaders({}),
          secretsSealed: secrets.sealNewSecret(body.secret),
        });
        await audit.record(request, {
          action: 'endpoint.created',
          targetType: 'endpoint',
          targetId: created.id,
          appId: created.appId,
          after: { url: created.url },
        });
        return reply.status(201).send(endpointOut(created));
      },
    );

    app.get(
      '/app/:app_id/endpoint/:endpoint_id',
      {
        config: { access: 'app' },
        schema: {
          tags,
          summary: 'Get an endpoint',
          params: EndpointParams,
          response: { 200: EndpointOut, ...errorResponses },
        },
      },
      async (request) => endpointOut(await findEndpoint(request.application!.id, request.params.endpoint_id)),
    );

    app.put(
      '/app/:app_id/endpoint/:endpoint_id',
      {
        config: { access: 'app' },
        schema: {
          tags,
          summary: 'Update an endpoint, or create it',
          description:
            'Replaces the endpoint; omitted fields return to their defaults. If no endpoint has this id or uid, ' +
            'one is created with `endpoint_id` as its uid (201).',
          params: EndpointParams,
          body: EndpointUpdate,
          response: { 200: EndpointOut, 201: EndpointOut, ...errorResponses },
        },
      },
      async (request, reply) => {
        const appId = request.application!.id;
        const { endpoint_id } = request.params;
        const body = request.body;
        const url = checkEndpointUrl(body.url, config);
        const eventTypes = eventTypeFilter(body);
        await checkEventTypes(store, eventTypes);
        const fields = {
          url,
          description: body.description ?? '',
          disabled: body.disabled ?? false,
          eventTypes: eventTypes ?? null,
          channels: body.channels ?? null,
          metadata: body.metadata ?? {},
          throttleRate: body.throttleRate ?? null,
        };
        const existing = await store.endpointGet(appId, endpoint_id);
        if (!existing) {
          const created = await store.endpointCreate({
            id: newId('endpoint'),
            appId,
            uid: body.uid ?? endpoint_id,
            ...fields,
            headersSealed: secrets.sealHeaders({}),
            secretsSealed: secrets.sealNewSecret(null),
          });
          return reply.status(201).send(endpointOut(created));
        }
        const updated = await store.endpointUpdate(appId, existing.id, {
          ...fields,
          ...(body.uid !== undefined && { uid: body.uid }),
        });
        if (!updated) throw notFound('endpoint', endpoint_id);
        await auditUrlChange(request, existing, updated);
        return endpointOut(updated);
      },
    );

    app.patch(
      '/app/:app_id/endpoint/:endpoint_id',
      {
        config: { access: 'app' },
        schema: {
          tags,
          summary: 'Change some fields of an endpoint',
          params: EndpointParams,
          body: EndpointPatch,
          response: { 200: EndpointOut, ...errorResponses },
        },
      },
      async (request) => {
        const appId = request.application!.id;
        const existing = await findEndpoint(appId, request.params.endpoint_id);
        const { secret, url, uid, description, disabled, channels, metadata, throttleRate } = request.body;
        const eventTypes = eventTypeFilter(request.body);
        await checkEventTypes(store, eventTypes);
        // Only the documented fields: the body may carry unknown keys, which must never reach the store.
        const updated = await store.endpointUpdate(appId, existing.id, {
          uid,
          description,
          disabled,
          eventTypes,
          channels,
          metadata,
          throttleRate,
          ...(url !== undefined && { url: checkEndpointUrl(url, config) }),
          ...(secret !== undefined && { secretsSealed: secrets.sealNewSecret(secret) }),
        });
        if (!updated) throw notFound('endpoint', request.params.endpoint_id);
        await auditUrlChange(request, existing, updated);
        if (secret !== undefined)
          await audit.record(request, {
            action: 'endpoint.secret.replaced',
            targetType: 'endpoint',
            targetId: existing.id,
            appId,
          });
        return endpointOut(updated);
      },
    );

    app.delete(
      '/app/:app_id/endpoint/:endpoint_id',
      {
        config: { access: 'app' },
        schema: {
          tags,
          summary: 'Delete an endpoint',
          params: EndpointParams,
          response: { 204: Type.Null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        const appId = request.application!.id;
        const existing = await findEndpoint(appId, request.params.endpoint_id);
        if (!(await store.endpointDelete(appId, existing.id)))
          throw notFound('endpoint', request.params.endpoint_id);
        await audit.record(request, {
          action: 'endpoint.deleted',
          targetType: 'endpoint',
          targetId: existing.id,
          appId,
          before: { url: existing.url },
        });
        return reply.status(204).send(null);
      },
    );

    async function auditUrlChange(
      request: Parameters<typeof audit.record>[0],
      before: Endpoint,
      after: Endpoint,
    ) {
      if (before.url === after.url) return;
      await audit.record(request, {
        action: 'endpoint.url.changed',
        targetType: 'endpoint',
        targetId: after.id,
        appId: after.appId,
        before: { url: before.url },
        after: { url: after.url },
      });
    }
  };
