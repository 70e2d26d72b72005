/** Sending messages: the outbox write that queues one delivery per matching endpoint. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { matches } from '../../delivery/routing.js';
import { UniqueViolation, type Application } from '../../store/index.js';
import { newId } from '../../util/ids.js';
import type { ApiContext } from '../context.js';
import { notFound } from '../errors.js';
import { checkPayload } from '../payload-validation.js';
import { AppParams, errorResponses, IdempotencyHeaders } from '../schemas/common.js';
import { MessageIn } from '../schemas/ingest.js';
import { MessageOut } from '../schemas/messages.js';
import { messageOut } from './messages.js';

export const ingestRoutes =
  ({ store, notify }: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    /** The application in the path, or the one the body asks to create under the path's id as uid. */
    async function targetApplication(
      found: Application | null,
      appId: string,
      inline: MessageIn['application'],
    ): Promise<Application> {
      if (found) return found;
      if (!inline) throw notFound('application', appId);
      try {
        return await store.applicationCreate({
          id: newId('application'),
          uid: inline.uid ?? appId,
          name: inline.name,
          metadata: inline.metadata ?? {},
          throttleRate: inline.throttleRate ?? null,
        });
      } catch (error) {
        // Another request created it first: use theirs.
        const raced =
          error instanceof UniqueViolation ? await store.applicationGet(inline.uid ?? appId) : undefined;
        if (raced) return raced;
        throw error;
      }
    }

    app.post(
      '/app/:app_id/msg',
      {
        config: { access: 'app', appOptional: true },
        schema: {
          tags: ['Message'],
          summary: 'Send a message',
          description:
            'Queues one delivery for every enabled endpoint whose event-type and channel filters match, in one ' +
            'transaction: once this answers 202 the message cannot be lost. The payload is validated against ' +
            "the event type's JSON Schema (its highest version) when there is one. A repeated `eventId` returns " +
            'the original message and queues nothing new.',
          params: AppParams,
          headers: IdempotencyHeaders,
          querystring: Type.Object({ with_content: Type.Optional(Type.Boolean({ default: true })) }),
          body: MessageIn,
          response: { 202: MessageOut, ...errorResponses },
        },
      },
      async (request, reply) => {
        const body = request.body as MessageIn;
        const application = await targetApplication(
          request.application,
          request.params.app_id,
          body.application,
        );
        checkPayload(await store.eventTypeGet(body.eventType), body.payload);
        const channels = body.channels ?? null;
        const endpoints = (await store.endpointListEnabledFilters(application.id)).filter((endpoint) =>
          matches(endpoint, body.eventType, channels),
        );
        const now = Date.now();
        const { message, created } = await store.messageCreate({
          message: {
            id: newId('message', now),
            appId: application.id,
            eventType: body.eventType,
            eventId: body.eventId ?? null,
            payload: body.payload as Record<string, never>,
            channels,
            createdAt: now,
          },
          deliveries: endpoints.map((endpoint) => ({ id: newId('delivery', now), endpointId: endpoint.id })),
        });
        if (created && endpoints.length > 0) notify();
        return reply.status(202).send(messageOut(message, request.query.with_content ?? true));
      },
    );
  };
