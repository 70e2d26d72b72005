/**
 * Operational-webhook endpoints (`/api/v1/operational-webhook/endpoint…`), as in Svix: where Herald sends its
 * operational events (endpoint.created, message.attempt.exhausted, …). Each is an endpoint of the internal
 * operational application, so its deliveries are signed with its own secret, filtered by its `eventTypes`,
 * retried and logged like any other. Admin keys only: these events describe every application.
 */
import { Type } from '@sinclair/typebox';
import type { Endpoint } from '../../store/index.js';
import { newId } from '../../util/ids.js';
import { urlForRecord } from '../../security/redact.js';
import { EndpointSecrets } from '../../signing/secrets.js';
import { eventTypeFilter, throttleRate } from '../aliases.js';
import { checkEndpointUrl, checkHeaders, isPollingUrl } from '../endpoint-config.js';
import { isRelayUrl } from '../../delivery/relay.js';
import { declareCredentialRoutes } from '../endpoint-credentials.js';
import { newEndpointSigning } from '../endpoint-security.js';
import { notFound, unprocessable } from '../errors.js';
import { findEndpoint } from '../lookups.js';
import { endpointOut } from './endpoints.js';
import { mapPage, pageQuery } from '../pagination.js';
import { routeModule } from '../route-group.js';
import { IdempotencyHeaders, ListResponse, OrderedPageQuery } from '../schemas/common.js';
import {
  OPERATIONAL_ENDPOINT_FIELDS,
  OperationalWebhookEndpointIn,
  OperationalWebhookEndpointOut,
  OperationalWebhookEndpointParams,
  type OperationalWebhookEndpointUpsertIn,
} from '../schemas/operational-webhooks.js';

const PREFIX = '/operational-webhook/endpoint';

function operationalEndpointOut(endpoint: Endpoint) {
  const all = endpointOut(endpoint);
  return Object.fromEntries(OPERATIONAL_ENDPOINT_FIELDS.map((field) => [field, all[field]])) as Pick<
    typeof all,
    (typeof OPERATIONAL_ENDPOINT_FIELDS)[number]
  >;
}

export const operationalWebhookRoutes = routeModule({ tags: ['Webhook Endpoint'] }, (route, context) => {
  const { store, config, audit, events } = context;
  const secrets = new EndpointSecrets(context.vault);
  const defaultVersion = config.defaultSignatureType === 'ed25519' ? 'v1a' : 'v1';
  // Reading finds no endpoints before the operational application exists (no application has the id ''); only a
  // create makes it.
  const appId = async () => (await events.lookup())?.id ?? '';
  const scope = { access: 'admin' as const, params: OperationalWebhookEndpointParams, appId };

  /** The settings a create or PUT sets; what the body leaves out takes its default. */
  const settings = (body: OperationalWebhookEndpointUpsertIn) => {
    const url = checkEndpointUrl(body.url, config);
    // Operational events are pushed to the operator's own service: not read through the poller, nor relayed to
    // a `herald listen` of the internal application.
    if (isPollingUrl(url) || isRelayUrl(url))
      throw unprocessable(['body', 'url'], 'must be an http:// or https:// URL');
    return {
      url,
      description: body.description ?? '',
      disabled: body.disabled ?? false,
      eventTypes: eventTypeFilter(body) ?? null,
      metadata: body.metadata ?? {},
      throttleRate: throttleRate(body) ?? null,
    };
  };

  route.get(
    PREFIX,
    {
      access: 'admin',
      summary: 'List the operational-webhook endpoints',
      description: 'Newest first; `order=ascending` lists oldest first.',
      querystring: OrderedPageQuery,
      response: { 200: ListResponse(OperationalWebhookEndpointOut) },
    },
    async (request) =>
      mapPage(
        await store.endpointList(await appId(), pageQuery(request.query, 'descending')),
        operationalEndpointOut,
      ),
  );

  route.post(
    PREFIX,
    {
      access: 'admin',
      summary: 'Create an operational-webhook endpoint',
      description:
        'It receives the operational events its `eventTypes` (or `filterTypes`) name, or all of them, signed ' +
        'with its own secret: generated when `secret` is null or omitted (recommended).',
      headers: IdempotencyHeaders,
      body: OperationalWebhookEndpointIn,
      response: { 201: OperationalWebhookEndpointOut },
    },
    async (request, reply) => {
      const headers = request.body.headers ?? {};
      checkHeaders(headers);
      const created = await store.endpointCreate({
        id: newId('endpoint'),
        appId: (await events.application()).id,
        uid: request.body.uid ?? null,
        ...settings(request.body),
        channels: null,
        headersSealed: secrets.sealHeaders(headers),
        secretsSealed: secrets.sealNewSecret(request.body.secret),
        ...newEndpointSigning(undefined, secrets, defaultVersion),
      });
      await audit.recordEndpoint(request, 'endpoint.created', created, {
        after: { url: urlForRecord(created.url), operational: true },
      });
      return reply.status(201).send(operationalEndpointOut(created));
    },
  );

  route.get(
    `${PREFIX}/:endpoint_id`,
    {
      access: 'admin',
      summary: 'Get an operational-webhook endpoint',
      params: OperationalWebhookEndpointParams,
      response: { 200: OperationalWebhookEndpointOut },
    },
    async (request) =>
      operationalEndpointOut(await findEndpoint(store, await appId(), request.params.endpoint_id)),
  );

  route.put(
    `${PREFIX}/:endpoint_id`,
    {
      access: 'admin',
      summary: 'Update an operational-webhook endpoint',
      description:
        'Replaces its settings: omitted fields return to their defaults, `uid` too. The secret and custom ' +
        'headers are not changed.',
      params: OperationalWebhookEndpointParams,
      body: Type.Omit(OperationalWebhookEndpointIn, ['secret', 'headers']),
      response: { 200: OperationalWebhookEndpointOut },
    },
    async (request) => {
      const app = await appId();
      const existing = await findEndpoint(store, app, request.params.endpoint_id);
      const replaced = settings(request.body);
      const updated = await store.endpointUpdate(app, existing.id, {
        ...replaced,
        uid: request.body.uid ?? null,
        // Enabling it again gives it a fresh start, as for any endpoint.
        ...(existing.disabled && !replaced.disabled && { disabledReason: null, failingSince: null }),
      });
      if (!updated) throw notFound('endpoint', request.params.endpoint_id);
      if (existing.url !== updated.url)
        await audit.recordEndpoint(request, 'endpoint.url.changed', updated, {
          before: { url: urlForRecord(existing.url) },
          after: { url: urlForRecord(updated.url) },
        });
      return operationalEndpointOut(updated);
    },
  );

  route.delete(
    `${PREFIX}/:endpoint_id`,
    {
      access: 'admin',
      summary: 'Delete an operational-webhook endpoint',
      params: OperationalWebhookEndpointParams,
      response: { 204: Type.Null() },
    },
    async (request, reply) => {
      const app = await appId();
      const existing = await findEndpoint(store, app, request.params.endpoint_id);
      if (!(await store.endpointDelete(app, existing.id)))
        throw notFound('endpoint', request.params.endpoint_id);
      await audit.recordEndpoint(request, 'endpoint.deleted', existing, { before: { url: existing.url } });
      return reply.status(204).send(null);
    },
  );

  declareCredentialRoutes(route, context, secrets, {
    url: `${PREFIX}/:endpoint_id`,
    noun: 'an operational-webhook endpoint',
    scope,
  });
});
