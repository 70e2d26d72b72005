/**
 * Svix's broadcast: one message to every application, as a background task (`message.broadcast`). Each
 * application gets the message through the ordinary ingest path (its endpoints' filters, its eventId
 * idempotency); an application without a matching endpoint still records the message, as a send to it would.
 */
import { Type } from '@sinclair/typebox';
import { OPERATIONAL_APP_UID } from '../../delivery/operational-events.js';
import { everyItem } from '../environment-export.js';
import { IngestWriter } from '../ingest-writer.js';
import { routeModule } from '../route-group.js';
import { TaskAccepted, taskAccepted } from '../schemas/background-tasks.js';
import { IdempotencyHeaders } from '../schemas/common.js';
import { MessageIn } from '../schemas/ingest.js';

/** Applications sent to at once. */
const BROADCAST_CHUNK = 100;

const { eventType, payload, eventId, channels, payloadRetentionPeriod, payloadRetentionHours } =
  MessageIn.properties;
const MessageBroadcastIn = Type.Object({
  eventType,
  payload,
  eventId,
  channels,
  payloadRetentionPeriod,
  payloadRetentionHours,
});

export const messageBroadcastRoutes = routeModule(
  { tags: ['Message'] },
  (route, { store, tasks, notify, metrics }) => {
    const writer = new IngestWriter(store, metrics, notify, store.profile.concurrentWrites);

    route.post(
      '/msg/broadcast',
      {
        access: 'admin',
        summary: 'Send a message to every application',
        description:
          'Starts a background task (`message.broadcast`) that sends the message to each application (except ' +
          "Herald's operational one) as `POST /api/v1/app/{app_id}/msg` would: it is queued for the endpoints " +
          'whose filters match, and an application with no matching endpoint still records it (listed, ' +
          'nothing delivered). With `eventId`, an application that already has a message of that eventId ' +
          'gets nothing new, so a repeated broadcast is safe. The finished task lists the messages it created ' +
          'in `data.messagesCreated` (`appId`, `msgId`). A payload the event type refuses fails the task.',
        headers: IdempotencyHeaders,
        body: MessageBroadcastIn,
        response: { 202: TaskAccepted },
      },
      async (request, reply) => {
        const message = request.body as MessageIn;
        const task = await tasks.start(
          'message.broadcast',
          null,
          { eventType: message.eventType, eventId: message.eventId ?? null },
          async () => {
            const applications = await everyItem((page) => store.applicationList(page));
            const messagesCreated: { appId: string; msgId: string }[] = [];
            const targets = applications.filter((application) => application.uid !== OPERATIONAL_APP_UID);
            // A chunk's sends reach the writer together, so they share its group commits.
            for (let start = 0; start < targets.length; start += BROADCAST_CHUNK) {
              const chunk = targets.slice(start, start + BROADCAST_CHUNK);
              const written = await Promise.all(
                chunk.map((application) => writer.write({ application, items: [message] })),
              );
              chunk.forEach((application, i) => {
                const [one] = written[i]!;
                if (one!.created) messagesCreated.push({ appId: application.id, msgId: one!.message.id });
              });
            }
            return { messagesCreated };
          },
        );
        return reply.status(202).send(taskAccepted(task));
      },
    );
  },
);
