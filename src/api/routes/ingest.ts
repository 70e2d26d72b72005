/** Sending messages: the outbox write that queues one delivery per matching endpoint. */
import { Type } from '@sinclair/typebox';
import type { Application } from '../../store/index.js';
import { isPollingUrl } from '../endpoint-config.js';
import { conflict, HttpError, unprocessable } from '../errors.js';
import { IngestWriter } from '../ingest-writer.js';
import { routeModule } from '../route-group.js';
import { findEndpoint, findEventType, findOrCreateApplication } from '../lookups.js';
import { exampleOf } from '../payload-schemas.js';
import { AppParams, EventTypeName, IdempotencyHeaders } from '../schemas/common.js';
import { EndpointParams } from '../schemas/endpoints.js';
import { MAX_BATCH, MessageBatchIn, MessageIn } from '../schemas/ingest.js';
import { AttemptOut, MessageOut } from '../schemas/messages.js';
import { attemptOut } from './attempts.js';
import { messageOut } from './messages.js';

/** How long test-attempt waits past the endpoint's timeout for the attempt. */
const TEST_ATTEMPT_GRACE_MS = 30_000;

/** A batch may be this many times larger than a single request. */
const BATCH_BODY_FACTOR = 16;

/** Svix's built-in test event, sent by send-example without an event type in the catalogue. */
const PING_EVENT_TYPE = 'svix.ping';
const PING_PAYLOAD = { success: true };

/** A message whose `transformationsParams.rawPayload` is given sends that JSON instead of `payload`. */
function withRawPayload(item: MessageIn, index?: number): MessageIn {
  const raw = item.transformationsParams?.rawPayload;
  if (raw === undefined || raw === null) return item;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    const item = index === undefined ? ['body'] : ['body', 'messages', String(index)];
    throw unprocessable(
      [...item, 'transformationsParams', 'rawPayload'],
      'must be a JSON object, as a string',
    );
  }
  return { ...item, payload: parsed as MessageIn['payload'] };
}

const WithContent = Type.Object({ with_content: Type.Optional(Type.Boolean({ default: true })) });

