/**
 * Herald: an endpoint's security settings with routes of their own: its Ed25519 public key and rotation, its
 * outbound authentication method (write-only credentials), and its allowed destination networks.
 */
import { Type } from '@sinclair/typebox';
import type { OutboundAuthConfig } from '../../delivery/outbound-auth.js';
import { publicKeyOf } from '../../signing/ed25519.js';
import type { Endpoint } from '../../store/index.js';
import { EndpointSecrets } from '../../signing/secrets.js';
import { routeModule } from '../route-group.js';
import { declareKeyRotation } from '../endpoint-key-rotation.js';
import { findEndpoint } from '../lookups.js';
import { checkAuthConfig, checkCidrs, redactAuth } from '../security-config.js';
import { toIso } from '../schemas/common.js';
import { EndpointParams } from '../schemas/endpoints.js';
import {
  DestinationRulesIn,
  DestinationRulesOut,
  EndpointAuthIn,
  EndpointAuthOut,
  PublicKeyOut,
  SigningKeyRotateIn,
} from '../schemas/security.js';

export const endpointSecurityRoutes = routeModule({ tags: ['Herald'] }, (route, context) => {
  const { store, audit, vault, config } = context;
  const secrets = new EndpointSecrets(vault);

  /** An endpoint made before Ed25519 signing existed gets its key on first use. */
  const withSigningKeys = async (endpoint: Endpoint): Promise<string> => {
    if (endpoint.signingKeysSealed !== null) return endpoint.signingKeysSealed;
    await store.endpointSetSigningKeysIfMissing(endpoint.id, secrets.sealNewSigningKey());
    return (await findEndpoint(store, endpoint.appId, endpoint.id)).signingKeysSealed!;
  };

  route.get(
    '/app/:app_id/endpoint/:endpoint_id/public-key',
    {
      access: 'app',
      summary: "Get an endpoint's Ed25519 public key",
      description:
        'Herald: the `whpk_` key that verifies the endpoint’s `v1a` (Ed25519) signatures, and any rotated-out ' +
        'keys that still sign. It is public: it can check a signature but not make one. Turn `v1a` on with the ' +
        "endpoint's `signatureVersions`.",
      params: EndpointParams,
      response: { 200: PublicKeyOut },
    },
    async (request) => {
      const endpoint = await findEndpoint(store, request.application.id, request.params.endpoint_id);
      const [current, ...previous] = secrets.openSecrets(await withSigningKeys(endpoint));
      return {
        key: publicKeyOf(current!.key),
        previousKeys: previous.map((entry) => ({
          key: publicKeyOf(entry.key),
          expiresAt: toIso(entry.expiresAt!),
        })),
      };
    },
  );

  declareKeyRotation(route, context, {
    url: '/app/:app_id/endpoint/:endpoint_id/public-key/rotate',
    summary: "Rotate an endpoint's Ed25519 signing key",
    description:
      'Herald: a new key pair signs from now on; the previous key keeps signing beside it for ' +
      '`gracePeriodSeconds` (default 24 hours, at most 7 days), as with `…/secret/rotate`.',
    body: SigningKeyRotateIn,
    action: 'endpoint.signing_key.rotated',
    rotate: async (endpoint, _body, graceMs) => {
      const rotated = secrets.rotateSigningKey(await withSigningKeys(endpoint), graceMs);
      return {
        change: { signingKeysSealed: rotated },
        shown: { publicKey: publicKeyOf(secrets.openSecrets(rotated)[0]!.key) },
      };
    },
  });

  const openAuth = (endpoint: Endpoint) =>
    endpoint.authSealed === null ? null : vault.openJson<OutboundAuthConfig>(endpoint.authSealed);
  /** The audit view of a method: no credentials, and no public key, which says nothing new. */
  const audited = (auth: OutboundAuthConfig | null) => {
    const { publicKey: _publicKey, ...shown } = redactAuth(auth);
    return shown;
  };

  route.get(
    '/app/:app_id/endpoint/:endpoint_id/auth',
    {
      access: 'app',
      summary: "Get an endpoint's outbound authentication",
      description:
        'Herald: how Herald authenticates to the endpoint besides the signature (`none`, `basic`, `jwt` or ' +
        '`oauth2`). Credentials (password, key, client secret) are write-only and never returned.',
      params: EndpointParams,
      response: { 200: EndpointAuthOut },
    },
    async (request) => {
      const endpoint = await findEndpoint(store, request.application.id, request.params.endpoint_id);
      return redactAuth(openAuth(endpoint));
    },
  );

  route.put(
    '/app/:app_id/endpoint/:endpoint_id/auth',
    {
      // Not idempotent: a stored response would keep a generated key at rest and hand it out again.
      access: 'app',
      idempotent: false,
      summary: "Set an endpoint's outbound authentication",
      description:
        'Herald: replaces the method. `basic` needs `username` and `password`. `jwt` signs a Bearer token for ' +
        'every request (`algorithm` HS256, RS256 or EdDSA; claims `iat`, `exp`, `jti`, `webhook_id`, ' +
        '`body_sha256` and the optional `iss`, `aud`, `sub`); without `key` Herald generates one. `oauth2` ' +
        'needs `tokenUrl`, `clientId` and `clientSecret` (client credentials grant). Credentials are stored ' +
        'encrypted and never returned; a generated HS256 secret is returned in this response only.',
      params: EndpointParams,
      body: EndpointAuthIn,
      response: { 200: EndpointAuthOut },
    },
    async (request) => {
      const appId = request.application.id;
      const endpoint = await findEndpoint(store, appId, request.params.endpoint_id);
      const { auth, generatedKey } = checkAuthConfig(request.body, config);
      await store.endpointUpdate(appId, endpoint.id, { authSealed: vault.sealJson(auth) });
      await audit.recordEndpoint(request, 'endpoint.auth.changed', endpoint, {
        before: audited(openAuth(endpoint)),
        after: audited(auth),
      });
      return { ...redactAuth(auth), ...(generatedKey !== undefined && { generatedKey }) };
    },
  );

  route.delete(
    '/app/:app_id/endpoint/:endpoint_id/auth',
    {
      access: 'app',
      summary: "Remove an endpoint's outbound authentication",
      description: 'Herald: requests carry only the signature (and custom headers) from now on.',
      params: EndpointParams,
      response: { 204: Type.Null() },
    },
    async (request, reply) => {
      const appId = request.application.id;
      const endpoint = await findEndpoint(store, appId, request.params.endpoint_id);
      if (endpoint.authSealed !== null) {
        await store.endpointUpdate(appId, endpoint.id, { authSealed: null });
        await audit.recordEndpoint(request, 'endpoint.auth.changed', endpoint, {
          before: audited(openAuth(endpoint)),
          after: { type: 'none' },
        });
      }
      return reply.status(204).send(null);
    },
  );

  route.get(
    '/app/:app_id/endpoint/:endpoint_id/ip-restrictions',
    {
      access: 'app',
      summary: "Get an endpoint's allowed destination networks",
      params: EndpointParams,
      response: { 200: DestinationRulesOut },
    },
    async (request) => {
      const endpoint = await findEndpoint(store, request.application.id, request.params.endpoint_id);
      return { allowedDestinationCidrs: endpoint.allowedDestinationCidrs };
    },
  );

  route.put(
    '/app/:app_id/endpoint/:endpoint_id/ip-restrictions',
    {
      access: 'app',
      summary: "Set an endpoint's allowed destination networks",
      description:
        'Herald: deliveries to this endpoint connect only to addresses inside these CIDRs (and inside the ' +
        "application's, when it has some); any other address fails with `ip_restricted` and is recorded in " +
        'the audit log. The SSRF guard applies as well. `null` removes the restriction.',
      params: EndpointParams,
      body: DestinationRulesIn,
      response: { 200: DestinationRulesOut },
    },
    async (request) => {
      const appId = request.application.id;
      const endpoint = await findEndpoint(store, appId, request.params.endpoint_id);
      const list = request.body.allowedDestinationCidrs;
      const cidrs = list === null ? null : checkCidrs(list, ['body', 'allowedDestinationCidrs']);
      await store.endpointUpdate(appId, endpoint.id, { allowedDestinationCidrs: cidrs });
      await audit.recordEndpoint(request, 'endpoint.ip_restrictions.changed', endpoint, {
        before: { allowedDestinationCidrs: endpoint.allowedDestinationCidrs },
        after: { allowedDestinationCidrs: cidrs },
      });
      return { allowedDestinationCidrs: cidrs };
    },
  );
});
