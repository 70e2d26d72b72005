/** The sender's SSRF guard at connection time, against real name resolution and real sockets. */
import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedAddresses, guardedLookup, Sender } from '../../src/delivery/sender.js';
import { parseCidrList } from '../../src/util/cidr.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';

function lookup(
  host: string,
  allow: string,
): Promise<{ error: NodeJS.ErrnoException | null; addresses: string[] }> {
  return new Promise((resolve) => {
    guardedLookup(parseCidrList(allow))(host, { all: true }, (error, addresses) =>
      resolve({ error, addresses: (addresses as LookupAddress[]).map((entry) => entry.address) }),
    );
  });
}

describe('SSRF guard on connect', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => receiver.close());

  it('refuses a name that resolves only to blocked addresses', async () => {
    // localhost resolves to loopback on every machine; with nothing allowed, nothing is left to connect to.
    const { error } = await lookup('localhost', '');
    expect(error?.code).toBe('ESSRF');
    expect(error?.message).toMatch(/blocked address/);
  });

  it('keeps only the allowed addresses of a name', async () => {
    const { error, addresses } = await lookup('localhost', '127.0.0.1/32');
    expect(error).toBeNull();
    expect(addresses).toContain('127.0.0.1');
    expect(addresses).not.toContain('::1');
  });

  it('passes resolution failures through as DNS errors', async () => {
    const { error } = await lookup('no-such-host.invalid', '');
    expect(error?.code).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });

  describe('IPv6 addresses that embed an IPv4 address', () => {
    const answer = (...addresses: string[]): LookupAddress[] =>
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

    // One per form, each embedding a blocked IPv4 address, as a resolver would spell it.
    it.each([
      ['::127.0.0.1', '127.0.0.1'],
      ['::a9fe:a9fe', '169.254.169.254'],
      ['::ffff:10.0.0.1', '10.0.0.1'],
      ['64:ff9b::a9fe:a9fe', '169.254.169.254'],
      ['64:ff9b:1:abcd::c0a8:101', '192.168.1.1'],
      ['2002:a00:1::1', '10.0.0.1'],
      ['2001:0:a9fe:a9fe::f7f7:f7f7', '169.254.169.254'], // Teredo server
      ['2001:0:808:808::3f57:fefe', '192.168.1.1'], // Teredo client, inverted
    ])('refuses an answer of only %s, naming %s', (address, ipv4) => {
      const result = guardedAddresses('rebind.example', answer(address), []);
      expect((result as NodeJS.ErrnoException).code).toBe('ESSRF');
      expect((result as Error).message).toContain(`(embedded in IPv6: ${ipv4}, `);
    });

    it('drops those of blocked IPv4 addresses from an answer, keeping those of public and allowed ones', () => {
      const answered = answer(
        '::7f00:1',
        '64:ff9b::a9fe:a9fe',
        '2002:a00:1::1',
        '64:ff9b::808:808',
        '1.1.1.1',
      );
      expect(guardedAddresses('mixed.example', answered, [])).toEqual(answer('64:ff9b::808:808', '1.1.1.1'));
      expect(guardedAddresses('mixed.example', answered, parseCidrList('127.0.0.1/32'))).toEqual(
        answer('::7f00:1', '64:ff9b::808:808', '1.1.1.1'),
      );
    });

    // The resolver answers an IP literal with itself, so these run guardedLookup's real resolver path.
    it.each(['::127.0.0.1', '::7f00:1', '64:ff9b::a9fe:a9fe', '2002:a00:1::1', '::ffff:192.168.1.1'])(
      'refuses %s through the real resolver',
      async (host) => {
        const { error } = await lookup(host, '');
        expect(error?.code).toBe('ESSRF');
        expect(error?.message).toMatch(/blocked address \(\w+ \(embedded in IPv6: /);
      },
    );

    it('keeps ::127.0.0.1 through the real resolver when 127.0.0.1 is allowed', async () => {
      expect(await lookup('::127.0.0.1', '127.0.0.1/32')).toEqual({
        error: null,
        addresses: ['::127.0.0.1'],
      });
    });
  });

  it('blocks literal private addresses before connecting, and sends once they are allowed', async () => {
    const port = new URL(receiver.url).port;
    const request = { headers: {}, body: '{}', timeoutMs: 2000 };
    const guarded = new Sender({ ssrfAllow: [] });
    const open = new Sender({ ssrfAllow: parseCidrList('127.0.0.1/32') });
    try {
      for (const url of [
        `http://127.0.0.1:${port}/`,
        `http://[::ffff:127.0.0.1]:${port}/`,
        `http://[::127.0.0.1]:${port}/`,
        `http://[64:ff9b::7f00:1]:${port}/`,
        `http://localhost:${port}/`,
      ]) {
        const outcome = await guarded.send({ ...request, url });
        expect(outcome).toMatchObject({ kind: 'error', errorClass: 'ssrf_blocked' });
      }
      expect(receiver.received).toHaveLength(0);
      const outcome = await open.send({ ...request, url: `http://127.0.0.1:${port}/` });
      expect(outcome).toMatchObject({ kind: 'response', status: 200 });
    } finally {
      await guarded.close();
      await open.close();
    }
  });

  it('reads a large response only up to its bound', async () => {
    receiver.answer(() => ({ status: 200, body: 'x'.repeat(1_000_000) }));
    const sender = new Sender({ ssrfAllow: parseCidrList('127.0.0.1/32') });
    try {
      const outcome = await sender.send({ url: receiver.url, headers: {}, body: '{}', timeoutMs: 5000 });
      expect(outcome.kind).toBe('response');
      if (outcome.kind === 'response') expect(outcome.body.length).toBe(16 * 1024);
    } finally {
      await sender.close();
    }
  });
});
