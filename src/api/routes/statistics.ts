/** Svix's statistics that are read at once (not background tasks): counts of endpoints, applications, attempts. */
import { Type } from '@sinclair/typebox';
import type { AttemptStatsRow } from '../../store/index.js';
import { badRequest } from '../errors.js';
import { eventTypesFilter } from '../list-filters.js';
import { routeModule } from '../route-group.js';
import { AppParams, Timestamp, toIso } from '../schemas/common.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const PERIODS = { OneDay: DAY, OneHour: 60 * MINUTE, FiveMinutes: 5 * MINUTE } as const;
/** The longest window of application statistics, and the most data points of a series. */
export const STATS_MAX_WINDOW_MS = 90 * DAY;
export const STATS_MAX_POINTS = 1000;

const ExcludePlay = Type.Boolean({
  default: true,
  description: 'Leave out endpoints pointing at play.svix.com, as Svix does',
});
const EventTypes = Type.Array(Type.String({ maxLength: 10_000 }), { maxItems: 100 });
const Count = Type.Integer({ minimum: 0 });
const Outcomes = Type.Object({ success: Count, failure: Count, canceled: Count });

function checkWindow(since: number, until: number, field: string): void {
  if (!(since < until)) throw badRequest(`query.${field}: the window must end after it starts`);
  if (until - since > STATS_MAX_WINDOW_MS)
    throw badRequest(`query.${field}: the window may be 90 days at most`);
}

const sum = (rows: AttemptStatsRow[], outcome: AttemptStatsRow['outcome']) =>
  rows.filter((row) => row.outcome === outcome).reduce((total, row) => total + row.count, 0);

export const statisticsRoutes = routeModule({ tags: ['Statistics'] }, (route, { store }) => {
  route.get(
    '/app/stats/count-active',
    {
      access: 'admin',
      tags: ['Application'],
      summary: 'Count applications with an active endpoint',
      querystring: Type.Object({
        exclude_svix_play: Type.Optional(ExcludePlay),
        exclude_disabled: Type.Optional(Type.Boolean({ default: true })),
      }),
      response: { 200: Type.Object({ count: Count }) },
    },
    async (request) => ({
      count: await store.applicationCountActive(
        request.query.exclude_svix_play ?? true,
        request.query.exclude_disabled ?? true,
      ),
    }),
  );

  route.get(
    '/stats/endpoint/count',
    {
      access: 'admin',
      summary: 'Count the enabled and disabled endpoints',
      querystring: Type.Object({ exclude_svix_play: Type.Optional(ExcludePlay) }),
      response: { 200: Type.Object({ active: Count, disabled: Count }) },
    },
    async (request) => store.endpointCountByState(request.query.exclude_svix_play ?? true),
  );

  route.get(
    '/app/:app_id/stats/attempts',
    {
      access: 'app',
      tags: ['Application'],
      summary: "Count an application's attempts by event type",
      description:
        'Attempts made in [since, until) (90 days at most), succeeded or failed, and deliveries canceled then.',
      params: AppParams,
      querystring: Type.Object({
        since: Timestamp,
        until: Timestamp,
        event_types: Type.Optional(EventTypes),
      }),
      response: {
        200: Type.Object({
          by_event_type: Type.Record(Type.String(), Outcomes),
          total_success: Count,
          total_failure: Count,
          total_canceled: Count,
          since: Timestamp,
          until: Timestamp,
        }),
      },
    },
    async (request) => {
      const since = Date.parse(request.query.since);
      const until = Date.parse(request.query.until);
      checkWindow(since, until, 'since');
      const rows = await store.attemptStats(request.application.id, {
        since,
        until,
        bucketMs: until - since,
        eventTypes: eventTypesFilter(request.query.event_types),
      });
      const byEventType: Record<string, { success: number; failure: number; canceled: number }> = {};
      for (const row of rows) {
        const entry = (byEventType[row.eventType] ??= { success: 0, failure: 0, canceled: 0 });
        entry[row.outcome] += row.count;
      }
      return {
        by_event_type: byEventType,
        total_success: sum(rows, 'success'),
        total_failure: sum(rows, 'failure'),
        total_canceled: sum(rows, 'canceled'),
        since: toIso(since),
        until: toIso(until),
      };
    },
  );

  route.get(
    '/stats/app/:app_id/attempt',
    {
      access: 'app',
      summary: "An application's attempts over time",
      description:
        'Succeeded, failed and canceled counts per `period` from `startDate` (default: 7 days before ' +
        `\`endDate\`) to \`endDate\` (default: now); at most 90 days and ${STATS_MAX_POINTS} points.`,
      params: AppParams,
      querystring: Type.Object({
        startDate: Type.Optional(Timestamp),
        endDate: Type.Optional(Timestamp),
        period: Type.Optional(Type.Union(Object.keys(PERIODS).map((name) => Type.Literal(name)))),
        event_types: Type.Optional(EventTypes),
      }),
      response: {
        200: Type.Object({
          startDate: Timestamp,
          endDate: Timestamp,
          period: Type.String(),
          data: Type.Object({
            successCount: Type.Array(Type.Integer()),
            failureCount: Type.Array(Type.Integer()),
            canceledCount: Type.Array(Type.Integer()),
          }),
        }),
      },
    },
    async (request) => {
      const q = request.query;
      const period = (q.period ?? 'OneDay') as keyof typeof PERIODS;
      const step = PERIODS[period];
      const end = q.endDate === undefined ? Date.now() : Date.parse(q.endDate);
      const start = q.startDate === undefined ? end - 7 * DAY : Date.parse(q.startDate);
      checkWindow(start, end, 'startDate');
      const points = Math.ceil((end - start) / step);
      if (points > STATS_MAX_POINTS)
        throw badRequest(`query.period: ${points} points; choose a longer period or a shorter window`);
      const rows = await store.attemptStats(request.application.id, {
        since: start,
        until: end,
        bucketMs: step,
        eventTypes: eventTypesFilter(q.event_types),
      });
      const series = (outcome: AttemptStatsRow['outcome']) => {
        const counts = new Array<number>(points).fill(0);
        for (const row of rows)
          if (row.outcome === outcome) counts[Math.floor((row.bucket - start) / step)]! += row.count;
        return counts;
      };
      return {
        startDate: toIso(start),
        endDate: toIso(end),
        period,
        data: {
          successCount: series('success'),
          failureCount: series('failure'),
          canceledCount: series('canceled'),
        },
      };
    },
  );
});
