/** The bodies of Svix's authentication routes (whoami, logout, expire-all, message, poller and one-time tokens). */
import { Type } from '@sinclair/typebox';
import { Nullable, Timestamp } from './common.js';

const YEAR_SECONDS = 365 * 24 * 60 * 60;
/** How long a message or poller token lives when the request does not say, and at most. */
export const TOKEN_MAX_EXPIRY_SECONDS = YEAR_SECONDS;

const SessionId = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[a-zA-Z0-9@_-]+$',
  example: 'user_1FB8',
});
export const SessionIdSchema = SessionId;

export const WhoamiOut = Type.Object({
  envId: Nullable(Type.String({ description: 'Herald has one environment; always null' })),
  appId: Nullable(Type.String({ description: 'The application the token is limited to, if any' })),
  streamAppId: Nullable(Type.String({ description: 'Herald has no streams; always null' })),
  permissionSource: Type.Union(
    ['OidcJwt', 'SvixJwt', 'RegionalAuthToken', 'GlobalAuthToken', 'Unknown'].map((v) => Type.Literal(v)),
    { description: '`GlobalAuthToken` for an admin key, `SvixJwt` for a token limited to an application' },
  ),
  sessionId: Nullable(Type.String()),
  keyId: Type.String({ description: "Herald: the token's id, as /api-key lists it" }),
  kind: Type.String({ description: 'Herald: `key`, `portal`, `message` or `poller`' }),
  endpointId: Nullable(Type.String({ description: "Herald: a poller token's endpoint" })),
  expiresAt: Nullable(Timestamp),
});

export const ApplicationTokenExpireIn = Type.Object({
  expiry: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: 0,
        maximum: 259_200,
        description: 'Seconds until the tokens expire, up to 3 days; 0 or null: now',
      }),
    ),
  ),
  sessionIds: Type.Optional(
    Type.Array(SessionId, {
      maxItems: 1000,
      description: 'Only the portal tokens created with one of these session ids',
    }),
  ),
});

export const CreateTokenIn = Type.Object({
  name: Type.String({
    minLength: 1,
    maxLength: 256,
    pattern: '^[^\\x00]*$',
    description: 'The name of the token',
  }),
  expiry: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: 1,
        maximum: TOKEN_MAX_EXPIRY_SECONDS,
        description: 'Seconds the token stays valid, up to one year (the default)',
      }),
    ),
  ),
});

export const RotatePollerTokenIn = Type.Object({
  expiry: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: 1,
        maximum: TOKEN_MAX_EXPIRY_SECONDS,
        description: 'Seconds the new token stays valid, up to one year (the default)',
      }),
    ),
  ),
  oldTokenExpiry: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 86_400,
      default: 300,
      description: 'Seconds the previous token keeps working, up to one day; 0 revokes it now. Default 300',
    }),
  ),
});

export const ApiTokenOut = Type.Object({
  token: Type.String({
    description:
      'The token. Herald stores only its hash, so the whole token is shown once, when it is created; later ' +
      'reads show its first characters followed by "…"',
  }),
  id: Type.String(),
  name: Nullable(Type.String()),
  createdAt: Timestamp,
  expiresAt: Nullable(Timestamp),
  scopes: Nullable(Type.Array(Type.String())),
});

export const OneTimeTokenIn = Type.Object({
  oneTimeToken: Type.String({ minLength: 1, maxLength: 256 }),
});

export const OneTimeTokenOut = Type.Object({
  token: Type.String({ description: 'An application token for the consumer portal; shown only this once' }),
  capabilities: Type.Array(Type.String()),
});
