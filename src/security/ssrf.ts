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
const EXTRA_BLOCKED: readonly Cidr[] = parseCidrList('0.0.0.0/8,192.0.0.0/24,198.18.0.0/15,240.0.0.0/4');

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** The IPv4 address held in two 16-bit parts of an IPv6 address, optionally XORed with `mask`. */
function ipv4From(high: number, low: number, mask = 0): ipaddr.IPv4 {
  const value = ((high << 16) | low) ^ mask;
  return new ipaddr.IPv4([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
}

/** An IPv4 address inside an IPv6 address, with its role when there are two (Teredo). */
type EmbeddedIPv4 = [role: string, address: ipaddr.IPv4];

/** Most forms put the IPv4 address in the last 32 bits. */
const inLastBits = (parts: number[]): EmbeddedIPv4[] => [['', ipv4From(parts[6]!, parts[7]!)]];

/**
 * IPv6 forms that carry an IPv4 address, and where. A packet to one of them can end up at the IPv4 address
 * (a dual-stack socket, a NAT64 gateway, a 6to4 or Teredo relay), so the guard judges it by that address:
 * ipaddr.js calls `::/96` unicast, which let `[::127.0.0.1]` through. A Teredo address carries two, its
 * server's and its client's (inverted), and is judged by both.
 */
const EMBEDDING_FORMS: ReadonlyArray<{
  form: string;
  prefix: Cidr;
  ipv4s: (parts: number[]) => EmbeddedIPv4[];
}> = [
  { form: 'IPv4-mapped', prefix: ipaddr.parseCIDR('::ffff:0:0/96'), ipv4s: inLastBits },
  { form: 'IPv4-compatible', prefix: ipaddr.parseCIDR('::/96'), ipv4s: inLastBits },
  { form: 'NAT64', prefix: ipaddr.parseCIDR('64:ff9b::/96'), ipv4s: inLastBits },
  // RFC 8215's local-use prefix, divided into /96 networks: the IPv4 address is again the last 32 bits.
  { form: 'NAT64', prefix: ipaddr.parseCIDR('64:ff9b:1::/48'), ipv4s: inLastBits },
  { form: '6to4', prefix: ipaddr.parseCIDR('2002::/16'), ipv4s: (p) => [['', ipv4From(p[1]!, p[2]!)]] },
  {
    form: 'Teredo',
    prefix: ipaddr.parseCIDR('2001::/32'),
    ipv4s: (p) => [
      [' server', ipv4From(p[2]!, p[3]!)],
      [' client', ipv4From(p[6]!, p[7]!, 0xffffffff)],
    ],
  },
];

/**
 * Parses an address. ipaddr.js reads `::a.b.c.d` as the IPv4-mapped `::ffff:a.b.c.d`, but it is the
 * IPv4-compatible `::a.b.c.d` (and that is how a resolver writes `::7f00:1`), so a dotted IPv4 tail is
 * rewritten as two hexadecimal groups first.
 */
function parseAddress(ip: string): Address {
  const colon = ip.lastIndexOf(':');
  const tail = ip.slice(colon + 1);
  if (colon < 0 || !ipaddr.IPv4.isValidFourPartDecimal(tail)) return ipaddr.parse(ip);
  const [a, b, c, d] = ipaddr.IPv4.parse(tail).octets as [number, number, number, number];
  return ipaddr.parse(
    `${ip.slice(0, colon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`,
  );
}

/** Why `address`, taken as written, is blocked, or `null`. */
function rangeReason(address: Address): string | null {
  const range = address.range();
  if (!PUBLIC_RANGES.has(range)) return range;
  if (inCidrList(address, EXTRA_BLOCKED)) return 'reserved';
  return null;
}

/**
 * Returns why `ip` is blocked (the range's name), or `null` when Herald may connect to it.
 *
 * An IPv6 address that embeds an IPv4 address (`::ffff:10.0.0.1`, `::127.0.0.1`, `64:ff9b::a9fe:a9fe`, …)
 * is judged by the IPv4 inside, and the reason says so. The allow-list opens an address as written, or
 * through the IPv4 inside: allowing 127.0.0.1/32 allows `::127.0.0.1` too, as it always allowed
 * `::ffff:127.0.0.1`. `::` and `::1` are not IPv4-compatible addresses: they keep their own meaning.
 */
export function blockedReason(ip: string, allow: readonly Cidr[]): string | null {
  if (!ipaddr.isValid(ip)) return 'not an IP address';
  const address = parseAddress(ip);
  if (inCidrList(address, allow)) return null;
  if (address.kind() === 'ipv4') return rangeReason(address);
  const ipv6 = address as ipaddr.IPv6;
  const own = ipv6.range();
  if (own === 'unspecified' || own === 'loopback') return own;
  const embedding = EMBEDDING_FORMS.find(({ prefix }) => ipv6.match(prefix));
  if (embedding === undefined) return rangeReason(ipv6);
  for (const [role, ipv4] of embedding.ipv4s(ipv6.parts)) {
    if (inCidrList(ipv4, allow)) continue;
    const reason = rangeReason(ipv4);
    if (reason !== null) return `${reason} (embedded in IPv6: ${ipv4.toString()}, ${embedding.form}${role})`;
  }
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
