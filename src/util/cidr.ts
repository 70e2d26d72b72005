/**
 * CIDR lists: address ranges as the configuration, API keys, applications and endpoints give them. Text is
 * parsed once, where it is read (the configuration at start-up, a stored list when its row is loaded), and
 * matched many times.
 */
import ipaddr from 'ipaddr.js';

export type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** A CIDR as text, in canonical form: `203.0.113.0/24`. */
export function formatCidr([range, bits]: Cidr): string {
  return `${range.toString()}/${bits}`;
}

/**
 * Parses CIDRs (a bare address is its own /32 or /128; an entry may hold several, comma-separated); throws on
 * one that is not valid.
 */
export function parseCidrs(entries: readonly string[]): Cidr[] {
  return entries
    .flatMap((entry) => entry.split(','))
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const cidr = part.includes('/') ? part : `${part}/${ipaddr.parse(part).kind() === 'ipv4' ? 32 : 128}`;
      const [range, bits] = ipaddr.parseCIDR(cidr);
      // Addresses are judged with IPv4-mapped IPv6 as IPv4, so a mapped range must be written as IPv4 too.
      if (range.kind() === 'ipv6' && (range as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96)
        return [(range as ipaddr.IPv6).toIPv4Address(), bits - 96] as Cidr;
      return [range, bits] as Cidr;
    });
}

/** Parses a comma-separated list, as environment variables and flags give it. */
export function parseCidrList(text: string): Cidr[] {
  return parseCidrs([text]);
}

/** Whether `address` lies in one of the ranges. */
export function inCidrList(address: ipaddr.IPv4 | ipaddr.IPv6, list: readonly Cidr[]): boolean {
  return list.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits));
}
