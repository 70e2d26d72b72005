import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { DeliveryStatus, type Attempt, type Delivery } from '../../store/index.js';
import { routeModule } from '../route-group.js';
import { notFound } from '../errors.js';
import { findAttempt, findEndpoint, findMessage } from '../lookups.js';
import { messageFilter, STATUS_TEXT } from '../list-filters.js';
import { pageQuery } from '../pagination.js';
import { ListResponse, Nullable, PageQueryString, toIso, Uid } from '../schemas/common.js';
import { EndpointOut, EndpointParams } from '../schemas/endpoints.js';
import {
  AttemptDetailOut,
  AttemptOut,
  ListFilters,
  MessageOut,
  MessageParams,
  StatusNumber,
  StatusText,
} from '../schemas/messages.js';
import { endpointOut } from './endpoints.js';
import { messageOut } from './messages.js';
import type { Redactor } from '../../util/redaction.js';
import { viewerRedactor } from '../redaction-view.js';

/**
 * What an attempt's `response` reads once its body was removed (expunged, or past retention), as in Svix. An
 * attempt that got no response at all reads `""`.
 */
export const EXPUNGED_RESPONSE = 'EXPUNGED';

function responseText(attempt: Attempt, redactor: Redactor | null): string {
  if (attempt.responseBody !== null)
    return redactor === null ? attempt.responseBody : redactor.redactText(attempt.responseBody);
  return attempt.responseStatusCode > 0 ? EXPUNGED_RESPONSE : '';
}

export function attemptOut(attempt: Attempt, withContent = true, redactor: Redactor | null = null) {
  return {
    id: attempt.id,
    msgId: attempt.msgId,
    endpointId: attempt.endpointId,
    url: attempt.url,
    response: withContent ? responseText(attempt, redactor) : '',
    responseStatusCode: attempt.responseStatusCode,
    responseDurationMs: attempt.durationMs,
    status: attempt.status,
    statusText: STATUS_TEXT[attempt.status],
    triggerType: attempt.triggerType,
    timestamp: toIso(attempt.createdAt),
    errorClass: attempt.errorClass,
  };
}

/**
 * A delivery's status as Svix reports it: one that was tried and waits for its next attempt is `sending`, as
 * while a request is in flight; `pending` is one not tried yet.
 */
function deliveryState(delivery: Delivery) {
  const waiting = delivery.status === DeliveryStatus.Pending;
  const status = waiting && delivery.attemptCount > 0 ? DeliveryStatus.Sending : delivery.status;
  return {
    status,
    statusText: STATUS_TEXT[status],
    nextAttempt: delivery.nextAttemptAt === null || !waiting ? null : toIso(delivery.nextAttemptAt),
  };
}

export const AttemptFilters = Type.Object({
  ...PageQueryString,
  ...ListFilters,
  status: Type.Optional(StatusNumber),
  status_code_class: Type.Optional(
    Type.Union(
      [0, 100, 200, 300, 400, 500].map((n) => Type.Literal(n)),
      {
        description: '0 for no response, or 100, 200, 300, 400, 500 for that class of status code',
      },
    ),
  ),
});

const DeliveryState = {
  status: StatusNumber,
  statusText: StatusText,
  nextAttempt: Nullable(Type.String({ format: 'date-time' })),
};
const EndpointMessageOut = Type.Object({ ...MessageOut.properties, ...DeliveryState });
const MessageEndpointOut = Type.Object({ ...EndpointOut.properties, ...DeliveryState });

