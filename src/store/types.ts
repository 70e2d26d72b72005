/**
 * Herald's storage vocabulary (the glossary of docs/architecture.md):
 *
 * - application (`app_…`): one tenant, one customer of the platform. It owns endpoints and messages.
 * - event type (`invoice.paid`): a catalogue entry shared by the whole deployment, with optional JSON Schemas
 *   keyed by payload version.
 * - endpoint (`ep_…`): a URL in an application, with its filter (event types, channels), secrets and headers.
 * - message (`msg_…`): one event sent to one application.
 * - delivery (`dlv_…`): one message going to one endpoint; the queue row.
 * - attempt (`atmpt_…`): one HTTP request of a delivery, with its outcome.
 * - API key (`key_…`): a bearer credential, admin (all applications) or scoped to one application.
 * - template (`tmpl_…`): Liquid rules that turn an event into the body an endpoint receives. Its content lives in
 *   immutable numbered versions (1, 2, …); editing a template adds a version. An endpoint follows the latest
 *   version or pins one.
 * - payload version (`"1"`, `"2"`, …): a version of an event type's payload, with its own JSON Schema.
 *
 * All times are milliseconds since the Unix epoch. Secrets and custom headers arrive here already encrypted:
 * the store never sees them in the clear.
 *
 * This file holds the types of the store's contract: the entities above, what creating and changing them takes,
 * filters and pages (the delivery queue's own shapes are in delivery-queue.ts). The methods are declared by noun
 * (`ApplicationQueries` in applications.ts, …) and gathered into `Store` in index.ts, which re-exports all of
 * these; code outside the store imports only from index.ts.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
export type Metadata = Record<string, string>;

/** Svix's MessageStatus numbers, used for deliveries and attempts alike. */
export const DeliveryStatus = { Success: 0, Pending: 1, Fail: 2, Sending: 3, Canceled: 4 } as const;
export type DeliveryStatus = (typeof DeliveryStatus)[keyof typeof DeliveryStatus];

/** Svix's MessageAttemptTriggerType numbers. */
export const TriggerType = { Scheduled: 0, Manual: 1 } as const;
export type TriggerType = (typeof TriggerType)[keyof typeof TriggerType];

export interface Application {
  id: string;
  uid: string | null;
  name: string;
  metadata: Metadata;
  throttleRate: number | null;
  /** CIDRs deliveries to this application's endpoints may connect to; null means no restriction. */
  allowedDestinationCidrs: string[] | null;
  /** How long its messages' payloads are kept when a message names no retention; null: the server's. */
  payloadRetentionHours: number | null;
  /** False keeps attempt response bodies out of the store. */
  storeResponseBodies: boolean;
  /** Fields whose values are redacted in stored attempt bodies and in what application keys see; null: the platform default. */
  redactionRules: string[] | null;
  createdAt: number;
  updatedAt: number;
}
/** An application's privacy settings, changed together. */
export type ApplicationPrivacy = Pick<
  Application,
  'payloadRetentionHours' | 'storeResponseBodies' | 'redactionRules'
>;
export type ApplicationInsert = Omit<
  Application,
  'createdAt' | 'updatedAt' | 'allowedDestinationCidrs' | keyof ApplicationPrivacy
> &
  Partial<Pick<Application, 'allowedDestinationCidrs' | keyof ApplicationPrivacy>>;
export type ApplicationChanges = Partial<Omit<Application, 'id' | 'createdAt' | 'updatedAt'>>;

