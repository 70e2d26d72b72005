/**
 * The endpoint form's state, the checks it runs as you type (the same rules the API applies), and the API
 * requests that save it.
 */
import { parseJson } from '../components/JsonEditor';
import type {
  Batching,
  Compression,
  Endpoint,
  EndpointHeaders,
  Ordering,
  OrderingAfterGiveUp,
} from '../lib/types';
import { intError, listOf, nameError, optionalInt, scheduleError, urlError } from '../lib/validate';

export interface HeaderRow {
  key: number;
  name: string;
  value: string;
  /** A sensitive header whose stored value the API does not return: kept as it is unless changed. */
  hidden: boolean;
  /** The name the header was loaded with, to delete it when renamed or removed. */
  original: string | null;
}

export interface EndpointDraft {
  url: string;
  description: string;
  uid: string;
  eventTypes: string[];
  channels: string;
  timeoutSeconds: string;
  throttleRate: string;
  retrySchedule: string;
  headerStyle: 'standard' | 'svix';
  disabled: boolean;
  headers: HeaderRow[];
  /** The content filter as JSON text; blank for none. */
  filter: string;
  compression: Compression;
  compressionThreshold: string;
  ordering: Ordering;
  orderingAfterGiveUp: OrderingAfterGiveUp;
  propagateTraceContext: boolean;
  /** Several messages per request, up to the three limits below (blank: the defaults). */
  batching: boolean;
  batchMaxMessages: string;
  batchMaxBytes: string;
  batchMaxWaitMs: string;
  adaptiveThrottling: boolean;
}

let nextKey = 1;
export const headerRow = (
  name = '',
  value = '',
  hidden = false,
  original: string | null = null,
): HeaderRow => ({
  key: nextKey++,
  name,
  value,
  hidden,
  original,
});

export const emptyDraft = (): EndpointDraft => ({
  url: '',
  description: '',
  uid: '',
  eventTypes: [],
  channels: '',
  timeoutSeconds: '',
  throttleRate: '',
  retrySchedule: '',
  headerStyle: 'standard',
  disabled: false,
  headers: [],
  filter: '',
  compression: 'none',
  compressionThreshold: '',
  ordering: 'none',
  orderingAfterGiveUp: 'skip',
  propagateTraceContext: false,
  batching: false,
  batchMaxMessages: '100',
  batchMaxBytes: '',
  batchMaxWaitMs: '',
  adaptiveThrottling: true,
});

export function draftOf(endpoint: Endpoint, headers: EndpointHeaders): EndpointDraft {
  return {
    url: endpoint.url,
    description: endpoint.description,
    uid: endpoint.uid ?? '',
    eventTypes: endpoint.eventTypes ?? [],
    channels: (endpoint.channels ?? []).join(', '),
    timeoutSeconds: endpoint.timeoutSeconds === null ? '' : String(endpoint.timeoutSeconds),
    throttleRate: endpoint.throttleRate === null ? '' : String(endpoint.throttleRate),
    retrySchedule: endpoint.retrySchedule === null ? '' : endpoint.retrySchedule.join(', '),
    headerStyle: endpoint.headerStyle,
    disabled: endpoint.disabled,
    headers: [
      ...Object.entries(headers.headers).map(([name, value]) => headerRow(name, value, false, name)),
      ...headers.sensitive.map((name) => headerRow(name, '', true, name)),
    ],
    filter: endpoint.filter ? JSON.stringify(endpoint.filter, null, 2) : '',
    compression: endpoint.compression ?? 'none',
    compressionThreshold:
      endpoint.compressionThreshold === null || endpoint.compressionThreshold === undefined
        ? ''
        : String(endpoint.compressionThreshold),
    ordering: endpoint.ordering ?? 'none',
    orderingAfterGiveUp: endpoint.orderingAfterGiveUp ?? 'skip',
    adaptiveThrottling: endpoint.adaptiveThrottling ?? true,
    propagateTraceContext: endpoint.propagateTraceContext ?? false,
    ...batchingDraft(endpoint.batching ?? null),
  };
}

