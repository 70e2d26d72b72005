/**
 * Getting deliveries through after failures: resend, dead letters and their bulk replay, and endpoint stats.
 * The endpoint-wide replays (recover, replay-missing, bulk-replay) are background tasks: endpoint-replays.ts.
 */
import { Type } from '@sinclair/typebox';
import { viewerRedactor } from '../redaction-view.js';
import { routeModule } from '../route-group.js';
import { findEndpoint, findMessage } from '../lookups.js';
import { badRequest, conflict, unprocessable } from '../errors.js';
import { eventTypesFilter, messageFilter, STATUS_TEXT, timeFilter } from '../list-filters.js';
import { pageQuery } from '../pagination.js';
import {
  AppParams,
  IdempotencyHeaders,
  ListResponse,
  PageQueryString,
  Timestamp,
  toIso,
  Uid,
} from '../schemas/common.js';
import { EndpointParams } from '../schemas/endpoints.js';
import { ListFilters, MessageOut, MessageParams, StatusNumber, StatusText } from '../schemas/messages.js';
import { messageOut } from './messages.js';

const DAY_MS = 24 * 3600 * 1000;
/** Svix's limit on how far back `since` may reach, with its five minutes' grace for clocks. */
const STATS_MAX_DAYS = 28;
const GRACE_MS = 5 * 60 * 1000;

const DeadLetterOut = Type.Object({
  ...MessageOut.properties,
  endpointId: Type.String(),
  status: StatusNumber,
  statusText: StatusText,
  attempts: Type.Integer({ description: 'Attempts made before the delivery failed' }),
  lastAttempt: Type.Union([Timestamp, Type.Null()]),
});

const ReplayIn = Type.Object({
  endpointId: Type.Optional(Uid),
  eventTypes: Type.Optional(Type.Array(Type.String({ maxLength: 256 }), { maxItems: 100 })),
  since: Type.Optional(Timestamp),
  until: Type.Optional(Timestamp),
  dryRun: Type.Optional(Type.Boolean({ default: false })),
});

/** The path of a route that acts on one message's delivery to one endpoint. */
const DeliveryParams = Type.Object({ ...MessageParams.properties, endpoint_id: Uid });

