/**
 * Rotating what an endpoint signs with: its HMAC secret (`…/secret/rotate`) or its Ed25519 key
 * (`…/public-key/rotate`). Both routes take an optional grace period during which the previous one keeps
 * signing, store the rotated list, record the rotation and answer 204; only the list, the audit action and
 * what the record shows differ, so one declaration serves both.
 */
import { Type, type Static, type TObject } from '@sinclair/typebox';
import type { Endpoint, EndpointChanges, JsonObject } from '../store/index.js';
import { MAX_PREVIOUS_SECRETS, RotationLimitReached } from '../signing/secrets.js';
import type { ApiContext } from './context.js';
import { HttpError } from './errors.js';
import { findEndpoint } from './lookups.js';
import type { RouteGroup } from './route-group.js';
import { IdempotencyHeaders } from './schemas/common.js';
import { EndpointParams } from './schemas/endpoints.js';

/** How long the previous secret or key keeps signing when the request does not say. */
const DEFAULT_GRACE_SECONDS = 24 * 60 * 60;

export interface KeyRotation<B extends TObject> {
  url: string;
  summary: string;
  description: string;
  /** The request body, which the route makes optional; it has `gracePeriodSeconds` at least. */
  body: B;
  /** The audit action recorded for a rotation. */
  action: string;
  /** The rotated list as a change to the endpoint, and what the audit record shows besides the grace period. */
  rotate(
    endpoint: Endpoint,
    body: Static<B> | undefined,
    graceMs: number,
  ): Promise<{ change: EndpointChanges; shown?: JsonObject }>;
  scope?: EndpointScope;
}

/**
 * Where a route's endpoint is. By default in the path's application (`/app/:app_id/…`), which an application key
 * may reach; operational-webhook endpoints are in the operational application, for admin keys only.
 */
export interface EndpointScope {
  access: 'admin';
  /** The path's parameters, with `endpoint_id`. */
  params: TObject;
  appId(): Promise<string>;
}

/** The application and endpoint a request under `scope` names. */
export async function scopedEndpoint(
  store: ApiContext['store'],
  scope: EndpointScope | undefined,
  request: { application: { id: string } | null; params: unknown },
): Promise<Endpoint> {
  const appId = scope ? await scope.appId() : request.application!.id;
  return findEndpoint(store, appId, (request.params as { endpoint_id: string }).endpoint_id);
}

export function declareKeyRotation<B extends TObject>(
  route: RouteGroup,
  { store, audit, events }: ApiContext,
  rotation: KeyRotation<B>,
): void {
  route.post(
    rotation.url,
    {
      access: rotation.scope?.access ?? 'app',
      summary: rotation.summary,
      description: rotation.description,
      params: rotation.scope?.params ?? EndpointParams,
      headers: IdempotencyHeaders,
      body: Type.Optional(rotation.body),
      response: { 204: Type.Null() },
      optionalBody: true,
    },
    async (request, reply) => {
      const endpoint = await scopedEndpoint(store, rotation.scope, request);
      const body = request.body as (Static<B> & { gracePeriodSeconds?: number | null }) | undefined;
      const graceSeconds = body?.gracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
      const { change, shown } = await rotation
        .rotate(endpoint, body, graceSeconds * 1000)
        .catch((error: unknown) => {
          if (!(error instanceof RotationLimitReached)) throw error;
          throw new HttpError(
            400,
            'limit_reached',
            `you can rotate at most ${MAX_PREVIOUS_SECRETS} times while earlier keys are still in their grace ` +
              `period; the next one expires at ${new Date(error.nextExpiry).toISOString()}`,
          );
        });
      await store.endpointUpdate(endpoint.appId, endpoint.id, change);
      await events.endpointChanged('endpoint.updated', endpoint);
      await audit.recordEndpoint(request, rotation.action, endpoint, {
        after: { gracePeriodSeconds: graceSeconds, ...shown },
      });
      return reply.status(204).send(null);
    },
  );
}
