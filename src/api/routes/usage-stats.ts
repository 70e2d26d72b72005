/**
 * Svix's usage statistics over the whole deployment, each a background task (admin keys only): message
 * destinations per application, and the event types each application's endpoints subscribe to.
 */
import { Type } from '@sinclair/typebox';
import type { Application } from '../../store/index.js';
import { unprocessable } from '../errors.js';
import { routeModule } from '../route-group.js';
import { TaskAccepted, taskAccepted } from '../schemas/background-tasks.js';
import { IdempotencyHeaders, Timestamp, Uid } from '../schemas/common.js';

export const usageStatRoutes = routeModule({ tags: ['Statistics'] }, (route, { store, tasks }) => {
  route.post(
    '/stats/usage/app',
    {
      access: 'admin',
      summary: 'Count message destinations per application',
      description:
        'Starts a background task (`application.stats`) that counts the message destinations (deliveries: one ' +
        'message to one endpoint) created in [since, until), per application: those in `appIds`, or every ' +
        'application that had one. The finished task has `data.appStats`, a list of `{appId, appUid, ' +
        'messageDestinations}`. `unresolvedAppIds` lists the ids and uids that name no application; a 422 if ' +
        'none of them does.',
      headers: IdempotencyHeaders,
      body: Type.Object({
        since: Timestamp,
        until: Timestamp,
        appIds: Type.Optional(Type.Union([Type.Array(Uid, { maxItems: 1000 }), Type.Null()])),
      }),
      response: {
        202: Type.Object({ ...TaskAccepted.properties, unresolvedAppIds: Type.Array(Type.String()) }),
      },
    },
    async (request, reply) => {
      const since = Date.parse(request.body.since);
      const until = Date.parse(request.body.until);
      if (until <= since) throw unprocessable('body.until must be after body.since');
      const asked = request.body.appIds ?? null;
      const resolved: Application[] = [];
      const unresolvedAppIds: string[] = [];
      for (const idOrUid of new Set(asked ?? [])) {
        const application = await store.applicationGet(idOrUid);
        if (application === undefined) unresolvedAppIds.push(idOrUid);
        else resolved.push(application);
      }
      if (asked !== null && asked.length > 0 && resolved.length === 0)
        throw unprocessable(`body.appIds: none of the applications exists (${unresolvedAppIds.join(', ')})`);
      const appIds = asked === null || asked.length === 0 ? undefined : resolved.map((app) => app.id);
      const task = await tasks.start('application.stats', null, { since, until, appIds }, async () => {
        const counts = await store.deliveryCountByApp(since, until, appIds);
        const applications = await store.applicationGetMany([...counts.keys()]);
        const appStats = [...(appIds ?? counts.keys())].map((appId) => ({
          appId,
          appUid: applications.get(appId)?.uid ?? null,
          messageDestinations: counts.get(appId) ?? 0,
        }));
        return { appStats };
      });
      return reply.status(202).send({ ...taskAccepted(task), unresolvedAppIds });
    },
  );

  route.put(
    '/stats/usage/event-types',
    {
      access: 'admin',
      optionalBody: true,
      summary: 'List the event types each application subscribes to',
      description:
        'Starts a background task (`event-type.aggregate`) that lists, for every application with endpoints, ' +
        'the event types its endpoints subscribe to by name and whether one of them takes every event type. ' +
        'The finished task has `data.event_types`, a list of `{appId, explicitlySubscribedEventTypes, ' +
        "hasCatchAllEndpoint}` (the field name is Svix's).",
      headers: IdempotencyHeaders,
      response: { 202: TaskAccepted },
    },
    async (_request, reply) => {
      const task = await tasks.start('event-type.aggregate', null, {}, async () => {
        const byApp = new Map<string, { types: Set<string>; catchAll: boolean }>();
        for (const { appId, eventTypes } of await store.endpointSubscriptions()) {
          const entry = byApp.get(appId) ?? { types: new Set<string>(), catchAll: false };
          byApp.set(appId, entry);
          if (eventTypes === null || eventTypes.length === 0) entry.catchAll = true;
          else for (const type of eventTypes) entry.types.add(type);
        }
        const event_types = [...byApp].map(([appId, { types, catchAll }]) => ({
          appId,
          explicitlySubscribedEventTypes: [...types].sort(),
          hasCatchAllEndpoint: catchAll,
        }));
        return { event_types };
      });
      return reply.status(202).send(taskAccepted(task));
    },
  );
});
