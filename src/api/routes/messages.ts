import { Type } from '@sinclair/typebox';
import type { Message } from '../../store/index.js';
import { routeModule } from '../route-group.js';
import type { Redactor } from '../../util/redaction.js';
import { notFound } from '../errors.js';
import { viewerRedactor } from '../redaction-view.js';
import { findMessage } from '../lookups.js';
import { eventTypesFilter, timeFilter } from '../list-filters.js';
import { mapPage, pageQuery } from '../pagination.js';
import { AppParams, ListResponse, PageQueryString, toIso } from '../schemas/common.js';
import { ListFilters, MessageOut, MessageParams } from '../schemas/messages.js';

/** What a message's payload reads once it was removed (expunged, or past retention), as in Svix. */
export const EXPIRED_PAYLOAD = { expired: true };

/** A message as the API shows it; `redactor` hides what the viewer may not see (see redaction-view.ts). */
/** A message's payload as the viewer may see it: redacted for them, or `EXPIRED_PAYLOAD` once removed. */
export function payloadOf(message: Message, redactor: Redactor | null) {
  return message.payload === null ? EXPIRED_PAYLOAD : (redactor?.redact(message.payload) ?? message.payload);
}

export function messageOut(message: Message, withContent = true, redactor: Redactor | null = null) {
  const payload = payloadOf(message, redactor);
  return {
    id: message.id,
    eventType: message.eventType,
    eventId: message.eventId,
    payload: withContent ? payload : {},
    channels: message.channels,
    ...(message.orderingKey !== null && { orderingKey: message.orderingKey }),
    timestamp: toIso(message.createdAt),
  };
}

export const messageRoutes = routeModule({ tags: ['Message'] }, (route, { store, config }) => {
  route.get(
    '/app/:app_id/msg',
    {
      access: 'app',
      summary: "List an application's messages",
      description: 'Newest first.',
      params: AppParams,
      querystring: Type.Object({ ...PageQueryString, ...ListFilters }),
      response: { 200: ListResponse(MessageOut) },
    },
    async (request) => {
      const query = request.query;
      const page = await store.messageList(
        request.application.id,
        {
          channel: query.channel,
          eventTypes: eventTypesFilter(query.event_types),
          before: timeFilter(query.before),
          after: timeFilter(query.after),
        },
        pageQuery(query, 'descending'),
      );
      const redactor = viewerRedactor(request, config.redactionRules);
      return mapPage(page, (message) => messageOut(message, query.with_content ?? true, redactor));
    },
  );

  route.get(
    '/app/:app_id/msg/:msg_id',
    {
      access: 'app',
      summary: 'Get a message',
      description: '`msg_id` may be the message id or its `eventId`.',
      params: MessageParams,
      querystring: Type.Object({ with_content: ListFilters.with_content }),
      response: { 200: MessageOut },
    },
    async (request) => {
      const message = await findMessage(store, request.application.id, request.params.msg_id);
      return messageOut(
        message,
        request.query.with_content ?? true,
        viewerRedactor(request, config.redactionRules),
      );
    },
  );

  route.delete(
    '/app/:app_id/msg/:msg_id/content',
    {
      access: 'app',
      summary: "Delete a message's payload",
      description: 'The message stays listed; its payload reads `{"expired": true}`, as in Svix.',
      params: MessageParams,
      response: { 204: Type.Null() },
    },
    async (request, reply) => {
      const appId = request.application.id;
      const message = await findMessage(store, appId, request.params.msg_id);
      if (!(await store.messageExpungeContent(appId, message.id)))
        throw notFound('message', request.params.msg_id);
      return reply.status(204).send(null);
    },
  );
});
