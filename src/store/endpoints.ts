import { sql, type Kysely, type Selectable } from 'kysely';
import type { Connection } from './dialect.js';
import { DeliveryStatus } from './types.js';
import { flag, fromJson, fromJsonOrNull, guardUnique, paged, pageOf, toJson, toJsonOrNull } from './rows.js';
import type { Database, EndpointTable } from './schema.js';
import { releaseSequences, unblockSequences } from './sequences.js';
import type {
  Compression,
  Conversion,
  Endpoint,
  EndpointChanges,
  EndpointFilter,
  EndpointInsert,
  HeaderStyle,
  Ordering,
  OrderingAfterGiveUp,
  Page,
  PageQuery,
  SignatureVersion,
} from './types.js';

export interface EndpointQueries {
  /** Creates an endpoint; a `uid` taken in its application throws `UniqueViolation`. */
  endpointCreate(endpoint: EndpointInsert, now?: number): Promise<Endpoint>;
  /** Finds an endpoint of one application by its id or its uid; an id wins over a uid equal to it. */
  endpointGet(appId: string, idOrUid: string): Promise<Endpoint | undefined>;
  /**
   * The endpoints among `ids`, in any application, by id, in one query: deleted ones too, for the messages that
   * were delivered to them and the deliveries still in flight to them. Nothing else reads a deleted endpoint.
   */
  endpointGetMany(ids: string[]): Promise<Map<string, Endpoint>>;
  /** The enabled endpoints of an application (not polling ones) with just what routing a message needs. */
  endpointListEnabledFilters(appId: string): Promise<EndpointFilter[]>;
  /** The same for several applications in one query, by application (an application without any has `[]`). */
  endpointListEnabledFiltersMany(appIds: string[]): Promise<Map<string, EndpointFilter[]>>;
  /** A page of an application's endpoints by id. */
  endpointList(appId: string, page: PageQuery): Promise<Page<Endpoint>>;
  /**
   * Changes what `changes` sets and `updated_at`; a taken `uid` throws `UniqueViolation`. Undefined if the
   * application has no such endpoint.
   */
  endpointUpdate(
    appId: string,
    id: string,
    changes: EndpointChanges,
    now?: number,
  ): Promise<Endpoint | undefined>;
  /**
   * Records health state that Herald manages (failing since, circuit, a refused compression) without touching `updated_at`, which tells
   * users when they last changed the endpoint. `onlyIfFailingSinceNull` makes marking the start of a failure run
   * idempotent across workers.
   */
  endpointSetHealth(
    id: string,
    health: Partial<Pick<Endpoint, 'failingSince' | 'circuitOpenUntil' | 'compressionRefusedAt'>>,
    onlyIfFailingSinceNull?: boolean,
  ): Promise<void>;
  /** Disables an endpoint on Herald's own initiative, saying why. Returns whether it was enabled before. */
  endpointDisableAutomatically(id: string, reason: string, now?: number): Promise<boolean>;
  /** Enabled endpoints that have failed without a success since before `failingBefore`. */
  endpointListFailingSince(failingBefore: number): Promise<Endpoint[]>;
  /** How many endpoints, in any application, use a template. */
  endpointCountByTemplate(templateId: string): Promise<number>;
  /**
   * Gives an endpoint its first Ed25519 key list unless it has one; returns whether it did. Conditional, so two
   * requests at once cannot hand out two different keys.
   */
  endpointSetSigningKeysIfMissing(id: string, sealed: string): Promise<boolean>;
  /**
   * Deletes an endpoint of one application: it is gone for every read but {@link endpointGetMany}, its uid is
   * free again, and its deliveries not delivered are deleted. Its attempts and delivered deliveries stay, so the
   * messages delivered to it still list it among their destinations, as in Svix.
   */
  endpointDelete(appId: string, id: string, now?: number): Promise<boolean>;
}

