/**
 * Svix's replays of one endpoint, each a background task: `recover` sends its failed messages again,
 * `replay-missing` sends the messages it never had, and `bulk-replay` sends again what it already had
 * (succeeded or failed). Each answers 202 with the task; `GET /background-task/{id}` follows it to
 * `finished`, with `data.messagesSent`.
 */
import { Type } from '@sinclair/typebox';
import { Router } from '../../delivery/routing.js';
import { DeliveryStatus, type Store } from '../../store/index.js';
import { unprocessable } from '../errors.js';
import { findEndpoint } from '../lookups.js';
import { routeModule } from '../route-group.js';
import { ReplayWindow, TaskAccepted, taskAccepted } from '../schemas/background-tasks.js';
import { Channel, EventTypeName, IdempotencyHeaders } from '../schemas/common.js';
import { EndpointParams } from '../schemas/endpoints.js';

const DAY_MS = 24 * 3600 * 1000;
/** Svix's limit on how far back a recovery's `since` may reach, with its five minutes' grace for clocks. */
const RECOVER_MAX_DAYS = 14;
const GRACE_MS = 5 * 60 * 1000;
/** Messages read, routed and queued at a time by replay-missing. */
const MISSING_CHUNK = 500;

/** Svix's MessageStatus numbers, as Herald's delivery states; 4 (canceled) matches nothing in Herald. */
const MESSAGE_STATUS: Record<number, DeliveryStatus[]> = {
  0: [DeliveryStatus.Success],
  1: [DeliveryStatus.Pending],
  2: [DeliveryStatus.Fail],
  3: [DeliveryStatus.Sending],
  4: [],
};

/** The [since, until) of a replay in milliseconds, or a 422 naming the field. */
function replayWindow(body: { since: string; until?: string | null | undefined }, maxDays?: number) {
  const since = Date.parse(body.since);
  const until = body.until ? Date.parse(body.until) : undefined;
  if (until !== undefined && until <= since) throw unprocessable('body.until must be after body.since');
  if (maxDays !== undefined && (until ?? Date.now()) - since > maxDays * DAY_MS + GRACE_MS)
    throw unprocessable(
      `body.since must be at most ${maxDays} days before body.until (or now); recover older failures ` +
        'with POST /app/{app_id}/dead-letter/replay',
    );
  return { since, until };
}

/** Creates the deliveries to `endpointId` of the messages in the window it never had and should have had. */
async function replayMissing(
  store: Store,
  notify: () => void,
  target: { appId: string; endpointId: string; since: number; until: number | undefined },
): Promise<number> {
  const filters = (await store.endpointListEnabledFiltersMany([target.appId])).get(target.appId) ?? [];
  const endpoint = filters.filter((filter) => filter.id === target.endpointId);
  // A disabled or polling endpoint gets no deliveries, as when the messages were sent.
  if (endpoint.length === 0) return 0;
  const router = new Router();
  let sent = 0;
  let after: string | null = null;
  for (;;) {
    const messages = await store.messageListMissing(target, after, MISSING_CHUNK);
    const routed = messages.filter((message) => router.targets(endpoint, message).length > 0);
    const added = await store.deliveryAddMissing(
      target.appId,
      target.endpointId,
      routed.map((message) => message.id),
    );
    if (added > 0) notify();
    sent += added;
    if (messages.length < MISSING_CHUNK) return sent;
    after = messages.at(-1)!.id;
  }
}

