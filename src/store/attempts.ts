import type { Selectable } from 'kysely';
import type { Connection } from './dialect.js';
import { fromJsonOrNull, hasChannel, paged, pageOf, toJsonOrNull } from './rows.js';
import type { AttemptTable } from './schema.js';
import type { Attempt, AttemptFilter, DeliveryStatus, Page, PageQuery, TriggerType } from './types.js';

export interface AttemptQueries {
  /** Records many attempts in one statement. */
  attemptInsertMany(attempts: Attempt[]): Promise<void>;
  /** One attempt of one message of an application. */
  attemptGet(appId: string, msgId: string, attemptId: string): Promise<Attempt | undefined>;
  /** An application's attempts filtered by message, endpoint, outcome, and their messages' type and channel. */
  attemptList(appId: string, filter: AttemptFilter, page: PageQuery): Promise<Page<Attempt>>;
  /**
   * How many of an application's attempts match `filter`, counting at most `cap`; `approximated` says there are
   * more.
   */
  attemptCount(
    appId: string,
    filter: AttemptFilter,
    cap: number,
  ): Promise<{ count: number; approximated: boolean }>;
  /** Deletes the bodies an attempt received and sent, keeping its record. False if there is no such attempt. */
  attemptExpungeContent(appId: string, msgId: string, attemptId: string): Promise<boolean>;
}

function toAttempt(row: Selectable<AttemptTable>): Attempt {
  return {
    id: row.id,
    appId: row.app_id,
    msgId: row.msg_id,
    endpointId: row.endpoint_id,
    deliveryId: row.delivery_id,
    url: row.url,
    status: row.status as DeliveryStatus,
    responseStatusCode: row.response_status_code,
    responseBody: row.response_body,
    responseHeaders: fromJsonOrNull(row.response_headers),
    requestHeaders: fromJsonOrNull(row.request_headers),
    requestBody: row.request_body,
    durationMs: row.duration_ms,
    triggerType: row.trigger_type as TriggerType,
    errorClass: row.error_class,
    errorDetail: row.error_detail,
    createdAt: row.created_at,
  };
}

/** Attempts as rows to insert. */
export function attemptRows(attempts: Attempt[]) {
  return attempts.map((a) => ({
    id: a.id,
    app_id: a.appId,
    msg_id: a.msgId,
    endpoint_id: a.endpointId,
    delivery_id: a.deliveryId,
    url: a.url,
    status: a.status,
    response_status_code: a.responseStatusCode,
    response_body: a.responseBody,
    response_headers: toJsonOrNull(a.responseHeaders),
    request_headers: toJsonOrNull(a.requestHeaders),
    request_body: a.requestBody,
    duration_ms: a.durationMs,
    trigger_type: a.triggerType,
    error_class: a.errorClass,
    error_detail: a.errorDetail,
    created_at: a.createdAt,
  }));
}

export function attemptQueries(connection: Connection): AttemptQueries {
  const { db } = connection;
  /** An application's attempts matching `filter`, as a query to page or count. */
  const filtered = (appId: string, filter: AttemptFilter) => {
    let query = db.selectFrom('attempt').selectAll('attempt').where('attempt.app_id', '=', appId);
    if (filter.msgId !== undefined) query = query.where('attempt.msg_id', '=', filter.msgId);
    if (filter.endpointId !== undefined) query = query.where('attempt.endpoint_id', '=', filter.endpointId);
    if (filter.status !== undefined) query = query.where('attempt.status', '=', filter.status);
    if (filter.statusCodeClass !== undefined) {
      const low = filter.statusCodeClass;
      query =
        low === 0
          ? query.where('attempt.response_status_code', '=', 0)
          : query
              .where('attempt.response_status_code', '>=', low)
              .where('attempt.response_status_code', '<', low + 100);
    }
    if (filter.before !== undefined) query = query.where('attempt.created_at', '<', filter.before);
    if (filter.after !== undefined) query = query.where('attempt.created_at', '>=', filter.after);
    const byMessage = filter.channel !== undefined || (filter.eventTypes?.length ?? 0) > 0;
    if (byMessage) {
      let joined = query.innerJoin('message', 'message.id', 'attempt.msg_id');
      if (filter.eventTypes !== undefined && filter.eventTypes.length > 0)
        joined = joined.where('message.event_type', 'in', filter.eventTypes);
      if (filter.channel !== undefined)
        joined = joined.where(hasChannel(connection, 'message.channels', filter.channel));
      query = joined;
    }
    return query;
  };
  return {
    async attemptInsertMany(attempts: Attempt[]): Promise<void> {
      if (attempts.length === 0) return;
      await db.insertInto('attempt').values(attemptRows(attempts)).execute();
    },

    async attemptGet(appId: string, msgId: string, attemptId: string): Promise<Attempt | undefined> {
      const row = await db
        .selectFrom('attempt')
        .selectAll()
        .where('app_id', '=', appId)
        .where('msg_id', '=', msgId)
        .where('id', '=', attemptId)
        .executeTakeFirst();
      return row && toAttempt(row);
    },

    async attemptList(appId: string, filter: AttemptFilter, page: PageQuery): Promise<Page<Attempt>> {
      const query = filtered(appId, filter);
      const rows = await paged(query, 'attempt.id', page).execute();
      return pageOf(rows.map(toAttempt), page, (attempt) => attempt.id);
    },

    async attemptCount(appId: string, filter: AttemptFilter, cap: number) {
      const capped = filtered(appId, filter)
        .clearSelect()
        .select('attempt.id')
        .limit(cap + 1);
      const row = await db
        .selectFrom(capped.as('counted'))
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      const count = Number(row.n);
      return { count: Math.min(count, cap), approximated: count > cap };
    },

    async attemptExpungeContent(appId: string, msgId: string, attemptId: string): Promise<boolean> {
      const result = await db
        .updateTable('attempt')
        .set({ response_body: null, request_body: null })
        .where('app_id', '=', appId)
        .where('msg_id', '=', msgId)
        .where('id', '=', attemptId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}