/** The batching fields of the form for the endpoint's setting; unbatched, the limits a new one starts from. */
function batchingDraft(batching: Batching | null) {
  if (batching === null)
    return { batching: false, batchMaxMessages: '100', batchMaxBytes: '', batchMaxWaitMs: '' };
  return {
    batching: true,
    batchMaxMessages: String(batching.maxMessages),
    batchMaxBytes: batching.maxBytes === DEFAULT_BATCH_MAX_BYTES ? '' : String(batching.maxBytes),
    batchMaxWaitMs: batching.maxWaitMs === 0 ? '' : String(batching.maxWaitMs),
  };
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const RESERVED = new Set([
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-connection',
]);

export function headerError(row: HeaderRow, all: HeaderRow[]): string | undefined {
  const name = row.name.trim();
  const lower = name.toLowerCase();
  if (name === '') return row.value === '' ? undefined : 'give the header a name';
  if (!TOKEN.test(name)) return 'a header name may use letters, digits and - _ . only, no spaces';
  if (RESERVED.has(lower) || lower.startsWith('webhook-') || lower.startsWith('svix-'))
    return `Herald sets ${name} itself; choose another header`;
  if (all.filter((other) => other.name.trim().toLowerCase() === lower).length > 1)
    return 'this header is listed twice';
  if (/[\r\n\0]/.test(row.value)) return 'the value must be on one line';
  if (row.hidden && row.value === '' && row.original !== name)
    return 'type the value again: the dashboard never sees a saved sensitive value, so a renamed one needs it';
  return undefined;
}

function channelsError(text: string): string | undefined {
  const parts = listOf(text);
  if (parts.length > 10) return 'at most 10 channels';
  for (const part of parts) {
    const error = nameError(part, `Channel "${part}"`);
    if (error) return error;
  }
  return undefined;
}

/** The batch body size a blank "largest batch" means, as the API defaults it. */
const DEFAULT_BATCH_MAX_BYTES = 1024 * 1024;

/** The largest compression threshold the API takes, in bytes. */
const MAX_COMPRESSION_THRESHOLD = 16 * 1024 * 1024;

/** The filter's JSON, or what is wrong with it before the server is asked; undefined value for none. */
export function parseFilter(text: string): { value?: Record<string, unknown>; error?: string } {
  const { value, error } = parseJson(text);
  if (error) return { error };
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { error: 'a filter is a JSON object, such as {"payload.amount": {"$gte": 1000}}' };
  return { value: value as Record<string, unknown> };
}

export function draftErrors(draft: EndpointDraft) {
  return {
    url: urlError(draft.url),
    uid: nameError(draft.uid.trim(), 'The UID'),
    description: draft.description.length > 1024 ? 'at most 1024 characters' : undefined,
    channels: channelsError(draft.channels),
    timeoutSeconds: intError(draft.timeoutSeconds, 1, 60),
    throttleRate: intError(draft.throttleRate, 1, 65535),
    retrySchedule: scheduleError(draft.retrySchedule),
    filter: parseFilter(draft.filter).error,
    compressionThreshold: intError(draft.compressionThreshold, 0, MAX_COMPRESSION_THRESHOLD),
    batchMaxMessages: !draft.batching
      ? undefined
      : draft.batchMaxMessages.trim() === ''
        ? 'how many messages a request may carry, from 1 to 1000'
        : intError(draft.batchMaxMessages, 1, 1000),
    batchMaxBytes: draft.batching ? intError(draft.batchMaxBytes, 1024, 10 * 1024 * 1024) : undefined,
    batchMaxWaitMs: draft.batching ? intError(draft.batchMaxWaitMs, 0, 60_000) : undefined,
    headers: draft.headers.some((row) => headerError(row, draft.headers))
      ? 'fix the headers marked below'
      : undefined,
  };
}

/** The endpoint's fields as the API takes them on create and PATCH. */
export function endpointBody(draft: EndpointDraft) {
  const channels = listOf(draft.channels);
  return {
    url: draft.url.trim(),
    description: draft.description,
    uid: draft.uid.trim() || null,
    eventTypes: draft.eventTypes.length > 0 ? draft.eventTypes : null,
    channels: channels.length > 0 ? channels : null,
    timeoutSeconds: optionalInt(draft.timeoutSeconds),
    throttleRate: optionalInt(draft.throttleRate),
    retrySchedule: draft.retrySchedule.trim() === '' ? null : listOf(draft.retrySchedule).map(Number),
    headerStyle: draft.headerStyle,
    disabled: draft.disabled,
    filter: parseFilter(draft.filter).value ?? null,
    compression: draft.compression,
    compressionThreshold: optionalInt(draft.compressionThreshold),
    ordering: draft.ordering,
    orderingAfterGiveUp: draft.orderingAfterGiveUp,
    propagateTraceContext: draft.propagateTraceContext,
    batching: draft.batching
      ? {
          maxMessages: Number(draft.batchMaxMessages),
          ...(draft.batchMaxBytes.trim() !== '' && { maxBytes: Number(draft.batchMaxBytes) }),
          ...(draft.batchMaxWaitMs.trim() !== '' && { maxWaitMs: Number(draft.batchMaxWaitMs) }),
        }
      : null,
    adaptiveThrottling: draft.adaptiveThrottling,
  };
}

/** Headers for a new endpoint. Rows without a name are ignored. */
export function newHeaders(draft: EndpointDraft): Record<string, string> {
  return Object.fromEntries(
    draft.headers.filter((row) => row.name.trim() !== '').map((row) => [row.name.trim(), row.value]),
  );
}

/**
 * The PATCH …/headers body that turns the loaded headers into the edited ones, naming only what changed:
 * hidden (sensitive) headers stay unless their row was removed, renamed or given a new value.
 */
export function headersPatch(loaded: HeaderRow[], draft: EndpointDraft) {
  const before = new Map(loaded.map((row) => [row.original!, row]));
  const headers: Record<string, string> = {};
  const kept = new Set<string>();
  for (const row of draft.headers) {
    const name = row.name.trim();
    if (name === '') continue;
    kept.add(name.toLowerCase());
    const old = row.original === null ? undefined : before.get(row.original);
    const unchanged =
      old !== undefined && old.original === name && (row.hidden ? row.value === '' : row.value === old.value);
    if (!unchanged) headers[name] = row.value;
  }
  const deleteHeaders = loaded.map((row) => row.original!).filter((name) => !kept.has(name.toLowerCase()));
  return { headers, deleteHeaders };
}