export const recoveryRoutes = routeModule({}, (route, { store, notify, config }) => {
  /**
   * A route that acts on the delivery of the message to the endpoint in its path (both looked up, 404 if
   * missing): `act` says whether it could, and a `409` with `refusal` answers when it could not.
   */
  const deliveryAction = (
    path: string,
    doc: { tags: string[]; summary: string; description: string },
    act: (appId: string, msgId: string, endpointId: string) => Promise<boolean>,
    refusal: string,
  ) =>
    route.post(
      path,
      {
        access: 'app',
        ...doc,
        params: DeliveryParams,
        headers: IdempotencyHeaders,
        response: { 202: Type.Object({}) },
      },
      async (request, reply) => {
        const appId = request.application.id;
        const message = await findMessage(store, appId, request.params.msg_id);
        const endpoint = await findEndpoint(store, appId, request.params.endpoint_id);
        if (!(await act(appId, message.id, endpoint.id))) throw conflict(refusal);
        notify();
        return reply.status(202).send({});
      },
    );

  deliveryAction(
    '/app/:app_id/msg/:msg_id/endpoint/:endpoint_id/resend',
    {
      tags: ['Message Attempt'],
      summary: 'Resend a message to an endpoint',
      description:
        'Queues the message for the endpoint now, as a manual attempt with a fresh retry schedule, whatever ' +
        'its earlier outcome. 409 while an attempt for it is in flight.',
    },
    (appId, msgId, endpointId) => store.deliveryResend(appId, msgId, endpointId),
    'an attempt for this message and endpoint is in flight; resend after it finishes',
  );

  deliveryAction(
    '/app/:app_id/msg/:msg_id/endpoint/:endpoint_id/skip',
    {
      tags: ['Herald'],
      summary: 'Skip a message that holds its ordered sequence',
      description:
        'Herald: at an endpoint with `ordering` and `orderingAfterGiveUp: block`, a message whose delivery was ' +
        'given up holds its sequence. Skipping it lets the sequence move on without it: the next message is ' +
        'sent now, and this one stays failed (resend it later if you like). 409 if the message holds no ' +
        'sequence at this endpoint.',
    },
    (_appId, msgId, endpointId) => store.deliverySkipBlocking(msgId, endpointId),
    'this message holds no sequence at this endpoint: only a given-up delivery of an endpoint with ' +
      'orderingAfterGiveUp "block" does',
  );

  route.get(
    '/app/:app_id/dead-letter',
    {
      access: 'app',
      tags: ['Herald'],
      summary: 'List dead letters',
      description:
        'Herald: deliveries whose retries are exhausted (status `fail`), newest first, with their messages. ' +
        'Filter by endpoint, event type, channel and creation time.',
      params: AppParams,
      querystring: Type.Object({ ...PageQueryString, ...ListFilters, endpoint_id: Type.Optional(Uid) }),
      response: { 200: ListResponse(DeadLetterOut) },
    },
    async (request) => {
      const appId = request.application.id;
      const q = request.query;
      const redactor = viewerRedactor(request, config.redactionRules);
      const endpointId =
        q.endpoint_id === undefined ? undefined : (await findEndpoint(store, appId, q.endpoint_id)).id;
      const page = await store.deliveryList(
        {
          appId,
          endpointId,
          status: 2,
          ...messageFilter(q),
        },
        pageQuery(q, 'descending'),
      );
      const messages = await store.messageGetMany(page.data.map((delivery) => delivery.msgId));
      const data = page.data.flatMap((delivery) => {
        const message = messages.get(delivery.msgId);
        if (!message) return [];
        return [
          {
            ...messageOut(message, q.with_content ?? true, redactor),
            endpointId: delivery.endpointId,
            status: delivery.status,
            statusText: STATUS_TEXT[delivery.status],
            attempts: delivery.attemptCount,
            lastAttempt: delivery.lastAttemptAt === null ? null : toIso(delivery.lastAttemptAt),
          },
        ];
      });
      return { ...page, data };
    },
  );

  route.post(
    '/app/:app_id/dead-letter/replay',
    {
      access: 'app',
      tags: ['Herald'],
      summary: 'Replay dead letters in bulk',
      description:
        'Herald: queues again every dead letter of the application that matches the filters (endpoint, event ' +
        'types, creation time in [since, until)), as manual attempts with a fresh retry schedule. With ' +
        '`dryRun: true` nothing changes and `count` says how many would be replayed.',
      params: AppParams,
      headers: IdempotencyHeaders,
      body: ReplayIn,
      response: {
        202: Type.Object({ count: Type.Integer(), dryRun: Type.Boolean() }),
      },
    },
    async (request, reply) => {
      const appId = request.application.id;
      const body = request.body;
      const endpointId =
        body.endpointId === undefined ? undefined : (await findEndpoint(store, appId, body.endpointId)).id;
      const since = timeFilter(body.since);
      const until = timeFilter(body.until);
      if (since !== undefined && until !== undefined && until <= since)
        throw unprocessable(['body', 'until'], 'must be after since');
      const dryRun = body.dryRun ?? false;
      const count = await store.deliveryRequeueFailed(
        { appId, endpointId, eventTypes: eventTypesFilter(body.eventTypes), since, until },
        dryRun,
      );
      if (!dryRun && count > 0) notify();
      return reply.status(202).send({ count, dryRun });
    },
  );

  route.get(
    '/app/:app_id/endpoint/:endpoint_id/stats',
    {
      access: 'app',
      tags: ['Endpoint'],
      summary: "Count an endpoint's deliveries by status",
      description:
        'Optionally only the deliveries created in [since, until); `since` may be at most ' +
        `${STATS_MAX_DAYS} days before \`until\` (or now), as in Svix (400 otherwise). A delivery tried and ` +
        'waiting for a retry counts as `sending`.',
      params: EndpointParams,
      querystring: Type.Object({ since: Type.Optional(Timestamp), until: Type.Optional(Timestamp) }),
      response: {
        200: Type.Object({
          success: Type.Integer(),
          pending: Type.Integer(),
          fail: Type.Integer(),
          sending: Type.Integer(),
          canceled: Type.Integer({ description: 'Deliveries canceled by cancel-msgs' }),
        }),
      },
    },
    async (request) => {
      const endpoint = await findEndpoint(store, request.application.id, request.params.endpoint_id);
      const since = timeFilter(request.query.since);
      const until = timeFilter(request.query.until);
      if (since !== undefined && (until ?? Date.now()) - since > STATS_MAX_DAYS * DAY_MS + GRACE_MS)
        throw badRequest(`query.since must be at most ${STATS_MAX_DAYS} days before query.until (or now)`);
      const counts = await store.deliveryStats(endpoint.id, since, until);
      return {
        success: counts[0],
        pending: counts[1],
        fail: counts[2],
        sending: counts[3],
        canceled: counts[4],
      };
    },
  );
});
