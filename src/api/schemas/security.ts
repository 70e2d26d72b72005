/** Schemas of Herald's security routes: signing keys, outbound authentication, IP restrictions, audit log. */
import { Type } from '@sinclair/typebox';
import { Nullable, TEXT_PATTERN, Timestamp } from './common.js';

const Text = (maxLength: number, description?: string) =>
  Type.String({ minLength: 1, maxLength, pattern: TEXT_PATTERN, ...(description && { description }) });

export const PublicKeyOut = Type.Object({
  key: Type.String({
    description: 'The current Ed25519 public key (whpk_…): it verifies v1a signatures',
    example: 'whpk_MCowBQYDK2VwAyEAh1N3vOZ5n3pYtqk0PRiN9m6nyYf9mWnN2LzQfWb3aGk=',
  }),
  previousKeys: Type.Array(Type.Object({ key: Type.String(), expiresAt: Timestamp }), {
    description: 'Keys rotated out that still sign until their grace period ends',
  }),
});

export const SigningKeyRotateIn = Type.Object({
  gracePeriodSeconds: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: 0,
        maximum: 7 * 24 * 60 * 60,
        description: 'How long the previous key keeps signing, from 0 to 7 days (default 24 hours)',
      }),
    ),
  ),
});

export const AuthType = Type.Union([Type.Literal('basic'), Type.Literal('jwt'), Type.Literal('oauth2')]);
export const JwtAlgorithmSchema = Type.Union([
  Type.Literal('HS256'),
  Type.Literal('RS256'),
  Type.Literal('EdDSA'),
]);

/** One flat object: which fields a method needs is checked by the handler, which names what is missing. */
export const EndpointAuthIn = Type.Object({
  type: AuthType,
  username: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 256,
      pattern: '^[^:\\x00]*$',
      description: 'basic: the user name (no colon)',
    }),
  ),
  password: Type.Optional(
    Type.String({ maxLength: 1024, pattern: TEXT_PATTERN, description: 'basic: the password; write-only' }),
  ),
  algorithm: Type.Optional(JwtAlgorithmSchema),
  key: Type.Optional(
    Text(
      16_384,
      'jwt: the HS256 shared secret (32 characters or more) or the RS256/EdDSA private key in PEM; write-only. ' +
        'Omitted, Herald generates one: an HS256 secret is returned in this response only, a key pair’s public ' +
        'key is returned as `publicKey` whenever the method is read.',
    ),
  ),
  keyId: Type.Optional(Text(256, 'jwt: the `kid` header')),
  issuer: Type.Optional(Text(1024, 'jwt: the `iss` claim')),
  audience: Type.Optional(Text(1024, 'jwt: the `aud` claim; oauth2: the `audience` form parameter')),
  subject: Type.Optional(Text(1024, 'jwt: the `sub` claim')),
  expiresInSeconds: Type.Optional(
    Type.Integer({
      minimum: 10,
      maximum: 3600,
      description: 'jwt: token lifetime (`exp` − `iat`), default 60',
    }),
  ),
  tokenUrl: Type.Optional(
    Type.String({ minLength: 1, maxLength: 4096, format: 'uri', description: 'oauth2: the token endpoint' }),
  ),
  clientId: Type.Optional(Text(1024, 'oauth2: the client id')),
  clientSecret: Type.Optional(Text(4096, 'oauth2: the client secret; write-only')),
  scope: Type.Optional(Text(1024, 'oauth2: the `scope` form parameter')),
  clientAuth: Type.Optional(
    Type.Union([Type.Literal('basic'), Type.Literal('body')], {
      description:
        'oauth2: send the client credentials in an Authorization header (`basic`, default) or the form body',
    }),
  ),
});

export const EndpointAuthOut = Type.Object({
  type: Type.Union([Type.Literal('none'), AuthType]),
  username: Type.Optional(Type.String()),
  algorithm: Type.Optional(JwtAlgorithmSchema),
  keyId: Type.Optional(Type.String()),
  issuer: Type.Optional(Type.String()),
  audience: Type.Optional(Type.String()),
  subject: Type.Optional(Type.String()),
  expiresInSeconds: Type.Optional(Type.Integer()),
  publicKey: Type.Optional(
    Type.String({ description: 'jwt with RS256 or EdDSA: the PEM public key that verifies the tokens' }),
  ),
  tokenUrl: Type.Optional(Type.String()),
  clientId: Type.Optional(Type.String()),
  scope: Type.Optional(Type.String()),
  clientAuth: Type.Optional(Type.String()),
  generatedKey: Type.Optional(
    Type.String({ description: 'jwt HS256: the secret Herald generated. It is shown only this once.' }),
  ),
});

const CidrList = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
  maxItems: 100,
  description: 'CIDRs (`203.0.113.0/24`, `2001:db8::/32`) or single addresses',
});

export const DestinationRulesIn = Type.Object({
  allowedDestinationCidrs: Nullable(CidrList),
});
export const DestinationRulesOut = Type.Object({
  allowedDestinationCidrs: Nullable(Type.Array(Type.String())),
});
export const ClientCidrList = CidrList;

export const AuditRecordOut = Type.Object({
  id: Type.String({ example: 'audit_01JDQ8Z5S3V6J8K2M4N7P9R1T3' }),
  timestamp: Timestamp,
  actor: Type.String({ description: 'The API key id that acted, `cli`, `system` or `anonymous`' }),
  ip: Nullable(Type.String()),
  action: Type.String({ example: 'endpoint.url.changed' }),
  targetType: Nullable(Type.String()),
  targetId: Nullable(Type.String()),
  appId: Nullable(Type.String()),
  before: Nullable(Type.Record(Type.String(), Type.Unknown())),
  after: Nullable(Type.Record(Type.String(), Type.Unknown())),
});

export const EndpointRateOut = Type.Object({
  endpointId: Type.String(),
  endpointUid: Nullable(Type.String()),
  throttleRate: Nullable(Type.Integer({ description: 'Messages per second at most; null for no limit' })),
  tokens: Nullable(
    Type.Number({
      description: 'Messages that may be sent at once now (the bucket refilled to now); null for no limit',
    }),
  ),
  capacity: Nullable(Type.Integer({ description: 'The most the bucket holds: one second’s worth' })),
  nextTokenAt: Nullable(Timestamp),
  pending: Type.Integer({ description: 'Deliveries waiting in the queue for this endpoint' }),
});
