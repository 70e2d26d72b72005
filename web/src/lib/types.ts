/**
 * The API's resources as the dashboard reads them. Field names are the API's (Svix's camelCase); see
 * docs/api.md. Glossary: an application owns endpoints and messages; a delivery is one message going to one
 * endpoint; an attempt is one HTTP request of a delivery.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Page<T> {
  data: T[];
  iterator: string | null;
  prevIterator: string | null;
  done: boolean;
}

export interface Application {
  id: string;
  uid: string | null;
  name: string;
  metadata: Record<string, string>;
  throttleRate: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface Endpoint {
  id: string;
  uid: string | null;
  url: string;
  description: string;
  disabled: boolean;
  eventTypes: string[] | null;
  channels: string[] | null;
  metadata: Record<string, string>;
  throttleRate: number | null;
  retrySchedule: number[] | null;
  timeoutSeconds: number | null;
  headerStyle: 'standard' | 'svix';
  disabledReason: string | null;
  /** The template that shapes the body it receives; null for the standard JSON body. */
  templateId?: string | null;
  /** The template version it uses; null follows the latest. */
  templateVersion?: number | null;
  /** The payload version it receives; null for the newest. */
  payloadVersion?: string | null;
  /** Without a template: none (JSON), xml or form. */
  conversion?: Conversion;
  /** A MongoDB-style query the message must match to be delivered here; null for none. */
  filter?: Record<string, unknown> | null;
  compression?: Compression;
  /** The smallest body, in bytes, that is compressed; null for the default (1024). */
  compressionThreshold?: number | null;
  ordering?: Ordering;
  /** What an ordered sequence does when one of its messages is given up. */
  orderingAfterGiveUp?: OrderingAfterGiveUp;
  /** Whether each attempt sends its trace context (`traceparent`) to the endpoint. */
  propagateTraceContext?: boolean;
  /** Several messages per request, as one JSON array, up to these limits; null for one per request. */
  batching?: Batching | null;
  /** Whether Herald follows the endpoint's response times in how many requests it keeps in flight to it. */
  adaptiveThrottling?: boolean;
  createdAt: string;
  updatedAt: string;
}

export type Compression = 'none' | 'gzip' | 'br';

export interface Batching {
  maxMessages: number;
  maxBytes: number;
  maxWaitMs: number;
}

export type Conversion = 'none' | 'xml' | 'form';

/** First in, first out: not at all, for the whole endpoint, or per message ordering key. */
export type Ordering = 'none' | 'endpoint' | 'key';
export type OrderingAfterGiveUp = 'skip' | 'block';

export interface EventType {
  name: string;
  description: string;
  archived: boolean;
  deprecated: boolean;
  featureFlag: string | null;
  schemas: Record<string, JsonObject> | null;
  createdAt: string;
  updatedAt: string;
}

export interface Message {
  id: string;
  eventType: string;
  eventId: string | null;
  payload: JsonObject;
  channels: string[] | null;
  /** The key of its ordered sequence, at endpoints with `ordering: key`; absent when it has none. */
  orderingKey?: string;
  timestamp: string;
}

/** 0 success, 1 pending, 2 fail, 3 sending, 4 canceled. */
export type Status = 0 | 1 | 2 | 3 | 4;
export type StatusText = 'success' | 'pending' | 'fail' | 'sending' | 'canceled';

/** A message with the state of its delivery to one endpoint. */
export interface Delivery extends Message {
  status: Status;
  statusText: StatusText;
  nextAttempt: string | null;
}

export interface DeadLetter extends Message {
  endpointId: string;
  status: Status;
  statusText: StatusText;
  attempts: number;
  lastAttempt: string | null;
}

export interface Attempt {
  id: string;
  msgId: string;
  endpointId: string;
  url: string;
  response: string;
  responseStatusCode: number;
  responseDurationMs: number;
  status: Status;
  statusText: StatusText;
  /** 0 scheduled, 1 manual. */
  triggerType: 0 | 1;
  timestamp: string;
  errorClass: string | null;
}

export interface AttemptDetail extends Attempt {
  errorDetail: string | null;
  requestHeaders: Record<string, string> | null;
  /**
   * The body sent when a template or conversion shaped it, exactly as sent; null when the message payload went
   * as the standard JSON body. Absent from Herald versions before it was recorded.
   */
  requestBody?: string | null;
  responseHeaders: Record<string, string> | null;
}

export interface EndpointHealth {
  circuit: 'closed' | 'open' | 'half_open';
  circuitOpenUntil: string | null;
  failingSince: string | null;
  disabled: boolean;
  disabledReason: string | null;
  /** When the endpoint answered 415 to a compressed body; its bodies have gone plain since. */
  compressionRefusedAt?: string | null;
  /** Ordered sequences held by a given-up message (at endpoints that block after a give-up), at most 50. */
  blockedSequences?: BlockedSequence[];
  /** How many requests in flight the endpoint's response times allow now, and why. */
  adaptiveThrottling?: AdaptiveLimit;
  recent: {
    attempts: number;
    successRate: number | null;
    p50Ms: number | null;
    p95Ms: number | null;
    lastStatusCode: number | null;
    lastErrorClass: string | null;
    lastAttemptAt: string | null;
  };
}