export interface EventType {
  name: string;
  description: string;
  /** JSON Schemas keyed by payload version ("1", "2", …); examples live in each schema's `examples`. */
  schemas: Record<string, JsonObject> | null;
  archived: boolean;
  deprecated: boolean;
  /** Application keys see the event type only when they carry one of these flags; null (or empty): all see it. */
  featureFlags: string[] | null;
  /** The group a portal lists the event type under, or null. */
  groupName: string | null;
  /** Delays (ms) before each retry of a message of this type; null: the endpoint's schedule or the default. */
  retrySchedule: number[] | null;
  /** Payload versions (keys of `schemas`) that still work but that consumers should move off. */
  deprecatedVersions: string[];
  createdAt: number;
  updatedAt: number;
}
export type EventTypeInsert = Omit<
  EventType,
  'createdAt' | 'updatedAt' | 'deprecatedVersions' | 'groupName' | 'retrySchedule'
> &
  Partial<Pick<EventType, 'deprecatedVersions' | 'groupName' | 'retrySchedule'>>;
export type EventTypeChanges = Partial<Omit<EventType, 'name' | 'createdAt' | 'updatedAt'>>;

export interface Endpoint {
  id: string;
  appId: string;
  uid: string | null;
  url: string;
  description: string;
  disabled: boolean;
  eventTypes: string[] | null;
  channels: string[] | null;
  metadata: Metadata;
  throttleRate: number | null;
  /** Encrypted JSON object of custom headers. */
  headersSealed: string;
  /** Encrypted JSON array of signing secrets: the current one first, then older ones until they expire. */
  secretsSealed: string;
  /** Per-endpoint request timeout; null means the server default. */
  timeoutMs: number | null;
  /** Per-endpoint delays (ms) before each retry; null means the default schedule. */
  retrySchedule: number[] | null;
  /** `standard` sends webhook-* headers; `svix` sends svix-* headers, for receivers migrating from Svix. */
  headerStyle: HeaderStyle;
  /** Why the endpoint was disabled by Herald (410, continuous failure); null when enabled or disabled by a user. */
  disabledReason: string | null;
  /** When the current run of failures began; null after a success. Drives auto-disable. */
  failingSince: number | null;
  /** While set and in the future, the circuit is open and nothing is sent; after it, one probe goes through. */
  circuitOpenUntil: number | null;
  /** Signature versions sent: `v1` (HMAC-SHA256 with the secrets) and/or `v1a` (Ed25519 with the signing keys). */
  signatureVersions: SignatureVersion[];
  /** Encrypted JSON array of Ed25519 key pairs, current first; null until the endpoint first needs one. */
  signingKeysSealed: string | null;
  /** Encrypted JSON of the outbound authentication method (basic, JWT, OAuth2); null for none. */
  authSealed: string | null;
  /** CIDRs deliveries may connect to; null means anywhere the SSRF guard allows. */
  allowedDestinationCidrs: string[] | null;
  /** The template that shapes the body, or null for the standard JSON body. */
  templateId: string | null;
  /** The template version pinned, or null to follow the latest. */
  templateVersion: number | null;
  /** The payload version this endpoint receives, or null for the newest. */
  payloadVersion: string | null;
  /** Without a template: the standard body as JSON (`none`), converted to XML or form-encoded. */
  conversion: Conversion;
  /**
   * A MongoDB-style query over `{ eventType, channels, payload }` that a message must match to be delivered
   * here (checked by the API when saved); null for none.
   */
  filter: JsonObject | null;
  /** How bodies at or above `compressionThreshold` bytes are encoded: not at all, gzip or Brotli. */
  compression: Compression;
  /** The smallest body, in bytes, that is compressed; null for the default (1 KiB). */
  compressionThreshold: number | null;
  /**
   * When the endpoint answered 415 to a compressed request; while set, bodies are sent plain. Saving
   * `compression` again clears it.
   */
  compressionRefusedAt: number | null;
  /**
   * First in, first out: not at all (`none`), for the whole endpoint (`endpoint`), or per message ordering key
   * (`key`, messages without one forming a sequence of their own).
   */
  ordering: Ordering;
  /** What a sequence does when one of its deliveries is given up: move on (`skip`), or wait (`block`). */
  orderingAfterGiveUp: OrderingAfterGiveUp;
  /** Several messages per request, as a JSON array, up to these limits; null sends one message per request. */
  batching: Batching | null;
  /**
   * Whether the workers adjust how many requests they keep in flight to the endpoint from its response times
   * and errors (on by default); off keeps the fixed per-endpoint concurrency.
   */
  adaptiveThrottling: boolean;
  /** Svix's deprecated `version`: stored as the client sets it (1 by default), with no meaning to Herald. */
  version: number;
  /** Whether deliveries send the message's trace context (`traceparent`) to the endpoint. */
  propagateTraceContext: boolean;
  createdAt: number;
  updatedAt: number;
}
export type Compression = 'none' | 'gzip' | 'br';
/**
 * How an endpoint's deliveries are batched: a request carries at most `maxMessages` messages and (unless one
 * message alone is larger) `maxBytes` of body, and a batch that is not full waits at most `maxWaitMs` for more.
 */
