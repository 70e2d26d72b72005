/**
 * Allowed destination networks as typed: one CIDR or address per line (or comma-separated), checked with the
 * same parser and rules as the API, so the form says what is wrong before saving.
 */
import ipaddr from 'ipaddr.js';

/** The API's limits on a list. */
export const MAX_CIDRS = 100;
const MAX_LENGTH = 64;

const EXAMPLE = 'write e.g. 203.0.113.0/24, 2001:db8::/32 or a single address such as 198.51.100.7';

export const splitCidrs = (text: string): string[] => text.split(/[\s,]+/).filter((part) => part !== '');

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** The range an entry means, as the API reads it: a single address is a /32 or /128. */
function parse(entry: string): Range {
  if (!entry.includes('/')) {
    const address = ipaddr.parse(entry);
    return normal([address, address.kind() === 'ipv4' ? 32 : 128]);
  }
  return normal(ipaddr.parseCIDR(entry));
}

/** IPv4-mapped IPv6 ranges are judged as IPv4, as the API does. */
function normal([range, bits]: Range): Range {
  if (range.kind() === 'ipv6' && (range as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96)
    return [(range as ipaddr.IPv6).toIPv4Address(), bits - 96];
  return [range, bits];
}

/** What is wrong with one entry, or undefined when it is a CIDR or an address. */
export function cidrProblem(entry: string): string | undefined {
  if (entry.length > MAX_LENGTH) return `"${entry.slice(0, 20)}…" is longer than ${MAX_LENGTH} characters`;
  const [address, bits] = entry.split('/');
  if (!ipaddr.isValid(address ?? '')) return `"${entry}" is not an IP address or CIDR; ${EXAMPLE}`;
  if (bits !== undefined) {
    const max = ipaddr.parse(address!).kind() === 'ipv4' ? 32 : 128;
    if (!/^\d{1,3}$/.test(bits) || Number(bits) > max)
      return `"${entry}": the prefix length after "/" must be a whole number from 0 to ${max}`;
  }
  try {
    parse(entry);
    return undefined;
  } catch {
    return `"${entry}" is not a CIDR; ${EXAMPLE}`;
  }
}

/** Every problem with a typed list, each naming its entry. */
export function cidrListProblems(text: string): string[] {
  const entries = splitCidrs(text);
  if (entries.length === 0) return ['enter at least one network, or remove the restriction instead'];
  const problems = entries.flatMap((entry) => cidrProblem(entry) ?? []);
  if (entries.length > MAX_CIDRS)
    problems.push(`at most ${MAX_CIDRS} networks; this list has ${entries.length}`);
  return problems;
}

/** How the API stores an entry (`198.51.100.7` is `198.51.100.7/32`). */
export function canonical(entry: string): string {
  const [range, bits] = parse(entry);
  return `${range.toString()}/${bits}`;
}

/** Whether a literal IP address is inside one of the entries; null when `host` is a host name. */
export function addressAllowed(host: string, entries: string[]): boolean | null {
  const bare = host.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(bare)) return null;
  const address = ipaddr.process(bare);
  return entries.some((entry) => {
    try {
      const [range, bits] = parse(entry);
      return range.kind() === address.kind() && address.match(range, bits);
    } catch {
      return false;
    }
  });
}
