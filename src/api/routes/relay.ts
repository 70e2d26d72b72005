/**
 * The listener's side of a relay endpoint (`herald listen`, see `delivery/relay.ts`): a long poll that hands the
 * listener the requests waiting for it, and the route it reports each local response on. Both need a key for the
 * endpoint's application and serve only that application's relay endpoints. The poll is an ordinary request
 * that Herald holds open until a request waits or `wait` seconds pass, so it goes through any HTTP reverse proxy.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  isRelayUrl,
  RELAY_CHECK_MS,
  relaySignals,
  type RelayAnswer,
  type RelayedRequest,
} from '../../delivery/relay.js';
import { MAX_RESPONSE_BODY_BYTES } from '../../delivery/sender.js';
import type { Endpoint, Store } from '../../store/index.js';
import type { ApiContext } from '../context.js';
import { HttpError, unprocessable } from '../errors.js';
import { findEndpoint } from '../lookups.js';
import { routeGroup } from '../route-group.js';
import {
  RelayAnswerIn,
  RelayAnswerParams,
  RelayTakeOut,
  RelayTakeQuery,
  DEFAULT_RELAY_WAIT_SECONDS,
  DEFAULT_RELAY_LIMIT,
} from '../schemas/relay.js';
import { EndpointParams } from '../schemas/endpoints.js';

/** The endpoint named in the path, which must be one of the application's relay endpoints. */
async function relayEndpoint(store: Store, appId: string, idOrUid: string): Promise<Endpoint> {
  const endpoint = await findEndpoint(store, appId, idOrUid);
  if (!isRelayUrl(endpoint.url))
    throw new HttpError(
      409,
      'not_a_relay_endpoint',
      `endpoint ${endpoint.id} is not a relay endpoint (its URL is not relay:…); \`herald listen\` creates one`,
    );
  return endpoint;
}

/** Resolves after `ms`, or sooner when a request for the endpoint is queued in this process or `abort` fires. */
function nextChance(endpointId: string, ms: number, abort: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      relaySignals.off('queued', onQueued);
      abort.removeEventListener('abort', done);
      resolve();
    };
    const onQueued = (queued: string) => {
      if (queued === endpointId) done();
    };
    const timer = setTimeout(done, ms);
    relaySignals.on('queued', onQueued);
    abort.addEventListener('abort', done);
  });
}

/** The answer as the waiting worker reads it, with the body cut to what an attempt keeps. */
function answerOf(body: typeof RelayAnswerIn.static): RelayAnswer {
  const { status, error, durationMs } = body;
  if ((status === undefined) === (error === undefined))
    throw unprocessable(
      ['status', 'error'].map((field) => ({
        loc: ['body', field],
        msg: 'send either status (the local response) or error (why there was none), one of them',
        type: 'value_error',
      })),
    );
  if (error !== undefined) return { error, detail: body.detail ?? '', durationMs };
  const text = Buffer.from(body.body ?? '');
  const cut =
    text.length > MAX_RESPONSE_BODY_BYTES
      ? text.subarray(0, MAX_RESPONSE_BODY_BYTES).toString()
      : text.toString();
  return { status: status!, headers: body.headers ?? {}, body: cut, durationMs };
}

export function relayRoutes(context: ApiContext): FastifyPluginAsyncTypebox {
  const { store, vault } = context;
  return async (app) => {
    // Polls held open end when Herald stops, so that shutdown does not wait for them.
    const closing = new AbortController();
    app.addHook('preClose', async () => closing.abort());
    const route = routeGroup(app, { tags: ['Herald'] });

    route.post(
      '/app/:app_id/endpoint/:endpoint_id/relay/take',
      {
        access: 'app',
        idempotent: false,
        summary: "Take a relay endpoint's waiting requests (long poll)",
        description:
          'For `herald listen`. Hands over the requests waiting for this relay endpoint, each exactly as an HTTP ' +
          'endpoint would receive it (headers and base64 body), and marks them taken: each is handed to one ' +
          'listener once. When none waits, Herald holds the poll for up to `wait` seconds. Report each local ' +
          'response on `…/relay/{relay_id}`; a request with no report within its `timeoutMs` (plus a margin) ' +
          "fails as a timeout and is retried like any other endpoint's delivery.",
        params: EndpointParams,
        querystring: RelayTakeQuery,
        response: { 200: RelayTakeOut },
      },
      async (request, reply) => {
        const endpoint = await relayEndpoint(store, request.application.id, request.params.endpoint_id);
        const wait = (request.query.wait ?? DEFAULT_RELAY_WAIT_SECONDS) * 1000;
        const limit = request.query.limit ?? DEFAULT_RELAY_LIMIT;
        const deadline = Date.now() + wait;
        const gone = new AbortController();
        const onGone = () => gone.abort();
        // The response closing before it was sent: the listener (or a proxy between) went away.
        reply.raw.once('close', onGone);
        closing.signal.addEventListener('abort', onGone);
        try {
          for (;;) {
            const now = Date.now();
            const taken = await store.relayRequestTake(endpoint.id, limit, now);
            if (taken.length > 0 || now >= deadline || gone.signal.aborted)
              return {
                data: taken.map((row) => ({ id: row.id, ...vault.openJson<RelayedRequest>(row.request) })),
              };
            await nextChance(endpoint.id, Math.min(RELAY_CHECK_MS, deadline - now), gone.signal);
          }
        } finally {
          reply.raw.off('close', onGone);
          closing.signal.removeEventListener('abort', onGone);
        }
      },
    );

    route.post(
      '/app/:app_id/endpoint/:endpoint_id/relay/:relay_id',
      {
        access: 'app',
        summary: 'Report the local response to a relayed request',
        description:
          'For `herald listen`: what the local handler answered (`status`, `headers`, `body`, `durationMs`), or ' +
          'why it gave no answer (`error`: `connect`, `timeout`, …, with `detail`). It becomes the attempt ' +
          'Herald records. 404 when Herald no longer waits for it: it gave up (the delivery will be retried) ' +
          'or the report came already.',
        params: RelayAnswerParams,
        body: RelayAnswerIn,
        response: { 204: Type.Null() },
      },
      async (request, reply) => {
        const { params } = request;
        const endpoint = await relayEndpoint(store, request.application.id, params.endpoint_id);
        const answer = answerOf(request.body);
        const saved = await store.relayRequestAnswer(
          endpoint.id,
          params.relay_id,
          JSON.stringify(answer),
          Date.now(),
        );
        if (!saved)
          throw new HttpError(
            404,
            'not_found',
            `relay request ${params.relay_id} is not waiting for an answer: Herald stopped waiting for it ` +
              '(the delivery will be retried) or it was answered already',
          );
        relaySignals.emit('answered', params.relay_id);
        return reply.status(204).send(null);
      },
    );
  };
}