function toEndpoint(row: Selectable<EndpointTable>): Endpoint {
  return {
    id: row.id,
    appId: row.app_id,
    uid: row.uid,
    url: row.url,
    description: row.description,
    disabled: row.disabled === 1,
    eventTypes: fromJsonOrNull(row.event_types),
    channels: fromJsonOrNull(row.channels),
    metadata: fromJson(row.metadata),
    throttleRate: row.throttle_rate,
    headersSealed: row.headers_sealed,
    secretsSealed: row.secrets_sealed,
    timeoutMs: row.timeout_ms,
    retrySchedule: fromJsonOrNull(row.retry_schedule),
    headerStyle: row.header_style as HeaderStyle,
    disabledReason: row.disabled_reason,
    failingSince: row.failing_since,
    circuitOpenUntil: row.circuit_open_until,
    signatureVersions: fromJsonOrNull<SignatureVersion[]>(row.signature_versions) ?? ['v1'],
    signingKeysSealed: row.signing_keys_sealed,
    authSealed: row.auth_sealed,
    allowedDestinationCidrs: fromJsonOrNull(row.allowed_destination_cidrs),
    templateId: row.template_id,
    templateVersion: row.template_version,
    payloadVersion: row.payload_version,
    conversion: row.conversion as Conversion,
    filter: fromJsonOrNull(row.content_filter),
    compression: row.compression as Compression,
    compressionThreshold: row.compression_threshold,
    compressionRefusedAt: row.compression_refused_at,
    ordering: row.ordering as Ordering,
    orderingAfterGiveUp: row.ordering_after_give_up as OrderingAfterGiveUp,
    version: row.version,
    propagateTraceContext: row.propagate_trace_context === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function endpointQueries(connection: Connection): EndpointQueries {
  const { db } = connection;
  /** The routing filters of the enabled endpoints of several applications, by application, in one query. */
  async function enabledFilters(appIds: string[]): Promise<Map<string, EndpointFilter[]>> {
    const byApp = new Map<string, EndpointFilter[]>(appIds.map((appId) => [appId, []]));
    if (appIds.length === 0) return byApp;
    const rows = await db
      .selectFrom('endpoint')
      .select(['id', 'app_id', 'event_types', 'channels', 'content_filter', 'ordering'])
      .where('app_id', 'in', appIds)
      .where('disabled', '=', 0)
      // A polling endpoint (`poll:` URL) is read through the poller API and gets no deliveries.
      .where('url', 'not like', 'poll:%')
      .execute();
    for (const row of rows)
      byApp.get(row.app_id)?.push({
        id: row.id,
        eventTypes: fromJsonOrNull(row.event_types),
        channels: fromJsonOrNull(row.channels),
        contentFilter: row.content_filter,
        ordering: row.ordering as Ordering,
      });
    return byApp;
  }

  return {
    async endpointCreate(endpoint: EndpointInsert, now = Date.now()): Promise<Endpoint> {
      const row = {
        id: endpoint.id,
        app_id: endpoint.appId,
        uid: endpoint.uid,
        url: endpoint.url,
        description: endpoint.description,
        disabled: flag(endpoint.disabled),
        event_types: toJsonOrNull(endpoint.eventTypes),
        channels: toJsonOrNull(endpoint.channels),
        metadata: toJson(endpoint.metadata),
        throttle_rate: endpoint.throttleRate,
        headers_sealed: endpoint.headersSealed,
        secrets_sealed: endpoint.secretsSealed,
        timeout_ms: endpoint.timeoutMs ?? null,
        retry_schedule: toJsonOrNull(endpoint.retrySchedule),
        header_style: endpoint.headerStyle ?? 'standard',
        disabled_reason: null,
        failing_since: null,
        circuit_open_until: null,
        signature_versions: toJsonOrNull(endpoint.signatureVersions),
        signing_keys_sealed: endpoint.signingKeysSealed ?? null,
        auth_sealed: endpoint.authSealed ?? null,
        allowed_destination_cidrs: toJsonOrNull(endpoint.allowedDestinationCidrs),
        template_id: endpoint.templateId ?? null,
        template_version: endpoint.templateVersion ?? null,
        payload_version: endpoint.payloadVersion ?? null,
        conversion: endpoint.conversion ?? 'none',
        content_filter: toJsonOrNull(endpoint.filter),
        compression: endpoint.compression ?? 'none',
        compression_threshold: endpoint.compressionThreshold ?? null,
        compression_refused_at: null,
        ordering: endpoint.ordering ?? 'none',
        ordering_after_give_up: endpoint.orderingAfterGiveUp ?? 'skip',
        propagate_trace_context: flag(endpoint.propagateTraceContext ?? false),
        version: endpoint.version ?? 1,
        deleted_at: null,
        created_at: now,
        updated_at: now,
      };
      await guardUnique(connection, 'endpoint.uid', () => db.insertInto('endpoint').values(row).execute());
      return toEndpoint(row);
    },

    async endpointGet(appId: string, idOrUid: string): Promise<Endpoint | undefined> {
      const row = await db
        .selectFrom('endpoint')
        .selectAll()
        .where('app_id', '=', appId)
        .where('deleted_at', 'is', null)
        .where((eb) => eb.or([eb('id', '=', idOrUid), eb('uid', '=', idOrUid)]))
        // An id wins over a uid that happens to equal it.
        .orderBy(sql`case when id = ${idOrUid} then 0 else 1 end`)
        .limit(1)
        .executeTakeFirst();
      return row && toEndpoint(row);
    },

    async endpointGetMany(ids: string[]): Promise<Map<string, Endpoint>> {
      if (ids.length === 0) return new Map();
      const rows = await db.selectFrom('endpoint').selectAll().where('id', 'in', ids).execute();
      return new Map(rows.map((row) => [row.id, toEndpoint(row)]));
    },

    async endpointListEnabledFilters(appId: string): Promise<EndpointFilter[]> {
      return (await enabledFilters([appId])).get(appId) ?? [];
    },

    endpointListEnabledFiltersMany: enabledFilters,

    async endpointList(appId: string, page: PageQuery): Promise<Page<Endpoint>> {
      const query = db
        .selectFrom('endpoint')
        .selectAll()
        .where('app_id', '=', appId)
        .where('deleted_at', 'is', null);
      const rows = await paged(query, 'id', page).execute();
      return pageOf(rows.map(toEndpoint), page, (endpoint) => endpoint.id);
    },

    async endpointUpdate(appId: string, id: string, changes: EndpointChanges, now = Date.now()) {
      const values = {
        ...(changes.uid !== undefined && { uid: changes.uid }),
        ...(changes.url !== undefined && { url: changes.url }),
        ...(changes.description !== undefined && { description: changes.description }),
        ...(changes.disabled !== undefined && { disabled: flag(changes.disabled) }),
        ...(changes.eventTypes !== undefined && { event_types: toJsonOrNull(changes.eventTypes) }),
        ...(changes.channels !== undefined && { channels: toJsonOrNull(changes.channels) }),
        ...(changes.metadata !== undefined && { metadata: toJson(changes.metadata) }),
        ...(changes.throttleRate !== undefined && { throttle_rate: changes.throttleRate }),
        ...(changes.headersSealed !== undefined && { headers_sealed: changes.headersSealed }),
        ...(changes.secretsSealed !== undefined && { secrets_sealed: changes.secretsSealed }),
        ...(changes.timeoutMs !== undefined && { timeout_ms: changes.timeoutMs }),
        ...(changes.retrySchedule !== undefined && { retry_schedule: toJsonOrNull(changes.retrySchedule) }),
        ...(changes.headerStyle !== undefined && { header_style: changes.headerStyle }),
        ...(changes.disabledReason !== undefined && { disabled_reason: changes.disabledReason }),
        ...(changes.failingSince !== undefined && { failing_since: changes.failingSince }),
        ...(changes.circuitOpenUntil !== undefined && { circuit_open_until: changes.circuitOpenUntil }),
        ...(changes.signatureVersions !== undefined && {
          signature_versions: toJson(changes.signatureVersions),
        }),
        ...(changes.signingKeysSealed !== undefined && { signing_keys_sealed: changes.signingKeysSealed }),
        ...(changes.authSealed !== undefined && { auth_sealed: changes.authSealed }),
        ...(changes.allowedDestinationCidrs !== undefined && {
          allowed_destination_cidrs: toJsonOrNull(changes.allowedDestinationCidrs),
        }),
        ...(changes.templateId !== undefined && { template_id: changes.templateId }),
        ...(changes.templateVersion !== undefined && { template_version: changes.templateVersion }),
        ...(changes.payloadVersion !== undefined && { payload_version: changes.payloadVersion }),
        ...(changes.conversion !== undefined && { conversion: changes.conversion }),
        ...(changes.filter !== undefined && { content_filter: toJsonOrNull(changes.filter) }),
        ...(changes.compression !== undefined && { compression: changes.compression }),
        ...(changes.compressionThreshold !== undefined && {
          compression_threshold: changes.compressionThreshold,
        }),
        ...(changes.compressionRefusedAt !== undefined && {
          compression_refused_at: changes.compressionRefusedAt,
        }),
        ...(changes.ordering !== undefined && { ordering: changes.ordering }),
        ...(changes.orderingAfterGiveUp !== undefined && {
          ordering_after_give_up: changes.orderingAfterGiveUp,
        }),
        ...(changes.propagateTraceContext !== undefined && {
          propagate_trace_context: flag(changes.propagateTraceContext),
        }),
        ...(changes.version !== undefined && { version: changes.version }),
        updated_at: now,
      };
      const update = (executor: Kysely<Database>) =>
        executor
          .updateTable('endpoint')
          .set(values)
          .where('app_id', '=', appId)
          .where('id', '=', id)
          .where('deleted_at', 'is', null)
          .returningAll()
          .executeTakeFirst();
      if (changes.ordering === undefined && changes.orderingAfterGiveUp === undefined) {
        const row = await guardUnique(connection, 'endpoint.uid', () => update(db));
        return row && toEndpoint(row);
      }
      // A change of ordering releases what waits in the endpoint's sequences; no longer blocking moves them on.
      const row = await guardUnique(connection, 'endpoint.uid', () =>
        db.transaction().execute(async (trx) => {
          const before = await trx
            .selectFrom('endpoint')
            .select(['ordering', 'ordering_after_give_up'])
            .where('id', '=', id)
            .executeTakeFirst();
          const after = await update(trx);
          if (before === undefined || after === undefined) return after;
          if (before.ordering !== 'none' && after.ordering !== before.ordering)
            await releaseSequences(trx, id, now);
          else if (before.ordering_after_give_up === 'block' && after.ordering_after_give_up === 'skip')
            await unblockSequences(trx, connection.profile, id, now);
          return after;
        }),
      );
      return row && toEndpoint(row);
    },

    async endpointSetHealth(
      id: string,
      health: Partial<Pick<Endpoint, 'failingSince' | 'circuitOpenUntil' | 'compressionRefusedAt'>>,
      onlyIfFailingSinceNull = false,
    ): Promise<void> {
      let query = db
        .updateTable('endpoint')
        .set({
          ...(health.failingSince !== undefined && { failing_since: health.failingSince }),
          ...(health.circuitOpenUntil !== undefined && { circuit_open_until: health.circuitOpenUntil }),
          ...(health.compressionRefusedAt !== undefined && {
            compression_refused_at: health.compressionRefusedAt,
          }),
        })
        .where('id', '=', id);
      if (onlyIfFailingSinceNull) query = query.where('failing_since', 'is', null);
      await query.execute();
    },

    async endpointDisableAutomatically(id: string, reason: string, now = Date.now()): Promise<boolean> {
      const result = await db
        .updateTable('endpoint')
        .set({ disabled: 1, disabled_reason: reason, circuit_open_until: null, updated_at: now })
        .where('id', '=', id)
        .where('disabled', '=', 0)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async endpointListFailingSince(failingBefore: number): Promise<Endpoint[]> {
      const rows = await db
        .selectFrom('endpoint')
        .selectAll()
        .where('disabled', '=', 0)
        .where('failing_since', '<=', failingBefore)
        .execute();
      return rows.map(toEndpoint);
    },

    async endpointCountByTemplate(templateId: string): Promise<number> {
      const row = await db
        .selectFrom('endpoint')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('template_id', '=', templateId)
        .where('deleted_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },

    async endpointSetSigningKeysIfMissing(id: string, sealed: string): Promise<boolean> {
      const result = await db
        .updateTable('endpoint')
        .set({ signing_keys_sealed: sealed })
        .where('id', '=', id)
        .where('signing_keys_sealed', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async endpointDelete(appId: string, id: string, now = Date.now()): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        // The record stays, disabled and without its uid (which is free again), for the messages delivered to
        // it; nothing reads it but their destination lists.
        const result = await trx
          .updateTable('endpoint')
          .set({
            deleted_at: now,
            uid: null,
            disabled: 1,
            template_id: null,
            template_version: null,
            updated_at: now,
          })
          .where('app_id', '=', appId)
          .where('id', '=', id)
          .where('deleted_at', 'is', null)
          .executeTakeFirst();
        if (result.numUpdatedRows === 0n) return false;
        // What was delivered stays; what was not (waiting, in flight, or a dead letter) goes with it.
        await trx
          .deleteFrom('delivery')
          .where('endpoint_id', '=', id)
          .where('status', '!=', DeliveryStatus.Success)
          .execute();
        // Its poller consumers' positions go too: the endpoint can no longer be polled.
        await trx.deleteFrom('poller_consumer').where('endpoint_id', '=', id).execute();
        // And its SLAs: there is nothing left to promise. Their rollups age out with the rest.
        await trx.deleteFrom('sla').where('endpoint_id', '=', id).execute();
        return true;
      });
    },
  };
}
