/** Rows with sensible defaults, so that each test states only what it is about. */
import { randomBytes } from 'node:crypto';
import { ulid } from 'ulid';
import { ID_PREFIX, newId, type IdKind } from '../../src/util/ids.js';
import {
  DeliveryStatus,
  TriggerType,
  type ApiKey,
  type ApplicationInsert,
  type Attempt,
  type AuditRecord,
  type ClaimRequest,
  type EndpointInsert,
  type EventTypeInsert,
  type Message,
  type Store,
} from '../../src/store/index.js';

export function appInsert(overrides: Partial<ApplicationInsert> = {}): ApplicationInsert {
  return {
    id: newId('application'),
    uid: null,
    name: 'Acme',
    metadata: {},
    throttleRate: null,
    ...overrides,
  };
}

export function endpointInsert(appId: string, overrides: Partial<EndpointInsert> = {}): EndpointInsert {
  return {
    id: newId('endpoint'),
    appId,
    uid: null,
    url: 'https://example.com/hook',
    description: '',
    disabled: false,
    eventTypes: null,
    channels: null,
    metadata: {},
    throttleRate: null,
    headersSealed: 'sealed-headers',
    secretsSealed: 'sealed-secrets',
    ...overrides,
  };
}

export function eventTypeInsert(name: string, overrides: Partial<EventTypeInsert> = {}): EventTypeInsert {
  return {
    name,
    description: `${name} happened`,
    schemas: null,
    archived: false,
    deprecated: false,
    featureFlags: null,
    ...overrides,
  };
}

export function messageOf(appId: string, overrides: Partial<Message> = {}): Message {
  return {
    id: newId('message'),
    appId,
    eventType: 'invoice.paid',
    eventId: null,
    payload: { amount: 42 },
    channels: null,
    orderingKey: null,
    createdAt: Date.now(),
    ...overrides,
  };
}

export function attemptOf(
  delivery: { id: string; appId: string; msgId: string; endpointId: string },
  overrides: Partial<Attempt> = {},
): Attempt {
  return {
    id: newId('attempt'),
    appId: delivery.appId,
    msgId: delivery.msgId,
    endpointId: delivery.endpointId,
    deliveryId: delivery.id,
    url: 'https://example.com/hook',
    status: DeliveryStatus.Success,
    responseStatusCode: 200,
    responseBody: 'ok',
    responseHeaders: { 'content-type': 'text/plain' },
    requestHeaders: { 'webhook-id': delivery.msgId },
    requestBody: null,
    durationMs: 12,
    triggerType: TriggerType.Scheduled,
    errorClass: null,
    errorDetail: null,
    createdAt: Date.now(),
    ...overrides,
  };
}

export function apiKeyOf(overrides: Partial<ApiKey> = {}): ApiKey {
  const hash = randomBytes(32).toString('hex');
  return {
    id: newId('apiKey'),
    name: 'key',
    appId: null,
    tokenHash: hash,
    tokenPrefix: hash.slice(0, 8),
    createdAt: Date.now(),
    expiresAt: null,
    revokedAt: null,
    allowedClientCidrs: null,
    rateLimit: null,
    ...overrides,
  };
}

export function auditOf(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    id: newId('audit'),
    createdAt: Date.now(),
    actor: 'system',
    ip: null,
    action: 'application.create',
    targetType: 'application',
    targetId: null,
    appId: null,
    before: null,
    after: null,
    ...overrides,
  };
}

/** An application with `endpoints` endpoints, ready to receive messages. */
export async function appWithEndpoints(store: Store, endpoints = 1) {
  const app = await store.applicationCreate(appInsert());
  const eps = [];
  for (let i = 0; i < endpoints; i++) eps.push(await store.endpointCreate(endpointInsert(app.id)));
  return { app, endpoints: eps };
}

/** Sends `message` to every given endpoint, returning the message and its deliveries' ids by endpoint. */
export async function send(store: Store, message: Message, endpointIds: string[]) {
  const deliveries = endpointIds.map((endpointId) => ({ id: newId('delivery'), endpointId }));
  const result = await store.messageCreate({ message, deliveries });
  return { ...result, deliveries };
}

/**
 * An id of `kind` stamped with `time`, for rows that must look old to code comparing ids. `newId(kind, time)`
 * cannot make one: its monotonic generator never stamps a time earlier than the latest it has stamped.
 */
export function idAt(kind: IdKind, time: number): string {
  return `${ID_PREFIX[kind]}_${ulid(time)}`;
}

export type { ClaimRequest };

/** A claim by `worker_a` at 10_000 of everything due, walking every endpoint, with a one-minute lease. */
export function claimRequest(overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return {
    now: 10_000,
    leaseMs: 60_000,
    worker: 'worker_a',
    limit: 1_000,
    perEndpoint: 1_000,
    exclude: [],
    after: '',
    walk: 1_000_000,
    ...overrides,
  };
}

/** The deliveries a claim (`claimRequest` with `overrides`) took. */
export async function claimAll(store: Store, overrides: Partial<ClaimRequest> = {}) {
  return (await store.deliveryClaim(claimRequest(overrides))).deliveries;
}

/**
 * `count` messages sent to every endpoint, created (and so first due) at `from`, `from + step`, …. Returns each
 * endpoint's delivery ids in due order.
 */
export async function queueMessages(
  store: Store,
  appId: string,
  endpointIds: string[],
  count: number,
  { from = 1_000, step = 1 }: { from?: number; step?: number } = {},
): Promise<Map<string, string[]>> {
  const byEndpoint = new Map<string, string[]>(endpointIds.map((id) => [id, []]));
  for (let i = 0; i < count; i++) {
    const { deliveries } = await send(store, messageOf(appId, { createdAt: from + i * step }), endpointIds);
    for (const delivery of deliveries) byEndpoint.get(delivery.endpointId)!.push(delivery.id);
  }
  return byEndpoint;
}
