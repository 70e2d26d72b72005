import { CompiledQuery, type Selectable } from 'kysely';
import type { Connection } from './dialect.js';
import { fromJsonOrNull, toJsonOrNull } from './rows.js';
import type { ApiKeyTable } from './schema.js';
import type { ApiKey, ApiKeyChanges, ApiKeyKind } from './types.js';

export interface ApiKeyQueries {
  /** Stores a key as given (its token is already hashed). */
  apiKeyCreate(key: ApiKey): Promise<ApiKey>;
  /**
   * Creates `key` only if no admin key exists yet, atomically across processes. Returns whether it did.
   * This is how the first start bootstraps its admin key without two processes both creating one.
   */
  apiKeyCreateFirstAdmin(key: ApiKey): Promise<boolean>;
  /** The key whose token hashes to `tokenHash`, revoked or expired ones included: the caller checks. */
  apiKeyFindByHash(tokenHash: string): Promise<ApiKey | undefined>;
  /** Finds a key by its id. */
  apiKeyGet(id: string): Promise<ApiKey | undefined>;
  /** Every key by id, or only those scoped to `appId`. */
  apiKeyList(appId?: string): Promise<ApiKey[]>;
  /** Changes a key's client networks and rate limit; `undefined` leaves a setting as it is. */
  apiKeyUpdate(id: string, changes: ApiKeyChanges): Promise<ApiKey | undefined>;
  /** Revokes a key that is not revoked yet; undefined if there is no such key or it already was. */
  apiKeyRevoke(id: string, now?: number): Promise<ApiKey | undefined>;
  /**
   * Makes the application's live keys of `kinds` expire at `at` at the latest: only those of `sessionIds`, or of
   * `endpointId`, when given. Returns how many changed.
   */
  apiKeyExpireForApp(appId: string, at: number, filter: ApiKeyExpiryFilter): Promise<number>;
  /** The newest live poller token of an endpoint at `now`. */
  apiKeyCurrentPoller(endpointId: string, now?: number): Promise<ApiKey | undefined>;
  /**
   * Revokes a live one-time token found by hash, atomically: of two concurrent exchanges exactly one gets it.
   * Undefined if it is unknown, used, expired or not a one-time token.
   */
  apiKeyConsumeOneTime(tokenHash: string, now?: number): Promise<ApiKey | undefined>;
}

export interface ApiKeyExpiryFilter {
  kinds: ApiKeyKind[];
  sessionIds?: string[] | undefined;
  endpointId?: string | undefined;
}

/** Serialises first-admin creation across processes on PostgreSQL (SQLite already has a single writer). */
const lockApiKeys = CompiledQuery.raw('lock table api_key in share row exclusive mode');

function toApiKey(row: Selectable<ApiKeyTable>): ApiKey {
  return {
    id: row.id,
    name: row.name,
    appId: row.app_id,
    tokenHash: row.token_hash,
    tokenPrefix: row.token_prefix,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    allowedClientCidrs: fromJsonOrNull(row.allowed_client_cidrs),
    rateLimit: row.rate_limit,
    ...(row.feature_flags !== null && { featureFlags: fromJsonOrNull<string[]>(row.feature_flags) }),
    // `key`, the default, is left out, as generateApiKey leaves it out.
    ...(row.kind !== 'key' && { kind: row.kind as ApiKeyKind }),
    ...(row.endpoint_id !== null && { endpointId: row.endpoint_id }),
    ...(row.session_id !== null && { sessionId: row.session_id }),
  };
}

function keyRow(key: ApiKey) {
  return {
    id: key.id,
    name: key.name,
    app_id: key.appId,
    token_hash: key.tokenHash,
    token_prefix: key.tokenPrefix,
    created_at: key.createdAt,
    expires_at: key.expiresAt,
    revoked_at: key.revokedAt,
    allowed_client_cidrs: toJsonOrNull(key.allowedClientCidrs),
    rate_limit: key.rateLimit,
    feature_flags: toJsonOrNull(key.featureFlags ?? null),
    kind: key.kind ?? 'key',
    endpoint_id: key.endpointId ?? null,
    session_id: key.sessionId ?? null,
  };
}

export function apiKeyQueries(connection: Connection): ApiKeyQueries {
  const { db } = connection;
  return {
    async apiKeyCreate(key: ApiKey): Promise<ApiKey> {
      await db.insertInto('api_key').values(keyRow(key)).execute();
      return key;
    },

    async apiKeyCreateFirstAdmin(key: ApiKey): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        if (connection.profile.multiProcess) await trx.executeQuery(lockApiKeys);
        const existing = await trx
          .selectFrom('api_key')
          .select('id')
          .where('app_id', 'is', null)
          .executeTakeFirst();
        if (existing) return false;
        await trx.insertInto('api_key').values(keyRow(key)).execute();
        return true;
      });
    },

    async apiKeyFindByHash(tokenHash: string): Promise<ApiKey | undefined> {
      const row = await db
        .selectFrom('api_key')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row && toApiKey(row);
    },

    async apiKeyGet(id: string): Promise<ApiKey | undefined> {
      const row = await db.selectFrom('api_key').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toApiKey(row);
    },

    async apiKeyList(appId?: string): Promise<ApiKey[]> {
      let query = db.selectFrom('api_key').selectAll().orderBy('id');
      if (appId !== undefined) query = query.where('app_id', '=', appId);
      return (await query.execute()).map(toApiKey);
    },

    async apiKeyUpdate(id: string, changes: ApiKeyChanges): Promise<ApiKey | undefined> {
      const row = await db
        .updateTable('api_key')
        .set({
          ...(changes.allowedClientCidrs !== undefined && {
            allowed_client_cidrs: toJsonOrNull(changes.allowedClientCidrs),
          }),
          ...(changes.rateLimit !== undefined && { rate_limit: changes.rateLimit }),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toApiKey(row);
    },

    async apiKeyRevoke(id: string, now = Date.now()): Promise<ApiKey | undefined> {
      const row = await db
        .updateTable('api_key')
        .set({ revoked_at: now })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      return row && toApiKey(row);
    },

    async apiKeyExpireForApp(appId, at, { kinds, sessionIds, endpointId }) {
      if (sessionIds !== undefined && sessionIds.length === 0) return 0;
      let query = db
        .updateTable('api_key')
        .set({ expires_at: at })
        .where('app_id', '=', appId)
        .where('kind', 'in', kinds)
        .where('revoked_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]));
      if (sessionIds !== undefined) query = query.where('session_id', 'in', sessionIds);
      if (endpointId !== undefined) query = query.where('endpoint_id', '=', endpointId);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async apiKeyCurrentPoller(endpointId: string, now = Date.now()): Promise<ApiKey | undefined> {
      const row = await db
        .selectFrom('api_key')
        .selectAll()
        .where('endpoint_id', '=', endpointId)
        .where('kind', '=', 'poller')
        .where('revoked_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .orderBy('id', 'desc')
        .executeTakeFirst();
      return row && toApiKey(row);
    },

    async apiKeyConsumeOneTime(tokenHash: string, now = Date.now()): Promise<ApiKey | undefined> {
      const row = await db
        .updateTable('api_key')
        .set({ revoked_at: now })
        .where('token_hash', '=', tokenHash)
        .where('kind', '=', 'one_time')
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .returningAll()
        .executeTakeFirst();
      return row && toApiKey(row);
    },
  };
}
