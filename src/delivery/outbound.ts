/**
 * The security side of sending one webhook: the application's and endpoint's IP restrictions, the endpoint's
 * outbound authentication (with one token refresh on a 401 for OAuth2), and an audit record when the SSRF guard
 * or an IP restriction blocks a delivery.
 */
import type { Logger } from 'pino';
import { parseCidrs, type Cidr } from '../util/cidr.js';
import type { Store } from '../store/index.js';
import { newId } from '../util/ids.js';
import { urlForRecord } from '../security/redact.js';
import { OutboundAuth, type OutboundAuthConfig } from './outbound-auth.js';
import { isRelayUrl, type RelaySender } from './relay.js';
import type { Sender, SendOutcome } from './sender.js';
import { deliveryRequest } from '../util/otel.js';

export interface OutboundTarget {
  id: string;
  appId: string;
  url: string;
  timeoutMs: number;
  auth: OutboundAuthConfig | null;
  /** The endpoint's own allowed destination networks, or null. */
  allowedDestinations: readonly Cidr[] | null;
}

/** How long an application's IP restrictions are used before they are read again. */
export const APP_RULES_TTL_MS = 5_000;
/** One audit record per endpoint and kind of block per process in this time, so a retry storm cannot flood it. */
export const BLOCK_AUDIT_INTERVAL_MS = 60_000;

export class Outbound {
  readonly #auth: OutboundAuth;
  readonly #appRules = new Map<string, { cidrs: Cidr[] | null; at: number }>();
  readonly #audited = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly sender: Sender,
    private readonly logger: Logger,
    /** Hands the requests of relay endpoints (`relay:` URLs) to their listeners; null where there are none. */
    private readonly relay: RelaySender | null = null,
  ) {
    this.#auth = new OutboundAuth(sender);
  }

  /** Sends one request; returns its outcome and the headers that went with it (credentials included). */
  async send(
    target: OutboundTarget,
    /**
     * `body` is what is signed (and hashed for a JWT); `wire`, when set, is what is sent (compressed);
     * `eventType` is shown by a relay endpoint's listener.
     */
    request: {
      msgId: string;
      eventType: string;
      headers: Record<string, string>;
      body: string;
      wire?: Buffer;
      /** POST unless a transformation chose another method. */
      method?: string;
    },
  ): Promise<{ outcome: SendOutcome; headers: Record<string, string> }> {
    const restrict: Cidr[][] = [];
    const appRules = await this.#appCidrs(target.appId);
    if (appRules !== null) restrict.push(appRules);
    if (target.allowedDestinations !== null) restrict.push([...target.allowedDestinations]);
    const attempt = async (refresh?: string) => {
      let headers = request.headers;
      let token: string | undefined;
      if (target.auth !== null) {
        const auth = await this.#auth.headers(
          target.id,
          target.auth,
          { id: request.msgId, body: request.body },
          target.timeoutMs,
          refresh,
        );
        if ('failure' in auth) return { outcome: auth.failure, headers, token };
        headers = { ...headers, ...auth.headers };
        token = auth.token;
      }
      const body = request.wire ?? request.body;
      // A relay endpoint's request goes to its listener, which sends it on from its own machine.
      const outcome =
        this.relay !== null && isRelayUrl(target.url)
          ? await this.relay.send(target, {
              msgId: request.msgId,
              eventType: request.eventType,
              headers,
              body,
            })
          : await deliveryRequest(() =>
              this.sender.send({
                url: target.url,
                headers,
                body,
                timeoutMs: target.timeoutMs,
                restrict,
                ...(request.method !== undefined && { method: request.method }),
              }),
            );
      return { outcome, headers, token };
    };
    let result = await attempt();
    // A 401 may mean the token was revoked or expired early: fetch a new one and try once more.
    if (result.token !== undefined && result.outcome.kind === 'response' && result.outcome.status === 401)
      result = await attempt(result.token);
    const { outcome } = result;
    if (
      outcome.kind === 'error' &&
      (outcome.errorClass === 'ssrf_blocked' || outcome.errorClass === 'ip_restricted')
    )
      await this.#auditBlock(target, request.msgId, outcome.errorClass, outcome.detail);
    return { outcome, headers: result.headers };
  }

  async #appCidrs(appId: string): Promise<Cidr[] | null> {
    const now = Date.now();
    const cached = this.#appRules.get(appId);
    if (cached && now - cached.at < APP_RULES_TTL_MS) return cached.cidrs;
    const application = (await this.store.applicationGetMany([appId])).get(appId);
    const list = application?.allowedDestinationCidrs ?? null;
    const cidrs = list === null ? null : parseCidrs(list);
    if (this.#appRules.size >= 10_000) this.#appRules.clear();
    this.#appRules.set(appId, { cidrs, at: now });
    return cidrs;
  }

  async #auditBlock(target: OutboundTarget, msgId: string, kind: string, detail: string): Promise<void> {
    const key = `${target.id}:${kind}`;
    const now = Date.now();
    if (now - (this.#audited.get(key) ?? 0) < BLOCK_AUDIT_INTERVAL_MS) return;
    if (this.#audited.size >= 10_000) this.#audited.clear();
    this.#audited.set(key, now);
    try {
      await this.store.auditAppend({
        id: newId('audit', now),
        createdAt: now,
        actor: 'system',
        ip: null,
        action: `delivery.${kind}`,
        targetType: 'endpoint',
        targetId: target.id,
        appId: target.appId,
        before: null,
        after: { url: urlForRecord(target.url), msgId, detail },
      });
    } catch (error) {
      this.logger.error({ err: error, endpoint: target.id }, 'recording a blocked delivery failed');
    }
  }
}