export const ingestRoutes = routeModule({}, (route, { store, notify, config, metrics }) => {
  /** The application in the path, or the one the body asks to create under the path's id as uid. */
  const targetApplication = async (
    found: Application | null,
    appId: string,
    inline: MessageIn['application'],
  ): Promise<Application> => found ?? (await findOrCreateApplication(store, appId, inline && (() => inline)));

  /** Validates each message, routes it and writes it with its deliveries (grouped with concurrent requests). */
  const writer = new IngestWriter(store, metrics, notify, store.profile.concurrentWrites);
  const accept = (application: Application, items: MessageIn[], only?: string) =>
    writer.write({ application, items, only });

  route.post(
    '/app/:app_id/msg',
    {
      access: 'app',
      appOptional: true,
      tags: ['Message'],
      summary: 'Send a message',
      description:
        'Queues one delivery for every enabled endpoint whose event-type and channel filters match, in one ' +
        'transaction: once this answers 202 the message cannot be lost. The payload is validated against ' +
        "the event type's JSON Schema (its highest version) when there is one. A repeated `eventId` is a 409 " +
        'conflict and queues nothing new. `transformationsParams.rawPayload`, a JSON object as a string, is ' +
        'sent instead of `payload`.',
      params: AppParams,
      headers: IdempotencyHeaders,
      querystring: WithContent,
      body: MessageIn,
      response: { 202: MessageOut },
    },
    async (request, reply) => {
      const body = request.body as MessageIn;
      const application = await targetApplication(
        request.application,
        request.params.app_id,
        body.application,
      );
      const [written] = await accept(application, [withRawPayload(body)]);
      // As in Svix, a repeated eventId is a conflict; nothing new was queued.
      if (!written!.created)
        throw conflict(
          `a message with eventId "${body.eventId}" already exists in this application (${written!.message.id}); ` +
            'it was not sent again',
        );
      return reply.status(202).send(messageOut(written!.message, request.query.with_content ?? true));
    },
  );

  route.post(
    '/app/:app_id/msg/batch',
    {
      access: 'app',
      appOptional: true,
      bodyLimit: config.bodyLimitBytes * BATCH_BODY_FACTOR,
      tags: ['Message', 'Herald'],
      summary: 'Send many messages at once',
      description:
        `Herald: accepts up to ${MAX_BATCH} messages in one transaction; either all are queued or none. ` +
        `The body may be ${BATCH_BODY_FACTOR} times HERALD_BODY_LIMIT_BYTES. ` +
        'Each message behaves as with the single route. The answer lists the messages in request order.',
      params: AppParams,
      headers: IdempotencyHeaders,
      querystring: WithContent,
      body: MessageBatchIn,
      response: { 202: Type.Object({ data: Type.Array(MessageOut) }) },
    },
    async (request, reply) => {
      const items = request.body.messages as MessageIn[];
      const inline = items.find((item) => item.application)?.application;
      const application = await targetApplication(request.application, request.params.app_id, inline);
      const messages = await accept(
        application,
        items.map((item, index) => withRawPayload(item, index)),
      );
      const withContent = request.query.with_content ?? true;
      return reply.status(202).send({ data: messages.map((w) => messageOut(w.message, withContent)) });
    },
  );

  route.post(
    '/app/:app_id/endpoint/:endpoint_id/send-example',
    {
      access: 'app',
      tags: ['Endpoint'],
      summary: 'Send an example message to one endpoint',
      description:
        "Sends the event type's example payload (the first `examples` entry of its newest schema, or `{}`) " +
        'to this endpoint only, whatever its filters, as a real message with a real attempt log; 409 for a ' +
        'polling endpoint. ' +
        '`svix.ping` is built in: without an event type of that name it sends `{"success": true}`.',
      params: EndpointParams,
      headers: IdempotencyHeaders,
      body: Type.Object({
        eventType: EventTypeName,
        payload: Type.Optional(Type.Object({}, { additionalProperties: true })),
      }),
      response: { 200: MessageOut },
    },
    async (request) => {
      const application = request.application;
      const endpoint = await findEndpoint(store, application.id, request.params.endpoint_id);
      if (isPollingUrl(endpoint.url))
        throw conflict(
          `endpoint "${request.params.endpoint_id}" is a polling endpoint, which Herald sends nothing; send a ` +
            'message to the application (POST /api/v1/app/{app_id}/msg) and read it through the poller',
        );
      const name = request.body.eventType;
      // svix.ping is built in, as in Svix: it needs no event type in the catalogue.
      const example =
        name === PING_EVENT_TYPE && !(await store.eventTypeGet(name))
          ? PING_PAYLOAD
          : exampleOf(await findEventType(store, name));
      const payload = (request.body.payload ?? example ?? {}) as MessageIn['payload'];
      const [written] = await accept(application, [{ eventType: name, payload }], endpoint.id);
      return messageOut(written!.message);
    },
  );

  route.post(
    '/app/:app_id/endpoint/:endpoint_id/msg/test-attempt',
    {
      access: 'app',
      tags: ['Message'],
      summary: 'Send a message to one endpoint and get its first attempt',
      description:
        'Sends the message to this endpoint only, whatever its filters, as send-example does, waits for its ' +
        `first attempt (up to the endpoint's timeout plus ${TEST_ATTEMPT_GRACE_MS / 1000} s) and answers it ` +
        '(201); 504 when no attempt came in that time (the delivery goes on). Retries follow as usual.',
      params: EndpointParams,
      headers: IdempotencyHeaders,
      body: MessageIn,
      response: { 201: AttemptOut },
    },
    async (request, reply) => {
      const application = request.application;
      const endpoint = await findEndpoint(store, application.id, request.params.endpoint_id);
      if (isPollingUrl(endpoint.url))
        throw conflict(
          `endpoint "${request.params.endpoint_id}" is a polling endpoint, which Herald sends nothing`,
        );
      const [written] = await accept(application, [withRawPayload(request.body as MessageIn)], endpoint.id);
      const msgId = written!.message.id;
      const deadline = Date.now() + (endpoint.timeoutMs ?? config.deliveryTimeoutMs) + TEST_ATTEMPT_GRACE_MS;
      for (let wait = 20; Date.now() < deadline; wait = Math.min(wait * 2, 250)) {
        const page = await store.attemptList(
          application.id,
          { msgId, endpointId: endpoint.id },
          { limit: 1, order: 'ascending', reverse: false },
        );
        const first = page.data[0];
        if (first) return reply.status(201).send(attemptOut(first));
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
      throw new HttpError(504, 'timeout', `message ${msgId} was queued, but no attempt was made in time`);
    },
  );
});
