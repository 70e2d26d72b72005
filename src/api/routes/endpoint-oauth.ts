/**
 * Svix's endpoint OAuth routes, mapped onto Herald's `oauth2` outbound authentication (see outbound-auth.ts and
 * `…/endpoint/{endpoint_id}/auth`): one method per endpoint, so setting OAuth here replaces Basic or JWT, and
 * `…/auth` shows what is set here. The client secret and refresh token are stored sealed and never shown again.
 */
import { createPrivateKey } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import type { OutboundAuthConfig } from '../../delivery/outbound-auth.js';
import type { Endpoint } from '../../store/index.js';
import { notFound, unprocessable } from '../errors.js';
import { findEndpoint } from '../lookups.js';
import { routeModule } from '../route-group.js';
import { jwtKeyProblem } from '../../security/jwt.js';
import { checkAuthConfig, redactAuth } from '../security-config.js';
import {
  EndpointOauthConfigIn,
  EndpointOauthConfigOut,
  EndpointOauthOut,
} from '../schemas/endpoint-oauth.js';
import { EndpointParams } from '../schemas/endpoints.js';

type OAuth2 = Extract<OutboundAuthConfig, { type: 'oauth2' }>;

const AUTH_METHODS = {
  basic: 'clientSecretBasic',
  body: 'clientSecretPost',
  jwt: 'clientSecretJwt',
} as const;

/** `clientSecretJwt`'s key, as a PEM RSA private key that can sign RS256 assertions. */
function assertionSettings(
  params: Static<typeof EndpointOauthConfigIn>['jwtParams'],
): Pick<OAuth2, 'clientAuth' | 'assertionKey' | 'assertionKeyId' | 'assertionExpiresInSeconds'> {
  if (!params) throw unprocessable('body.jwtParams is required for clientSecretJwt');
  const bytes = Buffer.from(params.secretBase64, 'base64');
  let pem = bytes.toString('utf8');
  if (!pem.includes('-----BEGIN'))
    try {
      pem = createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' })
        .export({ format: 'pem', type: 'pkcs8' })
        .toString();
    } catch {
      throw unprocessable('body.jwtParams.secretBase64 is not the base64 of a PEM or DER private key');
    }
  const problem = jwtKeyProblem('RS256', pem);
  if (problem !== null) throw unprocessable(`body.jwtParams.secretBase64: ${problem}`);
  return {
    clientAuth: 'jwt',
    assertionKey: pem,
    ...(params.secretId != null && { assertionKeyId: params.secretId }),
    ...(params.tokenExpirySecs != null && { assertionExpiresInSeconds: params.tokenExpirySecs }),
  };
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Svix's view of a stored OAuth method: everything but its credentials. */
export function oauthConfigOut(auth: OAuth2): Static<typeof EndpointOauthConfigOut> {
  return {
    grantType: auth.grantType === 'refresh_token' ? 'refreshToken' : 'clientCredentials',
    authMethod: AUTH_METHODS[auth.clientAuth],
    clientId: auth.clientId,
    tokenUrl: auth.tokenUrl,
    scopes: auth.scope ? auth.scope.split(' ') : null,
    extraParams: auth.extraParams ?? null,
    extraHeaders: auth.extraHeaders ?? null,
  };
}

function checkExtraHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name))
      throw unprocessable(`body.extraHeaders: "${name.slice(0, 100)}" is not a valid header name`);
    if (/[\r\n\0]/.test(value))
      throw unprocessable(`body.extraHeaders: the value of "${name}" must not contain line breaks`);
    out[name.toLowerCase()] = value;
  }
  return out;
}

