import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Message } from '../../store/index.js';
import type { ApiContext } from '../context.js';
import { notFound } from '../errors.js';
import { eventTypesFilter, timeFilter } from '../list-filters.js';
import { mapPage, pageQuery } from '../pagination.js';
import { AppParams, errorResponses, ListResponse, PageQueryString, toIso } from '../schemas/common.js';
import { ListFilters, MessageOut, MessageParams } from '../schemas/messages.js';

const tags = ['Message'];

export function messageOut(message: Message, withContent = true) {
  return {
    id: message.id,
    eventType: message.eventType,
    eventId: message.eventId,
    payload: withContent ? (message.payload ?? {}) : {},
    channels: message.channels,
    timestamp: toIso(message.createdAt),
  };
}

export const messageRoutes =
  ({ store }: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/app/:app_id/msg',
      {
        config: { access: 'app' },
        schema: {
          tags,
          summary: "List an application's messages",
          description: 'Newest first.',
          params: AppParams,
          querystring: Type.Object({ ...PageQueryString, ...ListFilters }),
          response: { 200: ListResponse(MessageOut), ...errorResponses },
        },
      },
      async (request) => {
        const query = request.query;
        const page = await store.messageList(
          request.application!.id,
          {
            channel: query.channel,
            eventTypes: eventTypesFilter(query.event_types),
            before: timeFilter(query.before),
            after: timeFilter(query.after),
          },
          pageQuery(query, 'descending'),
        );
        return mapPage(page, (message) => messageOut(message, query.with_content ?? true));
      },
    );

    app.get(
      '/app/:app_id/msg/:msg_id',
      {
        config: { access: 'app' },
        schema: {
          tags,
          summary: 'Get a message',
          description: '`msg_id` may be the message id or its `eventId`.',
          params: MessageParams,
          querystring: Type.Object({ with_content: ListFilters.with_content }),
          response: { 200: MessageOut, ...errorResponses },
        },
      },
      async (request) => {
        const message = await store.messageGet(request.application!.id, request.params.msg_id);
        if (!message) throw notFound('message', request.params.msg_id);
        return messageOut(message, request.query.with_content ?? true);
      },
    );

    app.delete(
      '/app/:app_id/msg/:msg_id/content',
      {
        config: { access: 'app' },
        schema: {
          tags,
          summary: "Delete a message's payload",
          description: 'The message stays listed, with an empty payload.',
          params: MessageParams,
          response: { 204: Type.Null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        const appId = request.application!.id;
        const message = await store.messageGet(appId, request.params.msg_id);
        if (!message || !(await store.messageExpungeContent(appId, message.id)))
          throw notFound('message', request.params.msg_id);
        return reply.status(204).send(null);
      },
    );
  };
