/**
 * The SSRF guard's address policy for IPv6 addresses that embed an IPv4 address: each form is judged by the
 * IPv4 inside, by blockedReason and by blockedHostReason (a URL's host, at creation). The same policy at
 * connect time, on resolver answers, is tested in test/delivery/sender.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { blockedHostReason, blockedReason } from '../../src/security/ssrf.js';
import { parseCidrList } from '../../src/util/cidr.js';

/** An IPv4 address as the two 16-bit groups an IPv6 address holds it in, optionally inverted (Teredo). */
function groups(ipv4: string, invert = false): string {
  const value = ipv4.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const bits = invert ? 0xffffffff - value : value;
  return `${Math.floor(bits / 0x10000).toString(16)}:${(bits % 0x10000).toString(16)}`;
}

const PUBLIC_IPV4 = '8.8.8.8';

/** Each form: its name in the reason, and the address that embeds `ipv4`. */
const FORMS: ReadonlyArray<[form: string, embed: (ipv4: string) => string]> = [
  ['IPv4-compatible', (ipv4) => `::${ipv4}`],
  ['IPv4-compatible', (ipv4) => `::${groups(ipv4)}`],
  ['IPv4-mapped', (ipv4) => `::ffff:${ipv4}`],
  ['NAT64', (ipv4) => `64:ff9b::${ipv4}`],
  ['NAT64', (ipv4) => `64:ff9b::${groups(ipv4)}`],
  ['NAT64', (ipv4) => `64:ff9b:1:abcd::${groups(ipv4)}`],
  ['6to4', (ipv4) => `2002:${groups(ipv4)}::1`],
  ['Teredo server', (ipv4) => `2001:0:${groups(ipv4)}:8000:ffff:${groups(PUBLIC_IPV4, true)}`],
  ['Teredo client', (ipv4) => `2001:0:${groups(PUBLIC_IPV4)}:8000:ffff:${groups(ipv4, true)}`],
];

/** The IPv4 addresses each form is tried with, and the range the guard names for them. */
const IPV4S: ReadonlyArray<[ipv4: string, range: string | null]> = [
  ['127.0.0.1', 'loopback'],
  ['10.0.0.1', 'private'],
  ['192.168.1.1', 'private'],
  ['169.254.169.254', 'linkLocal'],
  [PUBLIC_IPV4, null],
];

const CASES = FORMS.flatMap(([form, embed]) =>
  IPV4S.map(([ipv4, range]) => ({ form, ipv4, range, address: embed(ipv4) })),
);

const ALLOW_LOOPBACK = parseCidrList('127.0.0.1/32');

describe('IPv6 addresses that embed an IPv4 address', () => {
  it.each(CASES)('judges $address by $ipv4', ({ form, ipv4, range, address }) => {
    const expected = range === null ? null : `${range} (embedded in IPv6: ${ipv4}, ${form})`;
    expect(blockedReason(ipv4, [])).toBe(range);
    expect(blockedReason(address, [])).toBe(expected);
    // At creation: the host of an IP-literal URL, as given and as the URL parser writes it.
    expect(blockedHostReason(`[${address}]`, [])).toBe(expected);
    expect(blockedHostReason(new URL(`http://[${address}]:8080/`).hostname, [])).toBe(expected);
  });

  it.each(CASES)('opens $address when the allow-list opens $ipv4', ({ ipv4, range, address }) => {
    const allow = parseCidrList(`${ipv4}/32`);
    expect(blockedReason(address, allow)).toBeNull();
    expect(blockedReason(address, ALLOW_LOOPBACK) === null).toBe(range === null || ipv4 === '127.0.0.1');
  });

  it('judges a Teredo address by both the server and the client inside', () => {
    const teredo = (server: string, client: string) => `2001:0:${groups(server)}:0:0:${groups(client, true)}`;
    expect(blockedReason(teredo(PUBLIC_IPV4, '1.1.1.1'), [])).toBeNull();
    expect(blockedReason(teredo('10.0.0.1', '127.0.0.1'), [])).toBe(
      'private (embedded in IPv6: 10.0.0.1, Teredo server)',
    );
    // Allowing one of them is not enough while the other is blocked.
    expect(blockedReason(teredo('127.0.0.1', '10.0.0.1'), ALLOW_LOOPBACK)).toBe(
      'private (embedded in IPv6: 10.0.0.1, Teredo client)',
    );
    expect(blockedReason(teredo('127.0.0.1', PUBLIC_IPV4), ALLOW_LOOPBACK)).toBeNull();
  });

  it('keeps :: and ::1 as the unspecified and loopback addresses, which allowing 127.0.0.1 does not open', () => {
    for (const allow of [[], ALLOW_LOOPBACK]) {
      expect(blockedReason('::', allow)).toBe('unspecified');
      expect(blockedReason('::1', allow)).toBe('loopback');
      expect(blockedHostReason('[::1]', allow)).toBe('loopback');
    }
    expect(blockedReason('::1', parseCidrList('::1'))).toBeNull();
    // The rest of ::/96 is IPv4-compatible, down to 0.0.0.2.
    expect(blockedReason('::2', [])).toBe('unspecified (embedded in IPv6: 0.0.0.2, IPv4-compatible)');
  });

  it('opens an embedding address that an IPv6 range on the allow-list covers as written', () => {
    expect(blockedReason('2002:7f00:1::1', parseCidrList('2002::/16'))).toBeNull();
    expect(blockedReason('64:ff9b::7f00:1', parseCidrList('64:ff9b::/96'))).toBeNull();
    expect(blockedReason('64:ff9b::7f00:1', parseCidrList('2002::/16'))).toMatch(/^loopback \(embedded/);
  });

  it('leaves plain addresses and other IPv6 ranges as they were', () => {
    expect(blockedReason('127.0.0.1', [])).toBe('loopback');
    expect(blockedReason('127.0.0.1', ALLOW_LOOPBACK)).toBeNull();
    expect(blockedReason('10.0.0.1', ALLOW_LOOPBACK)).toBe('private');
    expect(blockedReason('fe80::1', [])).toBe('linkLocal');
    expect(blockedReason('fd00::1', [])).toBe('uniqueLocal');
    expect(blockedReason('2001:db8::1', [])).toBe('reserved');
    expect(blockedReason('::ffff:0:7f00:1', [])).toBe('rfc6145');
    expect(blockedReason('2606:4700:4700::1111', [])).toBeNull();
  });
});
