/**
 * Operational events tell the operator what happens to deliveries: `endpoint.disabled`,
 * `message.attempt.exhausted`, `message.attempt.failing` and `message.attempt.recovered`, with Svix's payloads;
 * `sla.breached` and `sla.recovered` (Herald's own, from the SLA evaluator); and, when an operator webhook is set, what happens to endpoints: `endpoint.created`, `endpoint.updated` and
 * `endpoint.deleted` (see {@link OperationalEvents.endpointChanged}).
 *
 * They are ordinary messages of an internal application (uid `herald-operational`), so they are recorded,
 * listed and retried like any other, and reach every endpoint of that application. With
 * HERALD_OPERATOR_WEBHOOK_URL set, Herald keeps an endpoint there. Events about that application's own
 * deliveries are not emitted, so a failing operator endpoint cannot feed itself.
 */
import type { Logger } from 'pino';
import type { Application, JsonObject, Store } from '../store/index.js';
import { newId } from '../util/ids.js';
import { Router } from './routing.js';

export const OPERATIONAL_APP_UID = 'herald-operational';
export const OPERATOR_ENDPOINT_UID = 'operator-webhook';

export type OperationalEventType =
  | 'endpoint.disabled'
  | 'endpoint.created'
  | 'endpoint.updated'
  | 'endpoint.deleted'
  | 'message.attempt.exhausted'
  | 'message.attempt.failing'
  | 'message.attempt.recovered'
  | 'sla.breached'
  | 'sla.recovered';

/** The attempt number after which a still-failing delivery is reported as failing, as Svix does. */
export const FAILING_AFTER_ATTEMPTS = 4;

export class OperationalEvents {
  #app: Application | null = null;
  readonly #router = new Router();

  constructor(
    private readonly store: Store,
    private readonly logger: Pick<Logger, 'error'>,
    private readonly notify: () => void,
  ) {}

  /**
   * Reports an endpoint created, updated (its settings or secret) or deleted through the API, as Svix does, with
   * `{appId, appUid, endpointId, endpointUid}`. Not for the operational application's own endpoints.
   */
  async endpointChanged(
    type: 'endpoint.created' | 'endpoint.updated' | 'endpoint.deleted',
    endpoint: { id: string; appId: string; uid: string | null },
  ): Promise<void> {
    await this.lookup();
    if (this.isOperational(endpoint.appId)) return;
    await this.emit(type, { appId: endpoint.appId, endpointId: endpoint.id, endpointUid: endpoint.uid });
  }

  async application(): Promise<Application> {
    this.#app ??=
      (await this.store.applicationGet(OPERATIONAL_APP_UID)) ??
      (await this.store.applicationCreateOrGet({
        id: newId('application'),
        uid: OPERATIONAL_APP_UID,
        name: 'Herald operational events',
        metadata: {},
        throttleRate: null,
      }));
    return this.#app;
  }

  /**
   * Finds the internal application if it exists, without creating it: it appears only once there is an event
   * to record or an operator webhook to deliver to.
   */
  async lookup(): Promise<void> {
    this.#app ??= (await this.store.applicationGet(OPERATIONAL_APP_UID)) ?? null;
  }

  /** Whether `appId` is the internal application, whose deliveries never produce events. */
  isOperational(appId: string): boolean {
    return this.#app?.id === appId;
  }

  async emit(type: OperationalEventType, data: JsonObject): Promise<void> {
    try {
      const app = await this.application();
      // Svix's payloads name the application by its uid too (null when it has none).
      if (typeof data.appId === 'string' && !('appUid' in data)) {
        const { appId, ...rest } = data;
        data = { appId, appUid: (await this.store.applicationGet(appId))?.uid ?? null, ...rest };
      }
      const now = Date.now();
      const payload = { type, timestamp: new Date(now).toISOString(), data };
      const endpoints = this.#router.targets(await this.store.endpointListEnabledFilters(app.id), {
        eventType: type,
        channels: null,
        payload,
      });
      await this.store.messageCreateMany([
        {
          message: {
            id: newId('message', now),
            appId: app.id,
            eventType: type,
            eventId: null,
            payload,
            channels: null,
            orderingKey: null,
            createdAt: now,
          },
          deliveries: endpoints.map((endpointId) => ({ id: newId('delivery', now), endpointId })),
        },
      ]);
      if (endpoints.length > 0) this.notify();
    } catch (error) {
      this.logger.error({ err: error, type }, 'recording an operational event failed');
    }
  }
}