export interface Batching {
  maxMessages: number;
  maxBytes: number;
  maxWaitMs: number;
}
export type Ordering = 'none' | 'endpoint' | 'key';
export type OrderingAfterGiveUp = 'skip' | 'block';
export type HeaderStyle = 'standard' | 'svix';
export type Conversion = 'none' | 'xml' | 'form';
export type SignatureVersion = 'v1' | 'v1a';
/** Security settings with defaults; an insert may omit them. */
type EndpointSecurity = 'signatureVersions' | 'signingKeysSealed' | 'authSealed' | 'allowedDestinationCidrs';
/** The content filter and compression; an insert may omit them (no filter, no compression). */
type EndpointContent = 'filter' | 'compression' | 'compressionThreshold';
/** Body shaping, ordering and batching settings; an insert may omit them (standard JSON body, unordered, unbatched). */
type EndpointShaping =
  | 'templateId'
  | 'templateVersion'
  | 'payloadVersion'
  | 'conversion'
  | 'ordering'
  | 'orderingAfterGiveUp'
  | 'batching';
/** Fields Herald manages itself; an insert starts them empty. */
type EndpointHealth = 'disabledReason' | 'failingSince' | 'circuitOpenUntil' | 'compressionRefusedAt';
/** Settings with defaults: an insert may omit them. */
type EndpointDefaulted =
  | 'timeoutMs'
  | 'retrySchedule'
  | 'headerStyle'
  | 'version'
  | 'propagateTraceContext'
  | EndpointSecurity
  | EndpointShaping
  | EndpointContent
  | 'adaptiveThrottling';
export type EndpointInsert = Omit<Endpoint, 'createdAt' | 'updatedAt' | EndpointHealth | EndpointDefaulted> &
  Partial<Pick<Endpoint, EndpointDefaulted>>;
export type EndpointChanges = Partial<Omit<Endpoint, 'id' | 'appId' | 'createdAt' | 'updatedAt'>>;

/** Just what routing a message needs of an enabled endpoint. */
export interface EndpointFilter {
  id: string;
  eventTypes: string[] | null;
  channels: string[] | null;
  /** The content filter as its stored JSON text, or null; routing compiles each distinct text once. */
  contentFilter: string | null;
  /** Which sequence a message's delivery joins, if any. */
  ordering: Ordering;
}

/** An endpoint's token bucket for its `throttleRate`, shared by every worker. */
export interface EndpointBucket {
  /** Tokens when the bucket was last touched; refill since then at the endpoint's rate to know them now. */
  tokens: number;
  updatedAt: number;
}

/** One worker's adaptive limit for an endpoint during one minute, as it reports it. */
export interface EndpointLimitReport {
  endpointId: string;
  worker: string;
  /** The start of the minute. */
  minute: number;
  /** The limit at the last report in the minute, and its lowest and highest during it. */
  limit: number;
  low: number;
  high: number;
  /** The most the worker would keep in flight to the endpoint (its share of HERALD_ENDPOINT_CONCURRENCY). */
  ceiling: number;
  /** Why the limit is what it is, in words. */
  reason: string;
  updatedAt: number;
}