export const attemptRoutes = routeModule({ tags: ['Message Attempt'] }, (route, { store, config }) => {
  /** A page of attempts, newest first, with the filters every attempt listing takes. */
  const attemptPage = async (
    request: FastifyRequest,
    appId: string,
    where: { endpointId?: string | undefined; msgId?: string },
    q: Static<typeof AttemptFilters>,
  ) => {
    const page = await store.attemptList(
      appId,
      { ...where, status: q.status, statusCodeClass: q.status_code_class, ...messageFilter(q) },
      pageQuery(q, 'descending'),
    );
    const redactor = viewerRedactor(request, config.redactionRules);
    return {
      ...page,
      data: page.data.map((attempt) => attemptOut(attempt, q.with_content ?? true, redactor)),
    };
  };

  route.get(
    '/app/:app_id/attempt/endpoint/:endpoint_id',
    {
      access: 'app',
      summary: "List an endpoint's attempts",
      description: 'Newest first.',
      params: EndpointParams,
      querystring: AttemptFilters,
      response: { 200: ListResponse(AttemptOut) },
    },
    async (request) => {
      const appId = request.application.id;
      const endpoint = await findEndpoint(store, appId, request.params.endpoint_id);
      return attemptPage(request, appId, { endpointId: endpoint.id }, request.query);
    },
  );

  route.get(
    '/app/:app_id/attempt/msg/:msg_id',
    {
      access: 'app',
      summary: "List a message's attempts",
      description: 'Newest first.',
      params: MessageParams,
      querystring: Type.Object({ ...AttemptFilters.properties, endpoint_id: Type.Optional(Uid) }),
      response: { 200: ListResponse(AttemptOut) },
    },
    async (request) => {
      const appId = request.application.id;
      const message = await findMessage(store, appId, request.params.msg_id);
      const q = request.query;
      const endpointId =
        q.endpoint_id === undefined ? undefined : (await findEndpoint(store, appId, q.endpoint_id)).id;
      return attemptPage(request, appId, { msgId: message.id, endpointId }, q);
    },
  );

  route.get(
    '/app/:app_id/msg/:msg_id/attempt/:attempt_id',
    {
      access: 'app',
      summary: 'Get an attempt',
      description:
        'Herald adds the error detail, the request and response headers (secrets redacted) and the body sent ' +
        'when a template or conversion shaped it.',
      params: Type.Object({ ...MessageParams.properties, attempt_id: Uid }),
      response: { 200: AttemptDetailOut },
    },
    async (request) => {
      const { msg_id, attempt_id } = request.params;
      const attempt = await findAttempt(store, request.application.id, msg_id, attempt_id);
      const redactor = viewerRedactor(request, config.redactionRules);
      return {
        ...attemptOut(attempt, true, redactor),
        errorDetail: attempt.errorDetail,
        requestHeaders: attempt.requestHeaders,
        requestBody:
          attempt.requestBody === null || redactor === null
            ? attempt.requestBody
            : redactor.redactText(attempt.requestBody),
        responseHeaders: attempt.responseHeaders,
      };
    },
  );

  route.delete(
    '/app/:app_id/msg/:msg_id/attempt/:attempt_id/content',
    {
      access: 'app',
      summary: "Delete an attempt's response body",
      description: 'Its `response` then reads `EXPUNGED`, as in Svix.',
      params: Type.Object({ ...MessageParams.properties, attempt_id: Uid }),
      response: { 204: Type.Null() },
    },
    async (request, reply) => {
      const appId = request.application.id;
      const message = await store.messageGet(appId, request.params.msg_id);
      const done =
        message && (await store.attemptExpungeContent(appId, message.id, request.params.attempt_id));
      if (!done) throw notFound('attempt', request.params.attempt_id);
      return reply.status(204).send(null);
    },
  );

  route.get(
    '/app/:app_id/endpoint/:endpoint_id/msg',
    {
      access: 'app',
      summary: 'List the messages sent to an endpoint',
      description: "Newest first, each with its delivery's status and next attempt.",
      params: EndpointParams,
      querystring: Type.Object({
        ...PageQueryString,
        ...ListFilters,
        status: Type.Optional(StatusNumber),
      }),
      response: { 200: ListResponse(EndpointMessageOut) },
    },
    async (request) => {
      const endpoint = await findEndpoint(store, request.application.id, request.params.endpoint_id);
      const q = request.query;
      const redactor = viewerRedactor(request, config.redactionRules);
      const page = await store.deliveryListByEndpoint(
        endpoint.id,
        {
          status: q.status,
          ...messageFilter(q),
        },
        pageQuery(q, 'descending'),
      );
      const messages = await store.messageGetMany(page.data.map((delivery) => delivery.msgId));
      const data = page.data.flatMap((delivery) => {
        const message = messages.get(delivery.msgId);
        return message
          ? [{ ...messageOut(message, q.with_content ?? true, redactor), ...deliveryState(delivery) }]
          : [];
      });
      return { ...page, data };
    },
  );

  route.get(
    '/app/:app_id/msg/:msg_id/endpoint',
    {
      access: 'app',
      summary: 'List the endpoints a message goes to',
      description: "Each with its delivery's status and next attempt.",
      params: MessageParams,
      querystring: Type.Object(PageQueryString),
      response: { 200: ListResponse(MessageEndpointOut) },
    },
    async (request) => {
      const message = await findMessage(store, request.application.id, request.params.msg_id);
      const page = await store.deliveryListByMessage(message.id, pageQuery(request.query, 'ascending'));
      const endpoints = await store.endpointGetMany(page.data.map((delivery) => delivery.endpointId));
      const data = page.data.flatMap((delivery) => {
        const endpoint = endpoints.get(delivery.endpointId);
        return endpoint ? [{ ...endpointOut(endpoint), ...deliveryState(delivery) }] : [];
      });
      return { ...page, data };
    },
  );
});
