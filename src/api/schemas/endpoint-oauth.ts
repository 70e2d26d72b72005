/** Svix's endpoint OAuth shapes (`…/endpoint/{endpoint_id}/oauth`), over Herald's `oauth2` outbound method. */
import { Type } from '@sinclair/typebox';
import { Nullable, TEXT_PATTERN } from './common.js';

const Text = (maxLength: number, description?: string) =>
  Type.String({ maxLength, pattern: TEXT_PATTERN, ...(description !== undefined && { description }) });

const StringMap = (description: string) =>
  Type.Record(Type.String({ maxLength: 256 }), Text(4096), {
    maxProperties: 32,
    propertyNames: { maxLength: 256 },
    description,
  });

export const Oauth2GrantType = Type.Union([Type.Literal('clientCredentials'), Type.Literal('refreshToken')]);
export const Oauth2AuthMethod = Type.Union([
  Type.Literal('clientSecretJwt'),
  Type.Literal('clientSecretBasic'),
  Type.Literal('clientSecretPost'),
]);

export const EndpointOauthConfigIn = Type.Object({
  grantType: Oauth2GrantType,
  authMethod: Oauth2AuthMethod,
  jwtParams: Type.Optional(
    Nullable(
      Type.Object(
        {
          secretBase64: Type.String({
            minLength: 1,
            maxLength: 16_384,
            description: 'The base64 of the PEM (or DER, PKCS#8) RSA private key that signs the assertion',
          }),
          signingAlgorithm: Type.Literal('RS256'),
          secretId: Type.Optional(Nullable(Type.String({ maxLength: 256, pattern: TEXT_PATTERN }))),
          tokenExpirySecs: Type.Optional(Nullable(Type.Integer({ minimum: 10, maximum: 3600 }))),
        },
        { description: 'For `clientSecretJwt`: how to sign the client assertion' },
      ),
    ),
  ),
  clientId: Type.String({ minLength: 1, maxLength: 1024, pattern: TEXT_PATTERN }),
  clientSecret: Type.Optional(
    Nullable(
      Text(
        4096,
        'Write-only. Omitted on a change of scopes, parameters or headers, the stored secret is kept when ' +
          '`clientId` and `tokenUrl` are unchanged',
      ),
    ),
  ),
  tokenUrl: Type.String({ minLength: 1, maxLength: 4096, format: 'uri' }),
  scopes: Type.Optional(
    Nullable(
      Type.Array(Type.String({ minLength: 1, maxLength: 256, pattern: '^[^\\s]+$' }), { maxItems: 50 }),
    ),
  ),
  extraParams: Type.Optional(Nullable(StringMap('More form parameters of the token request'))),
  refreshToken: Type.Optional(Nullable(Text(8192, 'For the `refreshToken` grant; write-only'))),
  extraHeaders: Type.Optional(Nullable(StringMap('More headers of the token request'))),
});

export const EndpointOauthConfigOut = Type.Object({
  grantType: Oauth2GrantType,
  authMethod: Oauth2AuthMethod,
  clientId: Type.String(),
  tokenUrl: Type.String(),
  scopes: Nullable(Type.Array(Type.String())),
  extraParams: Nullable(Type.Record(Type.String(), Type.String())),
  extraHeaders: Nullable(Type.Record(Type.String(), Type.String())),
});

export const EndpointOauthOut = Type.Object({
  enabled: Type.Boolean(),
  config: Nullable(EndpointOauthConfigOut),
});
