/**
 * An endpoint's transformation (Svix's `…/endpoint/{id}/transformation`): JavaScript with the `handler(webhook)`
 * contract that deliveries run in a sandbox after the template (docs/transformations.md), and a simulation that
 * runs code on a payload and saves nothing.
 */
import { Type } from '@sinclair/typebox';
import type { Transformation } from '../../store/index.js';
import { sandbox, transform } from '../../transformations/transform.js';
import { HttpError, unprocessable } from '../errors.js';
import { findEndpoint } from '../lookups.js';
import { routeModule } from '../route-group.js';
import { IdempotencyHeaders } from '../schemas/common.js';
import { EndpointParams } from '../schemas/endpoints.js';
import {
  TransformationOut,
  TransformationPatch,
  TransformationSimulateIn,
  TransformationSimulateOut,
} from '../schemas/transformations.js';

function transformationOut(found: Transformation | undefined) {
  return {
    code: found?.code ?? null,
    enabled: found?.enabled ?? false,
    variables: found?.variables ?? null,
    updatedAt: found === undefined ? null : new Date(found.updatedAt).toISOString(),
  };
}

/** Refuses code that would fail every delivery: a syntax error, no `handler`, a top level that throws or hangs. */
async function checkCode(code: string): Promise<void> {
  const error = await sandbox().check(code);
  if (error !== null) throw unprocessable(`body.code does not load: ${error}`);
}

export const transformationRoutes = routeModule({ tags: ['Endpoint'] }, (route, context) => {
  const { store, audit } = context;
  const path = '/app/:app_id/endpoint/:endpoint_id/transformation';

  route.get(
    path,
    {
      access: 'app',
      summary: "Get an endpoint's transformation",
      description: 'The code, whether deliveries run it, and its variables; code is null when none was set.',
      params: EndpointParams,
      response: { 200: TransformationOut },
    },
    async (request) => {
      const endpoint = await findEndpoint(store, request.application.id, request.params.endpoint_id);
      return transformationOut(await store.transformationGet(endpoint.id));
    },
  );

  route.patch(
    path,
    {
      access: 'app',
      summary: "Set or unset an endpoint's transformation",
      description:
        'Sets the fields given. Code must load in the sandbox (parse, declare `handler`, and run its top level ' +
        'within the limits) or the answer is 422. Enabling needs code, and is refused (422) on an endpoint ' +
        'that batches messages, since a transformation runs per message.',
      params: EndpointParams,
      headers: IdempotencyHeaders,
      body: TransformationPatch,
      response: { 204: Type.Null() },
    },
    async (request, reply) => {
      const endpoint = await findEndpoint(store, request.application.id, request.params.endpoint_id);
      const { code, enabled, variables } = request.body;
      const before = await store.transformationGet(endpoint.id);
      const nextCode = code !== undefined ? code : (before?.code ?? null);
      const nextEnabled = enabled ?? before?.enabled ?? false;
      if (nextEnabled && nextCode === null)
        throw unprocessable('body.enabled needs code: set body.code too, or enabled false');
      if (nextEnabled && endpoint.batching !== null)
        throw unprocessable(
          'body.enabled: the endpoint batches messages, and a transformation runs per message; turn the ' +
            "endpoint's batching off first",
        );
      if (typeof code === 'string') await checkCode(code);
      const after = await store.transformationSet(endpoint.id, { code, enabled, variables });
      await audit.recordEndpoint(request, 'endpoint.transformation.changed', endpoint, {
        before: { enabled: before?.enabled ?? false, codeChars: before?.code?.length ?? 0 },
        after: { enabled: after.enabled, codeChars: after.code?.length ?? 0 },
      });
      return reply.status(204).send(null);
    },
  );

  route.post(
    `${path}/simulate`,
    {
      access: 'app',
      summary: 'Simulate a transformation',
      description:
        "Runs `code` on `payload` as a delivery to this endpoint would (the webhook's url is the endpoint's) and " +
        'answers what would be sent: the url, method, body (`payload`, as text), the headers the code adds, ' +
        'and whether it cancels the delivery. Nothing is saved or sent. Code that fails (throws, runs too ' +
        'long, uses too much memory, or returns a bad webhook) answers 400 with code ' +
        '`transformation_error` and the reason.',
      params: EndpointParams,
      headers: IdempotencyHeaders,
      body: TransformationSimulateIn,
      response: { 200: TransformationSimulateOut },
    },
    async (request) => {
      const endpoint = await findEndpoint(store, request.application.id, request.params.endpoint_id);
      const { code, eventType, payload, variables } = request.body;
      const result = await transform(code, variables ?? null, {
        url: endpoint.url,
        eventType,
        body: JSON.stringify(payload),
        json: true,
      });
      if (!result.ok) throw new HttpError(400, 'transformation_error', result.error);
      return {
        url: result.url,
        payload: result.body,
        method: result.method,
        cancel: result.cancel,
        headers: result.headers,
      };
    },
  );
});
