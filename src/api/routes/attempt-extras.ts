/**
 * Svix's attempt operations beyond the open-source server: counting an endpoint's attempts, the headers of one
 * attempt, and canceling an endpoint's pending messages.
 */
import { Type } from '@sinclair/typebox';
import { isSensitiveHeader } from '../../security/redact.js';
import { messageFilter } from '../list-filters.js';
import { findAttempt, findEndpoint } from '../lookups.js';
import { routeModule } from '../route-group.js';
import { IdempotencyHeaders, Nullable, Timestamp } from '../schemas/common.js';
import { EndpointParams } from '../schemas/endpoints.js';
import { MessageParams } from '../schemas/messages.js';
import { AttemptFilters } from './attempts.js';

/** An attempt count stops at this many; `approximated` then says there are more. */
export const ATTEMPT_COUNT_CAP = 10_000;

const CountQuery = Type.Object({
  ...Type.Omit(AttemptFilters, ['limit', 'iterator', 'with_content']).properties,
  tag: Type.Optional(
    Type.String({ maxLength: 128, description: 'Herald keeps no message tags: a count by tag is 0' }),
  ),
});

const CountOut = Type.Object({
  count: Type.Integer({ minimum: 0 }),
  approximated: Type.Boolean({ description: `True when there are more than ${ATTEMPT_COUNT_CAP}` }),
});

const MessageAttemptHeadersOut = Type.Object({
  sentHeaders: Type.Record(Type.String(), Type.String()),
  responseHeaders: Nullable(Type.Array(Type.Array(Type.String(), { minItems: 2, maxItems: 2 }))),
  sensitive: Type.Array(Type.String(), { description: 'Headers sent whose values are not shown' }),
});

export const attemptExtraRoutes = routeModule({ tags: ['Message Attempt'] }, (route, { store }) => {
  route.get(
    '/app/:app_id/attempt/endpoint/:endpoint_id/count',
    {
      access: 'app',
      summary: "Count an endpoint's attempts",
      description: `With the filters of the listing; the count stops at ${ATTEMPT_COUNT_CAP} (\`approximated\`).`,
      params: EndpointParams,
      querystring: CountQuery,
      response: { 200: CountOut },
    },
    async (request) => {
      const q = request.query;
      const endpoint = await findEndpoint(store, request.application.id, request.params.endpoint_id);
      if (q.tag !== undefined) return { count: 0, approximated: false };
      return store.attemptCount(
        request.application.id,
        {
          endpointId: endpoint.id,
          status: q.status,
          statusCodeClass: q.status_code_class,
          ...messageFilter(q),
        },
        ATTEMPT_COUNT_CAP,
      );
    },
  );

  route.get(
    '/app/:app_id/msg/:msg_id/attempt/:attempt_id/headers',
    {
      access: 'app',
      summary: 'Get the headers of an attempt',
      description:
        'The headers sent, without the values of sensitive ones (listed in `sensitive`), and those received.',
      params: Type.Object({ ...MessageParams.properties, attempt_id: Type.String({ maxLength: 64 }) }),
      response: { 200: MessageAttemptHeadersOut },
    },
    async (request) => {
      const { msg_id, attempt_id } = request.params;
      const attempt = await findAttempt(store, request.application.id, msg_id, attempt_id);
      const sent = Object.entries(attempt.requestHeaders ?? {});
      return {
        sentHeaders: Object.fromEntries(sent.filter(([name]) => !isSensitiveHeader(name))),
        responseHeaders: attempt.responseHeaders === null ? null : Object.entries(attempt.responseHeaders),
        sensitive: sent.filter(([name]) => isSensitiveHeader(name)).map(([name]) => name),
      };
    },
  );

  route.post(
    '/app/:app_id/endpoint/:endpoint_id/cancel-msgs',
    {
      access: 'app',
      tags: ['Endpoint'],
      summary: "Cancel an endpoint's pending messages",
      description:
        'The deliveries to this endpoint of messages created before `createdBefore` that are still pending ' +
        '(not yet tried, or waiting for a retry) become canceled (status 4) and are never sent; one in flight ' +
        'finishes. At an ordered endpoint their sequences move on.',
      params: EndpointParams,
      headers: IdempotencyHeaders,
      body: Type.Object({ createdBefore: Timestamp }),
      response: { 204: Type.Null() },
    },
    async (request, reply) => {
      const endpoint = await findEndpoint(store, request.application.id, request.params.endpoint_id);
      await store.deliveryCancelPending(endpoint.id, Date.parse(request.body.createdBefore));
      return reply.status(204).send(null);
    },
  );
});
