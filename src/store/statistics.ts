/**
 * Counts for Svix's statistics routes: endpoints and applications with active endpoints across the deployment,
 * and an application's attempts over a time window. Attempts are read along the `attempt_by_app` index over the
 * id range of the window (ids start with their creation time); callers bound the window.
 */
import { sql } from 'kysely';
import { idFloor } from '../util/ids.js';
import type { Connection } from './dialect.js';
import { DeliveryStatus } from './types.js';

/** Endpoints pointing here are Svix Play's request inspectors, which Svix leaves out of its counts on request. */
const PLAY_HOST = 'play.svix.com';

export interface AttemptStatsRow {
  /** The start (ms) of the bucket of `bucketMs` the attempts fall in. */
  bucket: number;
  eventType: string;
  outcome: 'success' | 'failure' | 'canceled';
  count: number;
}

export interface StatisticsQueries {
  /** Endpoints (not deleted) enabled and disabled, in every application. */
  endpointCountByState(excludePlay: boolean): Promise<{ active: number; disabled: number }>;
  /** Applications with at least one endpoint (enabled ones only with `excludeDisabled`). */
  applicationCountActive(excludePlay: boolean, excludeDisabled: boolean): Promise<number>;
  /**
   * An application's attempts made in [since, until), by bucket, event type and outcome, with its deliveries
   * canceled in that window as `canceled`.
   */
  attemptStats(
    appId: string,
    window: { since: number; until: number; bucketMs: number; eventTypes?: string[] | undefined },
  ): Promise<AttemptStatsRow[]>;
}

export function statisticsQueries(connection: Connection): StatisticsQueries {
  const { db } = connection;
  const notPlay = sql<boolean>`${sql.raw(connection.profile.substringPositionFn)}(url, ${PLAY_HOST}) = 0`;
  return {
    async endpointCountByState(excludePlay) {
      let query = db
        .selectFrom('endpoint')
        .select(['disabled', (eb) => eb.fn.countAll<number>().as('n')])
        .where('deleted_at', 'is', null)
        .groupBy('disabled');
      if (excludePlay) query = query.where(notPlay);
      const rows = await query.execute();
      const count = (disabled: number) => Number(rows.find((row) => row.disabled === disabled)?.n ?? 0);
      return { active: count(0), disabled: count(1) };
    },

    async applicationCountActive(excludePlay, excludeDisabled) {
      let query = db
        .selectFrom('endpoint')
        .select((eb) => eb.fn.count<number>('app_id').distinct().as('n'))
        .where('deleted_at', 'is', null);
      if (excludePlay) query = query.where(notPlay);
      if (excludeDisabled) query = query.where('disabled', '=', 0);
      return Number((await query.executeTakeFirstOrThrow()).n);
    },

    async attemptStats(appId, { since, until, bucketMs, eventTypes }) {
      // Literals, not parameters: PostgreSQL matches a GROUP BY expression to the selected one only when
      // they are the same text, and each parameter would get a number of its own. Both are integers.
      const [from, size] = [sql.lit(Math.floor(since)), sql.lit(Math.floor(bucketMs))];
      const bucket = sql<number>`(a.created_at - ${from}) / ${size}`;
      let attempts = db
        .selectFrom('attempt as a')
        .innerJoin('message as m', 'm.id', 'a.msg_id')
        .select([bucket.as('bucket'), 'm.event_type', 'a.status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('a.app_id', '=', appId)
        .where('a.id', '>=', idFloor('attempt', since))
        .where('a.id', '<', idFloor('attempt', until + 1))
        .where('a.created_at', '>=', since)
        .where('a.created_at', '<', until)
        .groupBy([bucket, 'm.event_type', 'a.status']);
      if (eventTypes !== undefined && eventTypes.length > 0)
        attempts = attempts.where('m.event_type', 'in', eventTypes);
      const canceledBucket = sql<number>`(d.updated_at - ${from}) / ${size}`;
      let canceled = db
        .selectFrom('delivery as d')
        .innerJoin('message as m', 'm.id', 'd.msg_id')
        .select([canceledBucket.as('bucket'), 'm.event_type', (eb) => eb.fn.countAll<number>().as('n')])
        .where('d.app_id', '=', appId)
        .where('d.status', '=', DeliveryStatus.Canceled)
        .where('d.updated_at', '>=', since)
        .where('d.updated_at', '<', until)
        .groupBy([canceledBucket, 'm.event_type']);
      if (eventTypes !== undefined && eventTypes.length > 0)
        canceled = canceled.where('m.event_type', 'in', eventTypes);
      const [tried, stopped] = await Promise.all([attempts.execute(), canceled.execute()]);
      const at = (index: number) => since + Number(index) * bucketMs;
      return [
        ...tried.map((row) => ({
          bucket: at(row.bucket),
          eventType: row.event_type,
          outcome: row.status === DeliveryStatus.Success ? ('success' as const) : ('failure' as const),
          count: Number(row.n),
        })),
        ...stopped.map((row) => ({
          bucket: at(row.bucket),
          eventType: row.event_type,
          outcome: 'canceled' as const,
          count: Number(row.n),
        })),
      ];
    },
  };
}
