/**
 * Checks and conversions for endpoint settings that the JSON Schema alone cannot express: the URL's scheme and
 * destination, custom header names and values, and the event-type filter against the catalogue.
 */
import type { Config } from '../config/config.js';
import { isRelayUrl, RELAY_SCHEME } from '../delivery/relay.js';
import { blockedHostReason } from '../security/ssrf.js';
import { isSensitiveHeader } from '../security/redact.js';
import type { Store } from '../store/index.js';
import { unprocessable } from './errors.js';
import type { Loc } from './problems.js';

export { isSensitiveHeader };

/** The URL scheme of a polling endpoint, such as `poll://inbox`. */
export const POLLING_SCHEME = 'poll:';

export function checkEndpointUrl(raw: string, config: Config): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw unprocessable(
      ['body', 'url'],
      `"${raw.slice(0, 100)}" is not a URL; send an absolute http:// or https:// URL`,
    );
  }
  // A polling endpoint: read only through the poller API, never sent to (routing leaves it out). A relay
  // endpoint: its deliveries go to the `herald listen` that polls for them, never to the network.
  if (url.protocol === POLLING_SCHEME || url.protocol === RELAY_SCHEME) return url.toString();
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw unprocessable(
      ['body', 'url'],
      `must use http:// or https:// (or poll: for a polling endpoint, relay: for \`herald listen\`), ` +
        `not ${url.protocol}//`,
    );
  if (config.endpointHttpsOnly && url.protocol !== 'https:')
    throw unprocessable(
      ['body', 'url'],
      'must use https:// on this server (HERALD_ENDPOINT_HTTPS_ONLY is on)',
    );
  const blocked = blockedHostReason(url.hostname, config.ssrfAllow);
  if (blocked !== null)
    throw unprocessable(
      ['body', 'url'],
      `points at ${url.hostname} (${blocked}), which Herald does not deliver to; use a public address, ` +
        'or have the operator allow the range in HERALD_SSRF_ALLOW_CIDRS',
    );
  return url.toString();
}

export function isPollingUrl(url: string): boolean {
  return url.startsWith(POLLING_SCHEME);
}

type UrlKind = 'an HTTP' | 'a polling' | 'a relay';

function urlKind(url: string): UrlKind {
  return isPollingUrl(url) ? 'a polling' : isRelayUrl(url) ? 'a relay' : 'an HTTP';
}

/**
 * An endpoint keeps its kind (HTTP, polling or relay) for its life: deliveries already queued for an HTTP
 * endpoint cannot be sent to a `poll:` URL, a polling endpoint has no deliveries to send, and a relay endpoint's
 * deliveries go to a listener rather than the network.
 */
export function checkUrlKindKept(existing: { url: string }, url: string): string {
  const was = urlKind(existing.url);
  const now = urlKind(url);
  if (was !== now)
    throw unprocessable(
      ['body', 'url'],
      `cannot make ${was} endpoint ${now} endpoint; create a new endpoint with that URL instead`,
    );
  return url;
}

/** Refuses names not in the catalogue; `field` is the name the request sent them under (`filterTypes`…). */
export async function checkEventTypes(
  store: Store,
  names: string[] | null | undefined,
  field = 'eventTypes',
): Promise<void> {
  if (!names) return;
  const active = await store.eventTypeFindActive(names);
  const unknown = names.filter((name) => !active.has(name));
  if (unknown.length > 0)
    throw unprocessable(
      ['body', field],
      `names event types that are not in the catalogue: ${unknown.join(', ')}; ` +
        'create them first (POST /api/v1/event-type) or fix the names',
    );
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Headers Herald sets itself, or that belong to the connection; an endpoint cannot override them. */
const RESERVED = new Set([
  'host',
  'content-length',
  'content-type',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-connection',
]);
const RESERVED_PREFIXES = ['webhook-', 'svix-'];
/**
 * Prefixes Svix refuses too: headers of cloud load balancers and gateways (AWS, Google, Azure) that a receiver
 * behind one would see overwritten or trusted, and Svix's own `x-svix-`.
 */
const INFRASTRUCTURE_PREFIXES = [
  'x-amz-',
  'x-amzn-',
  'x-google',
  'x-goog-',
  'x-gfe',
  'x-azure-',
  'x-fd-',
  'x-svix-',
];

export function checkHeaders(headers: Record<string, string | null>, field: Loc = ['body', 'headers']): void {
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!TOKEN.test(name)) throw unprocessable([...field, name], 'is not a valid header name');
    if (RESERVED.has(lower) || RESERVED_PREFIXES.some((prefix) => lower.startsWith(prefix)))
      throw unprocessable([...field, name], 'is set by Herald itself and cannot be overridden');
    if (INFRASTRUCTURE_PREFIXES.some((prefix) => lower.startsWith(prefix)))
      throw unprocessable(
        [...field, name],
        `starts with a prefix reserved for cloud infrastructure or Svix ` +
          `(${INFRASTRUCTURE_PREFIXES.join(', ')}); choose another name`,
      );
    if (value !== null && /[\r\n\0]/.test(value))
      throw unprocessable([...field, name], 'must not contain line breaks or NUL characters');
  }
}

/**
 * An endpoint's custom headers as the API shows them: the values of sensitive ones (authorization, tokens,
 * keys…) are left out, and only their names listed.
 */
export function headersShown(all: Record<string, string>): {
  headers: Record<string, string>;
  sensitive: string[];
} {
  const headers: Record<string, string> = {};
  const sensitive: string[] = [];
  for (const [name, value] of Object.entries(all)) {
    if (isSensitiveHeader(name)) sensitive.push(name);
    else headers[name] = value;
  }
  return { headers, sensitive };
}
