import { Type } from '@sinclair/typebox';
import type { Endpoint, HeaderStyle, Ordering, OrderingAfterGiveUp } from '../../store/index.js';
import { newId } from '../../util/ids.js';
import { urlForRecord } from '../../security/redact.js';
import { eventTypeFilter, eventTypeFilterName, throttleRate } from '../aliases.js';
import { routeModule } from '../route-group.js';
import { findEndpoint } from '../lookups.js';
import { EndpointSecrets } from '../../signing/secrets.js';
import { checkEndpointUrl, checkEventTypes, checkHeaders, checkUrlKindKept } from '../endpoint-config.js';
import { auditSigningChange, changedEndpointSigning, newEndpointSigning } from '../endpoint-security.js';
import { compressionRetried, contentOut, contentSettings } from '../endpoint-content.js';
import { shapingOut, shapingSettings } from '../endpoint-shaping.js';
import { batchingSettings } from '../endpoint-batching.js';
import { notFound } from '../errors.js';
import { mapPage, pageQuery } from '../pagination.js';
import { AppParams, IdempotencyHeaders, ListResponse, OrderedPageQuery, toIso } from '../schemas/common.js';
import {
  EndpointIn,
  EndpointOut,
  EndpointParams,
  EndpointPatch,
  EndpointUpdate,
} from '../schemas/endpoints.js';

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
    // The same setting under the name newer svix SDKs read.
    rateLimit: endpoint.throttleRate,
    version: endpoint.version,
    retrySchedule: endpoint.retrySchedule === null ? null : endpoint.retrySchedule.map((ms) => ms / 1000),
    timeoutSeconds: endpoint.timeoutMs === null ? null : endpoint.timeoutMs / 1000,
    headerStyle: endpoint.headerStyle,
    signatureVersions: endpoint.signatureVersions,
    ordering: endpoint.ordering,
    orderingAfterGiveUp: endpoint.orderingAfterGiveUp,
    propagateTraceContext: endpoint.propagateTraceContext,
    batching: endpoint.batching,
    adaptiveThrottling: endpoint.adaptiveThrottling,
    ...shapingOut(endpoint),
    ...contentOut(endpoint),
    disabledReason: endpoint.disabledReason,
    createdAt: toIso(endpoint.createdAt),
    updatedAt: toIso(endpoint.updatedAt),
  };
}

/**
 * The delivery settings of a request in store units. With `defaults` (create, PUT) omitted settings take
 * their defaults; otherwise (PATCH) they stay as they are.
 */
function deliverySettings(
  body: {
    retrySchedule?: number[] | null;
    timeoutSeconds?: number | null;
    headerStyle?: HeaderStyle;
    ordering?: Ordering;
    orderingAfterGiveUp?: OrderingAfterGiveUp;
    propagateTraceContext?: boolean;
    adaptiveThrottling?: boolean;
  },
  defaults: { headerStyle: HeaderStyle } | null,
) {
  const schedule = body.retrySchedule === undefined ? (defaults ? null : undefined) : body.retrySchedule;
  const timeout = body.timeoutSeconds === undefined ? (defaults ? null : undefined) : body.timeoutSeconds;
  return {
    retrySchedule:
      schedule === null || schedule === undefined ? schedule : schedule.map((seconds) => seconds * 1000),
    timeoutMs: timeout === null || timeout === undefined ? timeout : timeout * 1000,
    headerStyle: body.headerStyle ?? defaults?.headerStyle,
    ordering: body.ordering ?? (defaults ? ('none' as const) : undefined),
    orderingAfterGiveUp: body.orderingAfterGiveUp ?? (defaults ? ('skip' as const) : undefined),
    propagateTraceContext: body.propagateTraceContext ?? (defaults ? false : undefined),
    adaptiveThrottling: body.adaptiveThrottling ?? (defaults ? true : undefined),
  };
}

/**
 * The settings a create or PUT sets, with defaults for what the body leaves out; `checked` holds those already
 * checked, in the order each route checks them.
 */
