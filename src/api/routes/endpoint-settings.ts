/** An endpoint's custom headers and signing secret: the settings that hold credentials. */
import { Type } from '@sinclair/typebox';
import { routeModule } from '../route-group.js';
import { findEndpoint } from '../lookups.js';
import { EndpointSecrets } from '../../signing/secrets.js';
import { checkHeaders, isSensitiveHeader } from '../endpoint-config.js';
import { declareKeyRotation } from '../endpoint-key-rotation.js';
import { rotateEndpointKey, signsWithEd25519Only } from '../endpoint-security.js';
import { publicKeyOf } from '../../signing/ed25519.js';
import { unprocessable } from '../errors.js';
import {
  EndpointHeadersIn,
  EndpointHeadersOut,
  EndpointHeadersPatchIn,
  EndpointParams,
  EndpointSecretOut,
  EndpointSecretRotateIn,
} from '../schemas/endpoints.js';

export const endpointSettingRoutes = routeModule({ tags: ['Endpoint'] }, (route, context) => {
  const { store, audit } = context;
  const secrets = new EndpointSecrets(context.vault);

  route.get(
    '/app/:app_id/endpoint/:endpoint_id/headers',
    {
      access: 'app',
      summary: "Get an endpoint's custom headers",
      description:
        'Values of sensitive headers (authorization, tokens, keys…) are not returned; their names are.',
      params: EndpointParams,
      response: { 200: EndpointHeadersOut },
    },
    async (request) => {
      const endpoint = await findEndpoint(store, request.application.id, request.params.endpoint_id);
      const headers: Record<string, string> = {};
      const sensitive: string[] = [];
      for (const [name, value] of Object.entries(secrets.openHeaders(endpoint.headersSealed))) {
        if (isSensitiveHeader(name)) sensitive.push(name);
        else headers[name] = value;
      }
      return { headers, sensitive };
    },
  );

  const writeHeaders = async (
    appId: string,
    endpointId: string,
    request: Parameters<typeof audit.record>[0],
    change: (current: Record<string, string>) => Record<string, string>,
  ) => {
    const endpoint = await findEndpoint(store, appId, endpointId);
    const current = secrets.openHeaders(endpoint.headersSealed);
    const next = change(current);
    await store.endpointUpdate(appId, endpoint.id, { headersSealed: secrets.sealHeaders(next) });
    await audit.recordEndpoint(request, 'endpoint.headers.changed', endpoint, {
      before: { names: Object.keys(current) },
      after: { names: Object.keys(next) },
    });
  };

  route.put(
    '/app/:app_id/endpoint/:endpoint_id/headers',
    {
      access: 'app',
      summary: "Replace an endpoint's custom headers",
      params: EndpointParams,
      body: EndpointHeadersIn,
      response: { 204: Type.Null() },
    },
    async (request, reply) => {
      checkHeaders(request.body.headers);
      await writeHeaders(
        request.application.id,
        request.params.endpoint_id,
        request,
        () => request.body.headers,
      );
      return reply.status(204).send(null);
    },
  );

  route.patch(
    '/app/:app_id/endpoint/:endpoint_id/headers',
    {
      access: 'app',
      summary: "Change some of an endpoint's custom headers",
      description:
        'Headers in `headers` are added or changed, and removed when set to null. Headers named in ' +
        '`deleteHeaders` are removed. Names are matched case-insensitively; a header may not be both set ' +
        'and deleted.',
      params: EndpointParams,
      body: EndpointHeadersPatchIn,
      response: { 204: Type.Null() },
    },
    async (request, reply) => {
      const { headers, deleteHeaders = [] } = request.body;
      checkHeaders(headers);
      const deleted = new Set(deleteHeaders.map((name) => name.toLowerCase()));
      const setAndDeleted = Object.entries(headers)
        .filter(([name, value]) => value !== null && deleted.has(name.toLowerCase()))
        .map(([name]) => name);
      if (setAndDeleted.length > 0)
        throw unprocessable(
          `body.headers sets ${setAndDeleted.join(', ')}, which body.deleteHeaders removes; ` +
            'set or delete each header, not both',
        );
      await writeHeaders(request.application.id, request.params.endpoint_id, request, (current) => {
        const next = { ...current };
        const remove = (name: string) => {
          for (const existing of Object.keys(next))
            if (existing.toLowerCase() === name.toLowerCase()) delete next[existing];
        };
        for (const name of deleteHeaders) remove(name);
        for (const [name, value] of Object.entries(headers)) {
          remove(name);
          if (value !== null) next[name] = value;
        }
        return next;
      });
      return reply.status(204).send(null);
    },
  );

  route.get(
    '/app/:app_id/endpoint/:endpoint_id/secret',
    {
      access: 'app',
      summary: "Reveal an endpoint's signing secret",
      description: 'Every reveal is recorded in the audit log.',
      params: EndpointParams,
      response: { 200: EndpointSecretOut },
    },
    async (request) => {
      const appId = request.application.id;
      const endpoint = await findEndpoint(store, appId, request.params.endpoint_id);
      await audit.recordEndpoint(request, 'endpoint.secret.revealed', endpoint);
      // As in Svix, an endpoint whose current key is an Ed25519 one shows its public key.
      if (signsWithEd25519Only(endpoint))
        return { key: publicKeyOf(secrets.openSecrets(endpoint.signingKeysSealed)[0]!.key) };
      return { key: secrets.openSecrets(endpoint.secretsSealed)[0]!.key };
    },
  );

  declareKeyRotation(route, context, {
    url: '/app/:app_id/endpoint/:endpoint_id/secret/rotate',
    summary: "Rotate an endpoint's signing secret",
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
  });
});
