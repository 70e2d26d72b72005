/** The sender's SSRF guard at connection time, against real name resolution and real sockets. */
import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedLookup, Sender } from '../../src/delivery/sender.js';
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

  it('blocks literal private addresses before connecting, and sends once they are allowed', async () => {
    const port = new URL(receiver.url).port;
    const request = { headers: {}, body: '{}', timeoutMs: 2000 };
    const guarded = new Sender({ ssrfAllow: [] });
    const open = new Sender({ ssrfAllow: parseCidrList('127.0.0.1/32') });
    try {
      for (const url of [
        `http://127.0.0.1:${port}/`,
        `http://[::ffff:127.0.0.1]:${port}/`,
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
