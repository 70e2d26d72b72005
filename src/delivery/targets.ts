/**
 * Loading what claimed deliveries need: their messages, their endpoints as targets, and the templates that shape
 * their bodies, in a few set-based queries per claimed batch. A target is decrypted (secrets, headers, outbound
 * auth) and its stored address ranges parsed only when its endpoint changed since this worker last saw it; its
 * health (and whether it refused compression) is copied from the row every time, since other workers change it.
 */
import type { Vault } from '../security/vault.js';
import { EndpointSecrets } from '../signing/secrets.js';
import type { Delivery, Endpoint, Store, Transformation } from '../store/index.js';
import { BodyShaper } from '../templates/shaper.js';
import { parseCidrs } from '../util/cidr.js';
import { EventTypeSchedules } from './event-type-schedules.js';
import type { Job, Target } from './job.js';
import type { OutboundAuthConfig } from './outbound-auth.js';
import { PrivacySettings } from './privacy.js';

export interface LoadedJobs {
  /** Jobs by endpoint id. */
  jobs: Map<string, Job[]>;
  /** Deliveries whose message or endpoint is gone: to be given back. */
  orphans: string[];
}

export class Targets {
  readonly #cache = new Map<string, Target>();
  readonly #secrets: EndpointSecrets;
  readonly #shaper: BodyShaper;
  readonly #privacy: PrivacySettings;
  readonly #schedules: EventTypeSchedules;

  constructor(
    private readonly store: Store,
    private readonly vault: Vault,
    /** The request timeout of endpoints that set none. */
    private readonly defaultTimeoutMs: number,
    /** The redaction rules of applications that set none. */
    defaultRedactionRules: readonly string[] = [],
  ) {
    this.#secrets = new EndpointSecrets(vault);
    this.#shaper = new BodyShaper(store);
    this.#privacy = new PrivacySettings(store, defaultRedactionRules);
    this.#schedules = new EventTypeSchedules(store);
  }

  /** The endpoint as last loaded here, if it was. */
  cached(endpointId: string): Target | undefined {
    return this.#cache.get(endpointId);
  }

  /** Loads the claimed deliveries' messages, endpoints and templates, and groups them by endpoint. */
  async jobsFor(deliveries: readonly Delivery[]): Promise<LoadedJobs> {
    const [messages, targets, privacy] = await Promise.all([
      this.store.messageGetMany([...new Set(deliveries.map((delivery) => delivery.msgId))]),
      this.#load([...new Set(deliveries.map((delivery) => delivery.endpointId))]),
      this.#privacy.forApps(deliveries.map((delivery) => delivery.appId)),
    ]);
    const schedules = await this.#schedules.forEventTypes(
      [...messages.values()].map((message) => message.eventType),
    );
    const shaping = await this.#shaper.prepare(targets.values(), messages.values());
    const orphans: string[] = [];
    const jobs = new Map<string, Job[]>();
    for (const delivery of deliveries) {
      const message = messages.get(delivery.msgId);
      const target = targets.get(delivery.endpointId);
      const settings = privacy.get(delivery.appId);
      if (!message || !target || !settings) {
        orphans.push(delivery.id);
        continue;
      }
      const forEndpoint = jobs.get(target.id);
      const job = {
        delivery,
        message,
        target,
        shaping,
        privacy: settings,
        // The endpoint's own schedule comes first, then the event type's; without either, the default.
        retrySchedule: target.retrySchedule ?? schedules.get(message.eventType),
      };
      if (forEndpoint) forEndpoint.push(job);
      else jobs.set(target.id, [job]);
    }
    return { jobs, orphans };
  }

  /**
   * Endpoints as of now, as targets. Transformations are read only for endpoints that changed since this worker
   * last built their target (a transformation's change touches its endpoint), so a steady state reads none.
   */
  async #load(ids: string[]): Promise<Map<string, Target>> {
    const endpoints = await this.store.endpointGetMany(ids);
    const stale = [...endpoints.values()]
      .filter((endpoint) => this.#cache.get(endpoint.id)?.updatedAt !== endpoint.updatedAt)
      .map((endpoint) => endpoint.id);
    const transformations =
      stale.length === 0 ? new Map<string, Transformation>() : await this.store.transformationGetMany(stale);
    const targets = new Map<string, Target>();
    for (const endpoint of endpoints.values()) {
      let target = this.#cache.get(endpoint.id);
      if (!target || target.updatedAt !== endpoint.updatedAt) {
        const transformation = transformations.get(endpoint.id);
        target = this.#target(endpoint);
        target.transformation =
          transformation?.enabled === true && transformation.code !== null
            ? { code: transformation.code, variables: transformation.variables }
            : null;
        this.#cache.set(endpoint.id, target);
      }
      target.failingSince = endpoint.failingSince;
      target.circuitOpenUntil = endpoint.circuitOpenUntil;
      target.compressionRefusedAt = endpoint.compressionRefusedAt;
      targets.set(endpoint.id, target);
    }
    return targets;
  }

  #target(endpoint: Endpoint): Target {
    const now = Date.now();
    const versions = endpoint.signatureVersions;
    return {
      id: endpoint.id,
      appId: endpoint.appId,
      uid: endpoint.uid,
      url: endpoint.url,
      updatedAt: endpoint.updatedAt,
      // Each kind of key signs when its version is on; after a switch to the other kind, its rotated-out keys
      // still sign until their grace period ends, so receivers holding them keep verifying.
      secrets: [
        ...(versions.includes('v1')
          ? this.#secrets.liveKeys(endpoint.secretsSealed, now)
          : this.#secrets.retiringKeys(endpoint.secretsSealed, now)),
        ...(versions.includes('v1a')
          ? this.#secrets.liveKeys(endpoint.signingKeysSealed, now)
          : this.#secrets.retiringKeys(endpoint.signingKeysSealed, now)),
      ],
      headers: this.#secrets.openHeaders(endpoint.headersSealed),
      auth:
        endpoint.authSealed === null ? null : this.vault.openJson<OutboundAuthConfig>(endpoint.authSealed),
      allowedDestinations:
        endpoint.allowedDestinationCidrs === null ? null : parseCidrs(endpoint.allowedDestinationCidrs),
      timeoutMs: endpoint.timeoutMs ?? this.defaultTimeoutMs,
      retrySchedule: endpoint.retrySchedule ?? undefined,
      throttleRate: endpoint.throttleRate,
      headerStyle: endpoint.headerStyle,
      propagateTraceContext: endpoint.propagateTraceContext,
      adaptiveThrottling: endpoint.adaptiveThrottling,
      metadata: endpoint.metadata,
      templateId: endpoint.templateId,
      templateVersion: endpoint.templateVersion,
      payloadVersion: endpoint.payloadVersion,
      conversion: endpoint.conversion,
      failingSince: endpoint.failingSince,
      circuitOpenUntil: endpoint.circuitOpenUntil,
      compression: endpoint.compression,
      compressionThreshold: endpoint.compressionThreshold,
      compressionRefusedAt: endpoint.compressionRefusedAt,
      batching: endpoint.batching,
      ordering: endpoint.ordering,
    };
  }
}
