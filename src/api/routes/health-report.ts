/** Herald: an endpoint's health at a glance, for dashboards and for people debugging a receiver. */
import { Type } from '@sinclair/typebox';
import { routeModule } from '../route-group.js';
import { findEndpoint } from '../lookups.js';
import { Nullable, Timestamp, toIso } from '../schemas/common.js';
import { EndpointParams } from '../schemas/endpoints.js';

/** How many of the latest attempts the success rate and latency percentiles are taken over. */
export const HEALTH_WINDOW = 100;
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
        `it refused a compressed body, the ordered sequences that a given-up message holds, and ` +
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
});