export const endpointReplayRoutes = routeModule({ tags: ['Endpoint'] }, (route, { store, notify, tasks }) => {
  const taskRoute = {
    access: 'app',
    params: EndpointParams,
    headers: IdempotencyHeaders,
    response: { 202: TaskAccepted },
  } as const;

  route.post(
    '/app/:app_id/endpoint/:endpoint_id/recover',
    {
      ...taskRoute,
      summary: "Resend an endpoint's failed messages",
      description:
        'Starts a background task (`endpoint.recover`) that queues every failed delivery of the endpoint ' +
        'created since `since` (and before `until`) again, as manual attempts: one attempt each, as in Svix (a ' +
        'failure leaves it failed). `since` may be at most ' +
        `${RECOVER_MAX_DAYS} days before \`until\` (or now). The finished task's \`data.messagesSent\` counts them.`,
      body: Type.Object(ReplayWindow),
    },
    async (request, reply) => {
      const appId = request.application.id;
      const endpoint = await findEndpoint(store, appId, request.params.endpoint_id);
      const { since, until } = replayWindow(request.body, RECOVER_MAX_DAYS);
      const params = { endpointId: endpoint.id, since, until };
      const task = await tasks.start('endpoint.recover', appId, params, async () => {
        const queued = await store.deliveryRequeueFailed({ appId, ...params }, false, undefined, {
          once: true,
        });
        if (queued > 0) notify();
        return { messagesSent: queued };
      });
      return reply.status(202).send(taskAccepted(task));
    },
  );

  route.post(
    '/app/:app_id/endpoint/:endpoint_id/replay-missing',
    {
      ...taskRoute,
      summary: 'Replay the messages an endpoint never had',
      description:
        'Starts a background task (`endpoint.replay`) that sends the endpoint every message created since ' +
        '`since` (and before `until`) that its filters (event types, channels, content filter) select and that ' +
        'it never had a delivery of: for example messages sent before it was created or while it was disabled. ' +
        'Messages whose payload was expunged are not sent. The finished task counts them in ' +
        '`data.messagesSent`.',
      body: Type.Object(ReplayWindow),
    },
    async (request, reply) => {
      const appId = request.application.id;
      const endpoint = await findEndpoint(store, appId, request.params.endpoint_id);
      const window = replayWindow(request.body);
      const target = { appId, endpointId: endpoint.id, ...window };
      const task = await tasks.start('endpoint.replay', appId, target, async () => ({
        messagesSent: await replayMissing(store, notify, target),
      }));
      return reply.status(202).send(taskAccepted(task));
    },
  );

  route.post(
    '/app/:app_id/endpoint/:endpoint_id/bulk-replay',
    {
      ...taskRoute,
      summary: "Replay an endpoint's messages",
      description:
        'Starts a background task (`endpoint.bulk-replay`) that sends again every delivery of the endpoint ' +
        'created since `since` (and before `until`), succeeded and failed alike, as manual attempts with a ' +
        'fresh retry schedule; deliveries pending or in flight are left alone. Optional filters: `eventTypes`, ' +
        '`channel`, `status` (the delivery status: 0 success, 2 fail) and `statusCodeClass` (the class of the ' +
        "last attempt's response status, 0 for none). Herald messages have no tags, so `tag` is refused. To " +
        'replay only failures across endpoints, see `POST /app/{app_id}/dead-letter/replay`.',
      body: Type.Object({
        ...ReplayWindow,
        eventTypes: Type.Optional(Type.Union([Type.Array(EventTypeName, { maxItems: 100 }), Type.Null()])),
        channel: Type.Optional(Type.Union([Channel, Type.Null()])),
        tag: Type.Optional(Type.Union([Type.String({ maxLength: 128 }), Type.Null()])),
        status: Type.Optional(
          Type.Union([...[0, 1, 2, 3, 4].map((n) => Type.Literal(n)), Type.Null()], {
            description: 'Svix MessageStatus: 0 success, 1 pending, 2 fail, 3 sending, 4 canceled',
          }),
        ),
        statusCodeClass: Type.Optional(
          Type.Union([...[0, 100, 200, 300, 400, 500].map((n) => Type.Literal(n)), Type.Null()]),
        ),
      }),
    },
    async (request, reply) => {
      const appId = request.application.id;
      const endpoint = await findEndpoint(store, appId, request.params.endpoint_id);
      const body = request.body;
      if (body.tag !== undefined && body.tag !== null)
        throw unprocessable('body.tag: Herald messages have no tags; filter with eventTypes or channel');
      const filter = {
        appId,
        endpointId: endpoint.id,
        ...replayWindow(body),
        statuses: body.status === undefined || body.status === null ? undefined : MESSAGE_STATUS[body.status],
        eventTypes: body.eventTypes ?? undefined,
        channel: body.channel ?? undefined,
        statusCodeClass: body.statusCodeClass ?? undefined,
      };
      const task = await tasks.start('endpoint.bulk-replay', appId, filter, async () => {
        const queued = await store.deliveryReplay(filter);
        if (queued > 0) notify();
        return { messagesSent: queued };
      });
      return reply.status(202).send(taskAccepted(task));
    },
  );
});
