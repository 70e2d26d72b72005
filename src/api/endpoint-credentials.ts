/**
 * The routes of an endpoint's credentials: its custom headers, read (sensitive values hidden) and replaced
 * through `GET` and `PUT …/headers`, and its signing secret, revealed (`GET …/secret`) and rotated
 * (`POST …/secret/rotate`). Application endpoints and operational-webhook endpoints declare them here once.
 */
import { Type } from '@sinclair/typebox';
import type { EndpointSecrets } from '../signing/secrets.js';
import type { Audit } from './audit.js';
import type { ApiContext } from './context.js';
import { checkHeaders, headersShown } from './endpoint-config.js';
import { declareKeyRotation, scopedEndpoint, type EndpointScope } from './endpoint-key-rotation.js';
import { rotateEndpointKey, signsWithEd25519Only } from './endpoint-security.js';
import { publicKeyOf } from '../signing/ed25519.js';
import { findEndpoint } from './lookups.js';
import type { RouteGroup } from './route-group.js';
import {
  EndpointHeadersIn,
  EndpointHeadersOut,
  EndpointParams,
  EndpointSecretOut,
  EndpointSecretRotateIn,
} from './schemas/endpoints.js';

/** Replaces an endpoint's custom headers with what `change` makes of them, and records their names. */
export async function writeEndpointHeaders(
  { store, audit }: Pick<ApiContext, 'store' | 'audit'>,
  secrets: EndpointSecrets,
  appId: string,
  endpointId: string,
  request: Parameters<Audit['record']>[0],
  change: (current: Record<string, string>) => Record<string, string>,
): Promise<void> {
  const endpoint = await findEndpoint(store, appId, endpointId);
  const current = secrets.openHeaders(endpoint.headersSealed);
  const next = change(current);
  await store.endpointUpdate(appId, endpoint.id, { headersSealed: secrets.sealHeaders(next) });
  await audit.recordEndpoint(request, 'endpoint.headers.changed', endpoint, {
    before: { names: Object.keys(current) },
    after: { names: Object.keys(next) },
  });
}

/**
 * Declares the headers and secret routes under `url` (an endpoint's own path, ending in `:endpoint_id`) for the
 * endpoints `scope` finds. `GET …/secret` shows the current `whsec_` secret, or the `whpk_` public key of an
 * endpoint that signs with Ed25519 only, as in Svix.
 */
export function declareCredentialRoutes(
  route: RouteGroup,
  context: ApiContext,
  secrets: EndpointSecrets,
  options: { url: string; noun: string; scope?: EndpointScope },
): void {
  const { url, noun, scope } = options;
  const access = scope?.access ?? 'app';
  const params = scope?.params ?? EndpointParams;
  route.get(
    `${url}/headers`,
    {
      access,
      summary: `Get ${noun}'s custom headers`,
      description:
        'Values of sensitive headers (authorization, tokens, keys…) are not returned; their names are.',
      params,
      response: { 200: EndpointHeadersOut },
    },
    async (request) => {
      const endpoint = await scopedEndpoint(context.store, scope, request);
      return headersShown(secrets.openHeaders(endpoint.headersSealed));
    },
  );

  route.put(
    `${url}/headers`,
    {
      access,
      summary: `Replace ${noun}'s custom headers`,
      params,
      body: EndpointHeadersIn,
      response: { 204: Type.Null() },
    },
    async (request, reply) => {
      checkHeaders(request.body.headers);
      const endpoint = await scopedEndpoint(context.store, scope, request);
      await writeEndpointHeaders(
        context,
        secrets,
        endpoint.appId,
        endpoint.id,
        request,
        () => request.body.headers,
      );
      return reply.status(204).send(null);
    },
  );

  route.get(
    `${url}/secret`,
    {
      access,
      summary: `Reveal ${noun}'s signing secret`,
      description: 'Every reveal is recorded in the audit log.',
      params,
      response: { 200: EndpointSecretOut },
    },
    async (request) => {
      const endpoint = await scopedEndpoint(context.store, scope, request);
      await context.audit.recordEndpoint(request, 'endpoint.secret.revealed', endpoint);
      if (signsWithEd25519Only(endpoint))
        return { key: publicKeyOf(secrets.openSecrets(endpoint.signingKeysSealed)[0]!.key) };
      return { key: secrets.openSecrets(endpoint.secretsSealed)[0]!.key };
    },
  );

  declareKeyRotation(route, context, {
    url: `${url}/secret/rotate`,
    summary: `Rotate ${noun}'s signing secret`,
    description:
      'The new secret signs from now on. The previous one keeps signing beside it for `gracePeriodSeconds` ' +
      '(default 24 hours, at most 7 days), so receivers can switch without missing a delivery. As in Svix, ' +
      'a `whsk_` key switches the endpoint to Ed25519 (`v1a`) signatures and a `whsec_` one back to HMAC ' +
      '(`v1`); the keys of the other kind keep signing through their grace period. Without `key`, a new key ' +
      'of the kind the endpoint signs with now is generated.',
    body: EndpointSecretRotateIn,
    action: 'endpoint.secret.rotated',
    rotate: async (endpoint, body, graceMs) => ({
      change: rotateEndpointKey(secrets, endpoint, body?.key ?? null, graceMs),
    }),
    scope,
  });
}