function replacedSettings(
  body: EndpointUpdate,
  checked: {
    url: string;
    eventTypes: string[] | null | undefined;
    rate: number | null | undefined;
    shaping: Awaited<ReturnType<typeof shapingSettings>>;
    /** The server's default header style (HERALD_DELIVERY_HEADER_STYLE). */
    headerStyle: HeaderStyle;
  },
) {
  return {
    url: checked.url,
    description: body.description ?? '',
    disabled: body.disabled ?? false,
    eventTypes: checked.eventTypes ?? null,
    channels: body.channels ?? null,
    metadata: body.metadata ?? {},
    throttleRate: checked.rate ?? null,
    version: body.version ?? 1,
    ...deliverySettings(body, { headerStyle: checked.headerStyle }),
    ...checked.shaping,
    ...contentSettings(body),
  };
}

/** Enabling an endpoint again clears what Herald recorded about why it stopped, and gives it a fresh start. */
function reenabled(existing: Endpoint, disabled: boolean | undefined) {
  return existing.disabled && disabled === false
    ? { disabledReason: null, failingSince: null, circuitOpenUntil: null }
    : {};
}

export const endpointRoutes = routeModule({ tags: ['Endpoint'] }, (route, context) => {
  const { store, config, audit } = context;
  const secrets = new EndpointSecrets(context.vault);
  const defaultVersion = config.defaultSignatureType === 'ed25519' ? 'v1a' : 'v1';

  route.get(
    '/app/:app_id/endpoint',
    {
      access: 'app',
      summary: "List an application's endpoints",
      description: 'Newest first, as in Svix; `order=ascending` lists oldest first.',
      params: AppParams,
      querystring: OrderedPageQuery,
      response: { 200: ListResponse(EndpointOut) },
    },
    async (request) => {
      const page = await store.endpointList(request.application.id, pageQuery(request.query, 'descending'));
      return mapPage(page, endpointOut);
    },
  );

  route.post(
    '/app/:app_id/endpoint',
    {
      access: 'app',
      summary: 'Create an endpoint',
      description:
        'When `secret` is null or omitted, a secret is generated (recommended). `headers` sets the custom ' +
        'headers, as PUT …/headers does.',
      params: AppParams,
      headers: IdempotencyHeaders,
      body: EndpointIn,
      response: { 201: EndpointOut },
    },
    async (request, reply) => {
      const body = request.body;
      const url = checkEndpointUrl(body.url, config);
      const eventTypes = eventTypeFilter(body);
      const rate = throttleRate(body);
      const headers = body.headers ?? {};
      checkHeaders(headers);
      await checkEventTypes(store, eventTypes, eventTypeFilterName(body));
      const shaping = await shapingSettings(store, body);
      const batching = await batchingSettings(store, body, shaping);
      const created = await store.endpointCreate({
        id: newId('endpoint'),
        appId: request.application.id,
        uid: body.uid ?? null,
        ...replacedSettings(body, {
          url,
          eventTypes,
          rate,
          shaping,
          headerStyle: config.deliveryHeaderStyle,
        }),
        ...batching,
        headersSealed: secrets.sealHeaders(headers),
        secretsSealed: secrets.sealNewSecret(body.secret),
        ...newEndpointSigning(body.signatureVersions, secrets, defaultVersion),
      });
      await context.events.endpointChanged('endpoint.created', created);
      await audit.recordEndpoint(request, 'endpoint.created', created, {
        after: {
          url: urlForRecord(created.url),
          // Custom headers by name only, never by value.
          ...(Object.keys(headers).length > 0 && { headerNames: Object.keys(headers) }),
        },
      });
      return reply.status(201).send(endpointOut(created));
    },
  );

  route.get(
    '/app/:app_id/endpoint/:endpoint_id',
    {
      access: 'app',
      summary: 'Get an endpoint',
      params: EndpointParams,
      response: { 200: EndpointOut },
    },
    async (request) =>
      endpointOut(await findEndpoint(store, request.application.id, request.params.endpoint_id)),
  );

  route.put(
    '/app/:app_id/endpoint/:endpoint_id',
    {
      access: 'app',
      summary: 'Update an endpoint, or create it',
      description:
        'Replaces the endpoint: omitted fields return to their defaults, `uid` too (as in Svix). The secret ' +
        "and custom headers are not changed. If no endpoint has this id or uid, one is created with the body's " +
        '`uid`, or else `endpoint_id`, as its uid (201).',
      params: EndpointParams,
      body: EndpointUpdate,
      response: { 200: EndpointOut, 201: EndpointOut },
    },
    async (request, reply) => {
      const appId = request.application.id;
      const { endpoint_id } = request.params;
      const body = request.body;
      const url = checkEndpointUrl(body.url, config);
      const eventTypes = eventTypeFilter(body);
      await checkEventTypes(store, eventTypes, eventTypeFilterName(body));
      const shaping = await shapingSettings(store, body);
      const fields = {
        ...replacedSettings(body, {
          url,
          eventTypes,
          rate: throttleRate(body),
          shaping,
          headerStyle: config.deliveryHeaderStyle,
        }),
        ...(await batchingSettings(store, body, shaping)),
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
          ...newEndpointSigning(body.signatureVersions, secrets, defaultVersion),
        });
        await context.events.endpointChanged('endpoint.created', created);
        return reply.status(201).send(endpointOut(created));
      }
      checkUrlKindKept(existing, url);
      const updated = await store.endpointUpdate(appId, existing.id, {
        ...fields,
        uid: body.uid ?? null,
        ...compressionRetried(body),
        ...reenabled(existing, fields.disabled),
        ...changedEndpointSigning(body.signatureVersions, existing, secrets),
      });
      if (!updated) throw notFound('endpoint', endpoint_id);
      await context.events.endpointUpdated(existing, updated);
      await auditUrlChange(request, existing, updated);
      await auditSigningChange(audit, request, existing, updated);
      return endpointOut(updated);
    },
  );

  route.patch(
    '/app/:app_id/endpoint/:endpoint_id',
    {
      access: 'app',
      summary: 'Change some fields of an endpoint',
      params: EndpointParams,
      body: EndpointPatch,
      response: { 200: EndpointOut },
    },
    async (request) => {
      const appId = request.application.id;
      const existing = await findEndpoint(store, appId, request.params.endpoint_id);
      const { secret, url, uid, description, disabled, channels, metadata } = request.body;
      const version = request.body.version ?? undefined;
      const eventTypes = eventTypeFilter(request.body);
      const rate = throttleRate(request.body);
      await checkEventTypes(store, eventTypes, eventTypeFilterName(request.body));
      const shaping = await shapingSettings(store, request.body, existing);
      const batching = await batchingSettings(store, request.body, shaping, existing);
      // Only the documented fields: the body may carry unknown keys, which must never reach the store.
      const updated = await store.endpointUpdate(appId, existing.id, {
        uid,
        description,
        disabled,
        eventTypes,
        channels,
        metadata,
        throttleRate: rate,
        version,
        ...deliverySettings(request.body, null),
        ...shaping,
        ...batching,
        ...contentSettings(request.body, existing),
        ...compressionRetried(request.body),
        ...reenabled(existing, disabled),
        ...(url !== undefined && { url: checkUrlKindKept(existing, checkEndpointUrl(url, config)) }),
        ...(secret !== undefined && { secretsSealed: secrets.sealNewSecret(secret) }),
        ...changedEndpointSigning(request.body.signatureVersions, existing, secrets),
      });
      if (!updated) throw notFound('endpoint', request.params.endpoint_id);
      await context.events.endpointUpdated(existing, updated);
      await auditUrlChange(request, existing, updated);
      await auditSigningChange(audit, request, existing, updated);
      if (secret !== undefined) await audit.recordEndpoint(request, 'endpoint.secret.replaced', existing);
      return endpointOut(updated);
    },
  );

  route.delete(
    '/app/:app_id/endpoint/:endpoint_id',
    {
      access: 'app',
      summary: 'Delete an endpoint',
      params: EndpointParams,
      response: { 204: Type.Null() },
    },
    async (request, reply) => {
      const appId = request.application.id;
      const existing = await findEndpoint(store, appId, request.params.endpoint_id);
      if (!(await store.endpointDelete(appId, existing.id)))
        throw notFound('endpoint', request.params.endpoint_id);
      await context.events.endpointChanged('endpoint.deleted', existing);
      await audit.recordEndpoint(request, 'endpoint.deleted', existing, { before: { url: existing.url } });
      return reply.status(204).send(null);
    },
  );

  async function auditUrlChange(
    request: Parameters<typeof audit.record>[0],
    before: Endpoint,
    after: Endpoint,
  ) {
    if (before.url === after.url) return;
    await audit.recordEndpoint(request, 'endpoint.url.changed', after, {
      before: { url: urlForRecord(before.url) },
      after: { url: urlForRecord(after.url) },
    });
  }
});
