/** Herald: an endpoint's health at a glance, for dashboards and for people debugging a receiver. */
import { Type } from '@sinclair/typebox';
import { CURRENT_MS, currentLimit, limitHistory } from '../adaptive-limit-report.js';
import { HISTORY_DAYS } from '../../delivery/adaptive-limits.js';
import { unprocessable } from '../errors.js';
import { routeModule } from '../route-group.js';
import { findEndpoint } from '../lookups.js';
import { Nullable, Timestamp, toIso } from '../schemas/common.js';
import { EndpointParams } from '../schemas/endpoints.js';

/** How many of the latest attempts the success rate and latency percentiles are taken over. */
export const HEALTH_WINDOW = 100;
/** Rows of that history read at most: a week of minutes for a few workers. */
const HISTORY_ROWS = 50_000;
/** Blocked sequences listed at most. */
export const BLOCKED_SHOWN = 50;

const EndpointHealthOut = Type.Object({
  circuit: Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('half_open')]),
  circuitOpenUntil: Nullable(Timestamp),
  failingSince: Nullable(Timestamp),
  disabled: Type.Boolean(),
  disabledReason: Nullable(Type.String()),
  compressionRefusedAt: Nullable(
    Type.String({
      format: 'date-time',
      description:
        'When the endpoint answered 415 to a compressed body; since then its bodies are sent plain. Saving ' +
        'its compression setting again clears it.',
    }),
  ),
  adaptiveThrottling: Type.Object(
    {
      enabled: Type.Boolean({ description: "The endpoint's adaptiveThrottling setting" }),
      limit: Nullable(
        Type.Integer({
          description:
            'Requests Herald keeps in flight to the endpoint at most now: the sum of the adaptive limits of the ' +
            'delivery workers that sent to it in the last 2 minutes; null when none did (or the setting is off)',
        }),
      ),
      ceiling: Nullable(
        Type.Integer({
          description: 'The most those workers would keep in flight (HERALD_ENDPOINT_CONCURRENCY each)',
        }),
      ),
      reason: Nullable(
        Type.String({
          description: 'Why the limit is what it is, for example "p95 latency 1.8 s, up from 120 ms"',
          example: 'p95 latency 1.8 s, up from 120 ms',
        }),
      ),
      updatedAt: Nullable(Timestamp),
    },
    {
      description:
        "Herald: how many requests the endpoint's response times and errors let Herald keep in flight to it " +
        '(docs/delivery.md); its history is at …/health/adaptive-limit',
    },
  ),
  blockedSequences: Type.Array(
    Type.Object({
      key: Type.String({
        description: "The ordering key; '' for the whole endpoint or messages without a key",
      }),
      msgId: Type.String({ description: 'The given-up message that holds the sequence (resend or skip it)' }),
      attempts: Type.Integer(),
      lastAttemptAt: Nullable(Timestamp),
      waiting: Type.Integer({ description: 'Messages waiting behind it' }),
    }),
    {
      description: `Ordered endpoints that block after a give-up: the sequences held, at most ${BLOCKED_SHOWN}`,
    },
  ),
  recent: Type.Object({
    attempts: Type.Integer({
      description: `How many attempts this covers: the latest, at most ${HEALTH_WINDOW}`,
    }),
    successRate: Nullable(Type.Number({ description: 'Share of those attempts that succeeded, 0 to 1' })),
    p50Ms: Nullable(Type.Integer()),
    p95Ms: Nullable(Type.Integer()),
    lastStatusCode: Nullable(Type.Integer({ description: '0 when the last attempt got no response' })),
    lastErrorClass: Nullable(Type.String()),
    lastAttemptAt: Nullable(Timestamp),
  }),
});

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const healthReportRoutes = routeModule({}, (route, { store }) => {
  route.get(
    '/app/:app_id/endpoint/:endpoint_id/health',
    {
      access: 'app',
      tags: ['Herald'],
      summary: "An endpoint's health",
      description:
        `Herald: the circuit breaker's state, how long the endpoint has been failing, why it was disabled, when ` +
        `it refused a compressed body, its adaptive limit (how many requests in flight its response times ` +
        `allow, and why), the ordered sequences that a given-up message holds, and ` +
        `the success rate and latency (p50, p95) of its latest ${HEALTH_WINDOW} attempts.`,
      params: EndpointParams,
      response: { 200: EndpointHealthOut },
    },
    async (request) => {
      const appId = request.application.id;
      const endpoint = await findEndpoint(store, appId, request.params.endpoint_id);
      const attempts = (
        await store.attemptList(
          appId,
          { endpointId: endpoint.id },
          { limit: HEALTH_WINDOW, order: 'descending' },
        )
      ).data;
      const blocked =
        endpoint.ordering === 'none' ? [] : await store.deliveryBlockedSequences(endpoint.id, BLOCKED_SHOWN);
      const now = Date.now();
      const limit = endpoint.adaptiveThrottling
        ? currentLimit(await store.endpointLimitRecent(endpoint.id, now - CURRENT_MS))
        : currentLimit([]);
      const open = endpoint.circuitOpenUntil;
      const durations = attempts.map((attempt) => attempt.durationMs).sort((a, b) => a - b);
      const last = attempts[0];
      return {
        circuit: open === null ? 'closed' : open > now ? 'open' : 'half_open',
        circuitOpenUntil: open === null ? null : toIso(open),
        failingSince: endpoint.failingSince === null ? null : toIso(endpoint.failingSince),
        disabled: endpoint.disabled,
        disabledReason: endpoint.disabledReason,
        compressionRefusedAt:
          endpoint.compressionRefusedAt === null ? null : toIso(endpoint.compressionRefusedAt),
        adaptiveThrottling: {
          enabled: endpoint.adaptiveThrottling,
          ...limit,
          updatedAt: limit.updatedAt === null ? null : toIso(limit.updatedAt),
        },
        blockedSequences: blocked.map((sequence) => ({
          key: sequence.key,
          msgId: sequence.head.msgId,
          attempts: sequence.head.attemptCount,
          lastAttemptAt: sequence.head.lastAttemptAt === null ? null : toIso(sequence.head.lastAttemptAt),
          waiting: sequence.waiting,
        })),
        recent: {
          attempts: attempts.length,
          successRate:
            attempts.length === 0 ? null : attempts.filter((a) => a.status === 0).length / attempts.length,
          p50Ms: percentile(durations, 50),
          p95Ms: percentile(durations, 95),
          lastStatusCode: last?.responseStatusCode ?? null,
          lastErrorClass: last?.errorClass ?? null,
          lastAttemptAt: last ? toIso(last.createdAt) : null,
        },
      } as const;
    },
  );

  route.get(
    '/app/:app_id/endpoint/:endpoint_id/health/adaptive-limit',
    {
      access: 'app',
      tags: ['Herald'],
      summary: "The history of an endpoint's adaptive limit",
      description:
        "Herald: the endpoint's adaptive limit (requests kept in flight at most, summed over the delivery " +
        'workers) from `after` until now, in `periods` equal periods: for each, the limit at its end and the ' +
        'lowest and highest it was; nulls where nothing was sent. Kept as long as HERALD_RETENTION_DAYS, at ' +
        `most ${HISTORY_DAYS} days.`,
      params: EndpointParams,
      querystring: Type.Object({
        after: Type.Optional(Timestamp),
        periods: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 60 })),
      }),
      response: {
        200: Type.Object({
          data: Type.Array(
            Type.Object({
              start: Timestamp,
              limit: Nullable(Type.Integer()),
              low: Nullable(Type.Integer()),
              high: Nullable(Type.Integer()),
              ceiling: Nullable(Type.Integer()),
            }),
          ),
        }),
      },
    },
    async (request) => {
      const endpoint = await findEndpoint(store, request.application.id, request.params.endpoint_id);
      const now = Date.now();
      const after = request.query.after === undefined ? now - 3_600_000 : Date.parse(request.query.after);
      if (!(after < now)) throw unprocessable(['query', 'after'], 'must be a time in the past');
      if (now - after > HISTORY_DAYS * 86_400_000)
        throw unprocessable(['query', 'after'], `may be at most ${HISTORY_DAYS} days ago`);
      const reports = await store.endpointLimitHistory(endpoint.id, after - (after % 60_000), HISTORY_ROWS);
      return {
        data: limitHistory(reports, after, now, request.query.periods ?? 60).map((period) => ({
          ...period,
          start: toIso(period.start),
        })),
      };
    },
  );
});
