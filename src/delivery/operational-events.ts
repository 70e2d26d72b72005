/**
 * Operational events tell the operator what happens to deliveries: `endpoint.disabled`,
 * `message.attempt.exhausted`, `message.attempt.failing` and `message.attempt.recovered`, with Svix's payloads;
 * and what happens to endpoints through the API: `endpoint.created`, `endpoint.updated`, `endpoint.deleted`,
 * `endpoint.disabled` and `endpoint.enabled` (see {@link OperationalEvents.endpointChanged}). These are all the
 * operational events Svix documents for its webhooks product; Herald adds its own `sla.breached` and
 * `sla.recovered`, from the SLA evaluator.
 *
 * They are ordinary messages of an internal application (uid `herald-operational`), so they are recorded,
 * listed and retried like any other, and reach the endpoints of that application whose filter takes them: the
 * operational-webhook endpoints of `/api/v1/operational-webhook/endpoint`, each signing with its own secret.
 * HERALD_OPERATOR_WEBHOOK_URL creates the first of them. Events about that application's own deliveries are not
 * emitted, so a failing operational endpoint cannot feed itself.
 */
import type { Logger } from 'pino';
import type { Application, JsonObject, Store } from '../store/index.js';
import { newId } from '../util/ids.js';
import { Router } from './routing.js';

export const OPERATIONAL_APP_UID = 'herald-operational';
export const OPERATOR_ENDPOINT_UID = 'operator-webhook';

/** Every operational event type: Svix's, in the order its documentation lists them, then Herald's own. */
export const OPERATIONAL_EVENT_TYPES = [
  'endpoint.created',
  'endpoint.deleted',
  'endpoint.disabled',
  'endpoint.enabled',
  'endpoint.updated',
  'message.attempt.exhausted',
  'message.attempt.failing',
  'message.attempt.recovered',
  // Herald's own.
  'sla.breached',
  'sla.recovered',
] as const;

export type OperationalEventType = (typeof OPERATIONAL_EVENT_TYPES)[number];

/**
 * Adds the operational event types that are missing to the event-type catalogue, as Svix lists them
 * (`HERALD_OPERATIONAL_EVENT_TYPES=catalogue`). An existing event type of the same name is left as it is, so
 * that running it in every process, at every start, changes nothing after the first.
 */
export async function listOperationalEventTypes(store: Store): Promise<void> {
  for (const name of OPERATIONAL_EVENT_TYPES) {
    if ((await store.eventTypeGet(name)) !== undefined) continue;
    const eventType = {
      name,
      description: `Herald operational event (${name}), sent to the operational-webhook endpoints`,
      schemas: null,
      archived: false,
      deprecated: false,
      featureFlags: null,
    };
    // Another process starting at the same moment may have added it in between: then it exists, as wanted.
    await store.eventTypeCreate(eventType).catch(async (error: unknown) => {
      if ((await store.eventTypeGet(name)) === undefined) throw error;
    });
  }
}

/** The events about an endpoint changed through the API. */
export type EndpointChange =
  'endpoint.created' | 'endpoint.updated' | 'endpoint.deleted' | 'endpoint.disabled' | 'endpoint.enabled';

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
   * Reports an endpoint created, updated (its settings or secret), deleted, disabled or enabled through the API,
   * as Svix does, with `{appId, appUid, endpointId, endpointUid}` (and `trigger: "manual"` for a disable). Not
   * for the operational application's own endpoints; and nothing is recorded before that application exists,
   * since no operational endpoint can be listening then.
   */
  async endpointChanged(
    type: EndpointChange,
    endpoint: { id: string; appId: string; uid: string | null },
  ): Promise<void> {
    if (await this.isOperational(endpoint.appId)) return;
    if (this.#app === null) return;
    await this.emit(type, {
      appId: endpoint.appId,
      endpointId: endpoint.id,
      endpointUid: endpoint.uid,
      ...(type === 'endpoint.disabled' && { failSince: null, trigger: 'manual' }),
    });
  }

  /**
   * Reports an endpoint changed through the API (`endpoint.updated`), and, when the change switched it off or on,
   * `endpoint.disabled` or `endpoint.enabled` after it.
   */
  async endpointUpdated(
    before: { disabled: boolean },
    after: { id: string; appId: string; uid: string | null; disabled: boolean },
  ): Promise<void> {
    await this.endpointChanged('endpoint.updated', after);
    if (before.disabled !== after.disabled)
      await this.endpointChanged(after.disabled ? 'endpoint.disabled' : 'endpoint.enabled', after);
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
   * to record or an operational-webhook endpoint to deliver to.
   */
  async lookup(): Promise<Application | null> {
    this.#app ??= (await this.store.applicationGet(OPERATIONAL_APP_UID)) ?? null;
    return this.#app;
  }

  /**
   * Whether `appId` is the internal application, whose deliveries never produce events. Until that application
   * is known it is looked up again, since another process (the API creating the first operational-webhook
   * endpoint) may have created it since.
   */
  async isOperational(appId: string): Promise<boolean> {
    await this.lookup();
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