export interface AdaptiveLimit {
  enabled: boolean;
  /** Requests in flight at most now, summed over Herald's workers; null when none sent to it lately. */
  limit: number | null;
  ceiling: number | null;
  reason: string | null;
  updatedAt: string | null;
}

/** One period of the adaptive limit's history: its limit at the end, lowest and highest; nulls when idle. */
export interface AdaptiveLimitPeriod {
  start: string;
  limit: number | null;
  low: number | null;
  high: number | null;
  ceiling: number | null;
}

/** An ordered sequence held by its head: a given-up message that waits to be resent or skipped. */
export interface BlockedSequence {
  /** The ordering key; '' for the whole endpoint, or for messages without a key. */
  key: string;
  msgId: string;
  attempts: number;
  lastAttemptAt: string | null;
  /** Messages waiting behind it. */
  waiting: number;
}

export interface EndpointStats {
  success: number;
  pending: number;
  fail: number;
  sending: number;
}

export interface EndpointHeaders {
  headers: Record<string, string>;
  sensitive: string[];
}

/** What a template renders: its content type decides the content-type header and how the output is checked. */
export type TemplateContentType = 'json' | 'xml' | 'form' | 'text';

/** The content of a template version: what an edit changes. */
export interface TemplateContent {
  contentType: TemplateContentType;
  /** The Liquid source. */
  body: string;
  eventType: string | null;
  payloadVersion: string | null;
}

/** A template with the content of its latest version. */
export interface Template extends TemplateContent {
  id: string;
  name: string;
  description: string;
  latestVersion: number;
  createdAt: string;
  updatedAt: string;
}

export interface TemplateVersion extends TemplateContent {
  templateId: string;
  version: number;
  createdAt: string;
}

/**
 * One problem with a template. `line` and `column` are in the template source, except for `output` problems,
 * where they are in the rendered output.
 */
export interface TemplateProblem {
  kind: 'syntax' | 'unknown_filter' | 'unknown_variable' | 'render' | 'output' | 'binding';
  message: string;
  line: number | null;
  column: number | null;
}

export interface RenderResult {
  ok: boolean;
  body: string | null;
  headers: Record<string, string>;
  errors: TemplateProblem[];
}

/** An endpoint's outbound authentication as the API shows it: never its credentials. */
export interface EndpointAuth {
  type: 'none' | 'basic' | 'jwt' | 'oauth2';
  username?: string;
  algorithm?: JwtAlgorithm;
  keyId?: string;
  issuer?: string;
  audience?: string;
  subject?: string;
  expiresInSeconds?: number;
  /** jwt with RS256 or EdDSA: the public key that verifies the tokens. */
  publicKey?: string;
  tokenUrl?: string;
  clientId?: string;
  scope?: string;
  clientAuth?: string;
  /** jwt HS256 without a key given: the secret Herald generated, in the response that set it only. */
  generatedKey?: string;
}

export type JwtAlgorithm = 'HS256' | 'RS256' | 'EdDSA';

export interface DestinationRules {
  allowedDestinationCidrs: string[] | null;
}

/** Where an endpoint stands against its rate limit (a token bucket holding one second's worth). */
export interface EndpointRate {
  endpointId: string;
  endpointUid: string | null;
  throttleRate: number | null;
  tokens: number | null;
  capacity: number | null;
  nextTokenAt: string | null;
  pending: number;
}

/** An application's privacy settings (`/app/{id}/privacy`). */
export interface PrivacySettings {
  payloadRetentionHours: number | null;
  storeResponseBodies: boolean;
  redactionRules: string[] | null;
  /** The rules in force: the application's, or the platform's when it sets none. */
  effectiveRedactionRules: string[];
}

/** One objective of an SLA over its window, in percent; `current` is null with no messages. */
export interface SlaObjective {
  target: number;
  current: number | null;
  budgetRemaining: number;
}

export interface SlaFigures {
  windowStart: string;
  windowEnd: string;
  messages: number;
  delivered: number;
  successRate: SlaObjective | null;
  delay: (SlaObjective & { thresholdSeconds: number }) | null;
  status: 'ok' | 'at_risk' | 'breached';
  budgetRemaining: number;
}

export interface Sla {
  id: string;
  appId: string;
  endpointId: string | null;
  name: string;
  window: string;
  successTarget: number | null;
  delayTarget: number | null;
  delaySeconds: number | null;
  breachedSince: string | null;
  createdAt: string;
  updatedAt: string;
  compliance: SlaFigures;
  history?: SlaFigures[];
  /** In the list of SLAs at risk: when `compliance` was worked out. */
  evaluatedAt?: string;
}