export const endpointOauthRoutes = routeModule({ tags: ['Endpoint'] }, (route, context) => {
  const { store, vault, audit, config } = context;
  const openOauth = (endpoint: Endpoint): OAuth2 | null => {
    if (endpoint.authSealed === null) return null;
    const auth = vault.openJson<OutboundAuthConfig>(endpoint.authSealed);
    return auth.type === 'oauth2' ? auth : null;
  };
  const openAny = (endpoint: Endpoint) =>
    endpoint.authSealed === null ? null : vault.openJson<OutboundAuthConfig>(endpoint.authSealed);

  route.get(
    '/app/:app_id/endpoint/:endpoint_id/oauth',
    {
      access: 'app',
      summary: "Get an endpoint's OAuth configuration",
      description:
        '404 when the endpoint does not authenticate with OAuth. The client secret is never shown.',
      params: EndpointParams,
      response: { 200: EndpointOauthConfigOut },
    },
    async (request) => {
      const endpoint = await findEndpoint(store, request.application.id, request.params.endpoint_id);
      const auth = openOauth(endpoint);
      if (auth === null) throw notFound('OAuth configuration of endpoint', request.params.endpoint_id);
      return oauthConfigOut(auth);
    },
  );

  route.get(
    '/app/:app_id/endpoint/:endpoint_id/oauth-config',
    {
      access: 'app',
      summary: "Get an endpoint's OAuth status and configuration",
      description: 'As `…/oauth`, but `{enabled: false, config: null}` instead of a 404.',
      params: EndpointParams,
      response: { 200: EndpointOauthOut },
    },
    async (request) => {
      const endpoint = await findEndpoint(store, request.application.id, request.params.endpoint_id);
      const auth = openOauth(endpoint);
      return { enabled: auth !== null, config: auth === null ? null : oauthConfigOut(auth) };
    },
  );

  route.put(
    '/app/:app_id/endpoint/:endpoint_id/oauth',
    {
      access: 'app',
      summary: "Set an endpoint's OAuth configuration",
      description:
        'Herald fetches an access token from `tokenUrl` (through the SSRF guard) with the client credentials ' +
        'grant, or the refresh token grant, caches it until shortly before it expires, and sends it as ' +
        '`Authorization: Bearer`. It replaces any other outbound authentication of the endpoint. ' +
        '`clientSecretJwt` signs an RS256 client assertion (RFC 7523) with `jwtParams`. Without `clientSecret`, the stored one is kept when ' +
        '`clientId` and `tokenUrl` are unchanged. A refresh token is used as given: when the authorization ' +
        'server rotates refresh tokens, set the new one here.',
      params: EndpointParams,
      body: EndpointOauthConfigIn,
      response: { 204: Type.Null() },
    },
    async (request, reply) => {
      const { body } = request;
      const appId = request.application.id;
      const endpoint = await findEndpoint(store, appId, request.params.endpoint_id);
      const assertion = body.authMethod === 'clientSecretJwt' ? assertionSettings(body.jwtParams) : {};
      const previous = openOauth(endpoint);
      const { auth } = checkAuthConfig(
        {
          type: 'oauth2',
          tokenUrl: body.tokenUrl,
          clientId: body.clientId,
          // checkAuthConfig needs one; the refresh token grant may go without.
          clientSecret: body.clientSecret ?? 'unset',
          clientAuth: body.authMethod === 'clientSecretPost' ? 'body' : 'basic',
          ...(body.scopes && body.scopes.length > 0 && { scope: body.scopes.join(' ') }),
        },
        config,
      );
      const oauth = auth as OAuth2;
      const same = previous?.clientId === oauth.clientId && previous?.tokenUrl === oauth.tokenUrl;
      const clientSecret = body.clientSecret ?? (same ? previous!.clientSecret : '');
      const grantType = body.grantType === 'refreshToken' ? 'refresh_token' : 'client_credentials';
      if (grantType === 'client_credentials' && clientSecret === '' && body.authMethod !== 'clientSecretJwt')
        throw unprocessable('body.clientSecret is required for the clientCredentials grant');
      const refreshToken =
        body.refreshToken ??
        (same && previous?.grantType === 'refresh_token' ? previous.refreshToken : undefined);
      if (grantType === 'refresh_token' && !refreshToken)
        throw unprocessable('body.refreshToken is required for the refreshToken grant');
      const next: OAuth2 = {
        ...oauth,
        ...assertion,
        clientSecret,
        grantType,
        ...(grantType === 'refresh_token' && { refreshToken }),
        ...(body.extraParams && { extraParams: body.extraParams }),
        ...(body.extraHeaders && { extraHeaders: checkExtraHeaders(body.extraHeaders) }),
      };
      await store.endpointUpdate(appId, endpoint.id, { authSealed: vault.sealJson(next) });
      await audit.recordEndpoint(request, 'endpoint.auth.changed', endpoint, {
        before: redactAuth(openAny(endpoint)),
        after: { ...redactAuth(next), via: 'oauth' },
      });
      return reply.status(204).send(null);
    },
  );

  route.delete(
    '/app/:app_id/endpoint/:endpoint_id/oauth',
    {
      access: 'app',
      summary: "Remove an endpoint's OAuth configuration",
      description: 'Requests carry only the signature (and custom headers) from now on. Other methods stay.',
      params: EndpointParams,
      response: { 204: Type.Null() },
    },
    async (request, reply) => {
      const appId = request.application.id;
      const endpoint = await findEndpoint(store, appId, request.params.endpoint_id);
      const auth = openOauth(endpoint);
      if (auth !== null) {
        await store.endpointUpdate(appId, endpoint.id, { authSealed: null });
        await audit.recordEndpoint(request, 'endpoint.auth.changed', endpoint, {
          before: redactAuth(auth),
          after: { type: 'none', via: 'oauth' },
        });
      }
      return reply.status(204).send(null);
    },
  );
});