/** What a template renders: its content type decides the content-type header and the output check. */
export type TemplateContentType = 'json' | 'xml' | 'form' | 'text';

export interface Template {
  id: string;
  name: string;
  description: string;
  /** The newest version's number; versions are 1, 2, … with no gaps. */
  latestVersion: number;
  createdAt: number;
  updatedAt: number;
}

/** One immutable version of a template. */
export interface TemplateVersion {
  templateId: string;
  version: number;
  contentType: TemplateContentType;
  /** The Liquid source. */
  body: string;
  /** The event type the template is written for: its schema checks variables and its example renders. */
  eventType: string | null;
  /** The payload version of `eventType` that the output is in, or null. */
  payloadVersion: string | null;
  createdAt: number;
}
export type TemplateContent = Omit<TemplateVersion, 'templateId' | 'version' | 'createdAt'>;
export interface TemplateInsert {
  id: string;
  name: string;
  description: string;
}
/** A template's name and description; its content changes only through a new version. */
export type TemplateChanges = Partial<Pick<Template, 'name' | 'description'>>;

export interface Message {
  id: string;
  appId: string;
  eventType: string;
  eventId: string | null;
  /** `null` once the content has been expunged or pruned. */
  payload: JsonObject | null;
  channels: string[] | null;
  /** Orders the message among the others with the same key, at endpoints ordered by key. */
  orderingKey: string | null;
  createdAt: number;
  /**
   * The trace context of the write that stored the message, as a propagation carrier (`traceparent`,
   * `tracestate`) in JSON; absent when tracing was off. Every attempt's span is a child of it.
   */
  traceContext?: string;
}

/** A message to write with its deliveries, one per matching endpoint. */
export interface NewMessage {
  message: Message;
  /** When the payload is removed, once no delivery of the message is pending; null or omitted: never early. */
  payloadExpiresAt?: number | null;
  /** `seqKey` places the delivery in its endpoint's sequence when the endpoint is ordered (see `Delivery`). */
  deliveries: Array<{ id: string; endpointId: string; triggerType?: TriggerType; seqKey?: string | null }>;
}

export interface Delivery {
  id: string;
  appId: string;
  msgId: string;
  endpointId: string;
  status: DeliveryStatus;
  attemptCount: number;
  /** Manual once someone resent or recovered the delivery; its next attempt is logged as such. */
  triggerType: TriggerType;
  nextAttemptAt: number | null;
  leaseExpiresAt: number | null;
  leasedBy: string | null;
  lastAttemptAt: number | null;
  /**
   * On an ordered endpoint, the sequence this delivery belongs to (its message's ordering key, or '' for the
   * whole endpoint or messages without a key) and its place in it; null otherwise.
   */
  seqKey: string | null;
  seq: number | null;
  /** This given-up delivery holds its sequence until it is sent again or skipped. */
  blocking: boolean;
  createdAt: number;
  updatedAt: number;
}

/** Which failed deliveries (dead letters) of an application to count or queue again. */
export interface DeadLetterFilter {
  appId: string;
  endpointId?: string;
  eventTypes?: string[];
  since?: number;
  until?: number;
}

export interface Attempt {
  id: string;
  appId: string;
  msgId: string;
  endpointId: string;
  deliveryId: string;
  url: string;
  status: DeliveryStatus;
  responseStatusCode: number;
  responseBody: string | null;
  responseHeaders: Record<string, string> | null;
  requestHeaders: Record<string, string> | null;
  /** The body sent when a template or conversion changed it; null when the payload went out as JSON. */
  requestBody: string | null;
  durationMs: number;
  triggerType: TriggerType;
  /** `dns`, `connect`, `tls`, `timeout`, `ssrf_blocked`, `http_status`, … or null on success. */
  errorClass: string | null;
  errorDetail: string | null;
  createdAt: number;
}

