/**
 * Svix's per-event-type retry schedule: the delays before each retry of the messages of one event type. The
 * delivery pipeline reads it beside the endpoint's (targets.ts); an endpoint's own schedule comes first.
 */
import { routeModule } from '../route-group.js';
import { notFound } from '../errors.js';
import { findEventType } from '../lookups.js';
import { EventTypeParams, RetryScheduleInOut } from '../schemas/event-types.js';

interface Duration {
  secs: number;
  nanos: number;
}

const toMs = ({ secs, nanos }: Duration): number => secs * 1000 + Math.round(nanos / 1_000_000);
const toDuration = (ms: number): Duration => ({
  secs: Math.floor(ms / 1000),
  nanos: (ms % 1000) * 1_000_000,
});

function scheduleOut(schedule: number[] | null) {
  return { retrySchedule: schedule === null ? null : schedule.map(toDuration) };
}

export const eventTypeRetryRoutes = routeModule({ tags: ['Event Type'] }, (route, { store }) => {
  route.get(
    '/event-type/:event_type_name/retry-schedule',
    {
      access: 'admin',
      summary: "Get an event type's retry schedule",
      description:
        'Null when the event type has none (endpoints then use their own schedule or the default).',
      params: EventTypeParams,
      response: { 200: RetryScheduleInOut },
    },
    async (request) =>
      scheduleOut((await findEventType(store, request.params.event_type_name)).retrySchedule),
  );

  route.put(
    '/event-type/:event_type_name/retry-schedule',
    {
      access: 'admin',
      summary: "Set an event type's retry schedule",
      description:
        'Applies to the messages of this event type that are retried from now on, at endpoints without a ' +
        '`retrySchedule` of their own.',
      params: EventTypeParams,
      body: RetryScheduleInOut,
      response: { 200: RetryScheduleInOut },
    },
    async (request) => {
      const name = request.params.event_type_name;
      const schedule = request.body.retrySchedule?.map(toMs) ?? null;
      const updated = await store.eventTypeUpdate(name, { retrySchedule: schedule });
      if (!updated) throw notFound('event type', name);
      return scheduleOut(updated.retrySchedule);
    },
  );
});
