/** Herald: API keys as a resource. Tokens are returned once, at creation, and never again. */
import { Type } from '@sinclair/typebox';
import { generateApiKey } from '../../security/api-keys.js';
import type { ApiKey } from '../../store/index.js';
import { routeModule } from '../route-group.js';
import { notFound, unprocessable } from '../errors.js';
import { findApiKey, findApplication } from '../lookups.js';
import { Nullable, TEXT_PATTERN, Timestamp, toIso, Uid } from '../schemas/common.js';
import { ClientCidrList } from '../schemas/security.js';
import { checkCidrs } from '../security-config.js';

const ApiKeyOut = Type.Object({
  id: Type.String({ example: 'key_01JDQ8Z5S3V6J8K2M4N7P9R1T3' }),
  name: Type.String(),
  appId: Nullable(
    Type.String({ description: 'The only application the key reaches; null for an admin key' }),
  ),
  tokenPrefix: Type.String({ description: 'The start of the token, to tell keys apart' }),
  createdAt: Timestamp,
  expiresAt: Nullable(Timestamp),
  revokedAt: Nullable(Timestamp),
  allowedClientCidrs: Nullable(
    Type.Array(Type.String(), { description: 'Networks the key may be used from; null for anywhere' }),
  ),
  rateLimit: Nullable(
    Type.Integer({ description: 'Requests per second the key may make; null for the server default' }),
  ),
});

const ApiKeyCreatedOut = Type.Object({
  ...ApiKeyOut.properties,
  token: Type.String({ description: 'The bearer token. It is shown only this once.' }),
});

const KeyLimits = {
  allowedClientCidrs: Type.Optional(
    Nullable({
      ...ClientCidrList,
      description:
        'Client networks (CIDRs) the key may be used from; other addresses get 403. Null: anywhere',
    }),
  ),
  rateLimit: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: 1,
        maximum: 1_000_000,
        description: 'Requests per second the key may make (429 beyond); null: HERALD_API_RATE_LIMIT',
      }),
    ),
  ),
};

const ApiKeyIn = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 256, pattern: TEXT_PATTERN }),
  appId: Type.Optional(Nullable(Uid)),
  expiresAt: Type.Optional(Nullable(Timestamp)),
  ...KeyLimits,
});

export function apiKeyOut(key: ApiKey) {
  return {
    id: key.id,
    name: key.name,
    appId: key.appId,
    tokenPrefix: key.tokenPrefix,
    createdAt: toIso(key.createdAt),
    expiresAt: key.expiresAt === null ? null : toIso(key.expiresAt),
    revokedAt: key.revokedAt === null ? null : toIso(key.revokedAt),
    allowedClientCidrs: key.allowedClientCidrs,
    rateLimit: key.rateLimit,
  };
}

export const apiKeyRoutes = routeModule({ tags: ['Herald'] }, (route, { store, audit, keys }) => {
  route.get(
    '/api-key',
    {
      access: 'admin',
      summary: 'List API keys',
      description: 'Tokens are never returned; only their prefixes.',
      response: { 200: Type.Object({ data: Type.Array(ApiKeyOut) }) },
    },
    async () => ({ data: (await store.apiKeyList()).map(apiKeyOut) }),
  );

  route.post(
    '/api-key',
    {
      // Not idempotent: a stored response would keep the bearer token at rest and hand it out again.
      access: 'admin',
      idempotent: false,
      summary: 'Create an API key',
      description:
        'With `appId`, the key reaches only that application. The token is in this response only, so ' +
        '`Idempotency-Key` is not honoured here.',
      body: ApiKeyIn,
      response: { 201: ApiKeyCreatedOut },
    },
    async (request, reply) => {
      const body = request.body;
      const appId = body.appId ? (await findApplication(store, body.appId)).id : null;
      const expiresAt = body.expiresAt ? Date.parse(body.expiresAt) : null;
      if (expiresAt !== null && expiresAt <= Date.now())
        throw unprocessable(['body', 'expiresAt'], 'must be in the future');
      const allowedClientCidrs = body.allowedClientCidrs
        ? checkCidrs(body.allowedClientCidrs, ['body', 'allowedClientCidrs'])
        : null;
      const { key, token } = generateApiKey({
        name: body.name,
        appId,
        expiresAt,
        allowedClientCidrs,
        rateLimit: body.rateLimit ?? null,
      });
      await store.apiKeyCreate(key);
      await audit.record(request, {
        action: 'api_key.created',
        targetType: 'api_key',
        targetId: key.id,
        appId,
        after: { name: key.name, appId, allowedClientCidrs, rateLimit: key.rateLimit },
      });
      return reply.status(201).send({ ...apiKeyOut(key), token });
    },
  );

  route.patch(
    '/api-key/:key_id',
    {
      access: 'admin',
      summary: "Change an API key's client networks or rate limit",
      description:
        'Fields left out stay as they are; null removes a restriction. Every process applies the change ' +
        'within HERALD_API_KEY_CACHE_SECONDS.',
      params: Type.Object({ key_id: Uid }),
      body: Type.Object(KeyLimits),
      response: { 200: ApiKeyOut },
    },
    async (request) => {
      const before = await findApiKey(store, request.params.key_id);
      const { allowedClientCidrs, rateLimit } = request.body;
      const updated = (await store.apiKeyUpdate(before.id, {
        allowedClientCidrs:
          allowedClientCidrs === undefined || allowedClientCidrs === null
            ? allowedClientCidrs
            : checkCidrs(allowedClientCidrs, ['body', 'allowedClientCidrs']),
        rateLimit,
      }))!;
      keys.clear();
      await audit.record(request, {
        action: 'api_key.changed',
        targetType: 'api_key',
        targetId: before.id,
        appId: before.appId,
        before: { allowedClientCidrs: before.allowedClientCidrs, rateLimit: before.rateLimit },
        after: { allowedClientCidrs: updated.allowedClientCidrs, rateLimit: updated.rateLimit },
      });
      return apiKeyOut(updated);
    },
  );

  route.delete(
    '/api-key/:key_id',
    {
      access: 'admin',
      summary: 'Revoke an API key',
      description: 'Every process stops accepting the key within HERALD_API_KEY_CACHE_SECONDS.',
      params: Type.Object({ key_id: Uid }),
      response: { 204: Type.Null() },
    },
    async (request, reply) => {
      const revoked = await store.apiKeyRevoke(request.params.key_id);
      if (!revoked) throw notFound('active API key', request.params.key_id);
      keys.clear();
      await audit.record(request, {
        action: 'api_key.revoked',
        targetType: 'api_key',
        targetId: revoked.id,
        appId: revoked.appId,
      });
      return reply.status(204).send(null);
    },
  );
});
