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
  createdAt: string;
  updatedAt: string;
}

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
  timestamp: string;
}

/** 0 success, 1 pending, 2 fail, 3 sending. */
export type Status = 0 | 1 | 2 | 3;
export type StatusText = 'success' | 'pending' | 'fail' | 'sending';

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
  responseHeaders: Record<string, string> | null;
}

export interface EndpointHealth {
  circuit: 'closed' | 'open' | 'half_open';
  circuitOpenUntil: string | null;
  failingSince: string | null;
  disabled: boolean;
  disabledReason: string | null;
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
