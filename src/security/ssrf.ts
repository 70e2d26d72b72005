/**
 * The SSRF guard's address policy. Herald delivers only to public unicast addresses unless an operator's
 * allow-list opens a range (for local development and tests, for example `127.0.0.1/32`). The delivery
 * engine applies this to every resolved address before it connects; the API applies it early to URLs whose
 * host is an IP literal or a name that can only be local, so a mistake is reported when it is made.
 */
import ipaddr from 'ipaddr.js';
import { inCidrList, parseCidrList, type Cidr } from '../util/cidr.js';

/** ipaddr.js range names that are safe to deliver to. Everything else is blocked. */
const PUBLIC_RANGES = new Set(['unicast']);

/** Ranges ipaddr.js calls unicast but that are not reachable or not public. */
const EXTRA_BLOCKED: readonly Cidr[] = parseCidrList(
  '0.0.0.0/8,192.0.0.0/24,198.18.0.0/15,240.0.0.0/4,64:ff9b:1::/48',
);

/** Returns why `ip` is blocked (the range's name), or `null` when Herald may connect to it. */
export function blockedReason(ip: string, allow: readonly Cidr[]): string | null {
  if (!ipaddr.isValid(ip)) return 'not an IP address';
  // ::ffff:10.0.0.1 is 10.0.0.1: judge IPv4-mapped addresses as IPv4.
  const address = ipaddr.process(ip);
  if (inCidrList(address, allow)) return null;
  const range = address.range();
  if (!PUBLIC_RANGES.has(range)) return range;
  if (inCidrList(address, EXTRA_BLOCKED)) return 'reserved';
  return null;
}

/** Names that mean this machine (RFC 6761): they resolve to loopback addresses. */
const LOOPBACK_NAMES = /(^|\.)localhost$/i;
/** Names used only on private networks: where they point depends on the local resolver. */
const PRIVATE_NAMES = /(^|\.)(localdomain|internal|local)$/i;

/**
 * Checks a URL's host before any DNS lookup: IP literals against the policy, and names that only ever mean
 * this machine or a private network. Returns the reason it is blocked, or `null`.
 *
 * - `localhost` and `*.localhost` are loopback names: allowed only when the allow-list opens 127.0.0.1.
 * - `*.internal`, `*.local` and `*.localdomain` can point anywhere on a private network: refused unless the
 *   allow-list opens some range. When it does, the name passes here and the DNS-time guard (the delivery
 *   engine's lookup) judges every address it resolves to.
 */
export function blockedHostReason(hostname: string, allow: readonly Cidr[]): string | null {
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (ipaddr.isValid(host)) return blockedReason(host, allow);
  // `localhost.` is the same name as `localhost`, and so is `localhost..` to some resolvers. (A loop, not
  // /\.+$/, which backtracks quadratically on a long run of dots.)
  let end = host.length;
  while (end > 0 && host[end - 1] === '.') end--;
  const name = host.slice(0, end);
  if (LOOPBACK_NAMES.test(name))
    return blockedReason('127.0.0.1', allow) === null ? null : 'loopback host name';
  if (PRIVATE_NAMES.test(name)) return allow.length > 0 ? null : 'private network host name';
  return null;
}