export interface ApiKey {
  id: string;
  name: string;
  /** `null` for an admin key; otherwise the only application the key reaches. */
  appId: string | null;
  tokenHash: string;
  /** The first characters of the token, safe to show so a person can tell keys apart. */
  tokenPrefix: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  /** Client addresses (CIDRs) the key may be used from; null means anywhere. */
  allowedClientCidrs: string[] | null;
  /** Requests per second this key may make; null means the server default. */
  rateLimit: number | null;
  /**
   * Feature flags of an application key (from app-portal-access): event types behind a `featureFlag` are
   * visible to it only when it carries that flag. Omitted or null: none.
   */
  featureFlags?: string[] | null;
  /** What the key may do; omitted means `key`. See {@link ApiKeyKind}. */
  kind?: ApiKeyKind;
  /** A poller token's endpoint: the only feed it may read. */
  endpointId?: string | null;
  /** The portal session a portal token was made for (Svix's `sessionId`), which expire-all may name. */
  sessionId?: string | null;
}

/**
 * - `key`: made under /api-key or by the CLI; admin, or scoped to an application.
 * - `portal`: an application token for the consumer portal (app-portal-access); expire-all ends these.
 * - `message`: may only create messages in its application (create-message-token).
 * - `poller`: may only poll its endpoint's feed (the poller token routes).
 * - `one_time`: a portal link's single-use token; good only for exchanging at /auth/one-time-token.
 */
export type ApiKeyKind = 'key' | 'portal' | 'message' | 'poller' | 'one_time';
/** A key's client networks and rate limit; `undefined` leaves a setting as it is. */
export type ApiKeyChanges = Partial<Pick<ApiKey, 'allowedClientCidrs' | 'rateLimit'>>;

export interface AuditRecord {
  id: string;
  createdAt: number;
  /** The API key id that acted, `cli` for the command line, or `system`. */
  actor: string;
  ip: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  appId: string | null;
  before: JsonObject | null;
  after: JsonObject | null;
}

/** A cursor page request. `iterator` is the last id seen; `reverse` pages back towards the start. */
export interface PageQuery {
  limit: number;
  iterator?: string | undefined;
  reverse?: boolean;
  order: 'ascending' | 'descending';
}

/** One page of a listing: `iterator` continues it, `prevIterator` (a `-` and an id) goes back. */
export interface Page<T> {
  data: T[];
  done: boolean;
  iterator: string | null;
  prevIterator: string | null;
}

export interface MessageFilter {
  channel?: string | undefined;
  eventTypes?: string[] | undefined;
  before?: number | undefined;
  after?: number | undefined;
}

export interface DeliveryFilter extends MessageFilter {
  appId?: string | undefined;
  endpointId?: string | undefined;
  status?: DeliveryStatus | undefined;
}

export interface AttemptFilter {
  msgId?: string | undefined;
  endpointId?: string | undefined;
  status?: DeliveryStatus | undefined;
  statusCodeClass?: number | undefined;
  eventTypes?: string[] | undefined;
  channel?: string | undefined;
  before?: number | undefined;
  after?: number | undefined;
}

export interface AuditFilter {
  appId?: string | undefined;
  /** An exact action, or a prefix ending in `.` or `*` (`endpoint.` matches every endpoint action). */
  action?: string | undefined;
  actor?: string | undefined;
  targetId?: string | undefined;
  /** Records created before this time (exclusive). */
  before?: number | undefined;
  /** Records created at or after this time. */
  after?: number | undefined;
}

/** What an idempotency key holds when a request arrives. */
export type IdempotencyState =
  | { kind: 'started' }
  | { kind: 'in_progress' }
  | { kind: 'mismatch' }
  | { kind: 'completed'; statusCode: number; body: string };

/** A unique key was already taken: the API turns this into 409 Conflict. */
export class UniqueViolation extends Error {
  constructor(readonly target: string) {
    super(`unique violation on ${target}`);
    this.name = 'UniqueViolation';
  }
}
