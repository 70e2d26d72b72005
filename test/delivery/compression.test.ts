/**
 * Compression end to end, on SQLite and PostgreSQL: a real receiver on 127.0.0.1 decompresses each body and
 * verifies its signature with `herald/verify`, over the decoded body and over the raw compressed bytes; small
 * bodies go plain; the attempt log shows what was sent; a 415 gets the next attempt plain and shows in health.
 */
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from '../../src/verify.js';
import { HERALD_STORES, heraldSuite } from '../helpers/herald.js';
import type { Received } from '../helpers/receiver.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
/** A payload whose standard body is well above the default threshold of 1 KiB. */
const LARGE = {
  invoiceId: 'inv_1',
  lines: Array.from({ length: 40 }, (_, i) => ({ sku: `sku-${i}`, qty: i })),
};
const SMALL = { invoiceId: 'inv_2' };

/** What a receiver that decodes requests itself does: decompress by Content-Encoding, then verify. */
function decoded(request: Received): Buffer {
  const encoding = request.headers['content-encoding'];
  if (encoding === 'gzip') return zlib.gunzipSync(request.raw);
  if (encoding === 'br') return zlib.brotliDecompressSync(request.raw);
  expect(encoding).toBeUndefined();
  return request.raw;
}

describe.each(HERALD_STORES)('compression end to end ($dialect)', ({ postgres, skip }) => {
  const test = skip ? it.skip : it;
  const suite = heraldSuite({ postgres, skip }, async (started) => {
    const created = await started.call('POST', '/event-type', { name: 'invoice.paid', description: 'Paid' });
    expect(created.status).toBe(201);
  });
  let count = 0;

  /** A new application with one endpoint, on its own receiver, with these settings. */
  async function endpoint(settings: Record<string, unknown>) {
    const uid = `capp-${++count}`;
    expect((await suite.h.call('POST', '/app', { name: 'Compressed', uid })).status).toBe(201);
    return { uid, ...(await suite.receiverEndpoint(uid, { secret: SECRET, ...settings })) };
  }

  async function send(uid: string, payload: object) {
    const sent = await suite.h.call('POST', `/app/${uid}/msg`, { eventType: 'invoice.paid', payload });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    return sent.body.id as string;
  }

  async function attempts(uid: string, msgId: string, wanted: number) {
    for (let i = 0; i < 200; i++) {
      const listed = await suite.h.call('GET', `/app/${uid}/attempt/msg/${msgId}`);
      if (listed.body.data.length >= wanted) return listed.body.data;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`fewer than ${wanted} attempts for ${msgId}`);
  }

  /** The first attempt of a message, with its request headers and body. */
  async function detail(uid: string, msgId: string) {
    const [attempt] = await attempts(uid, msgId, 1);
    const read = await suite.h.call('GET', `/app/${uid}/msg/${msgId}/attempt/${attempt.id}`);
    expect(read.status).toBe(200);
    return read.body;
  }

  test('gzip: a large body is compressed and verifies decoded or raw; a small one goes plain', async () => {
    const { uid, receiver } = await endpoint({ compression: 'gzip' });
    const largeId = await send(uid, LARGE);
    const [large] = await receiver.waitFor(1);
    expect(large!.headers['content-encoding']).toBe('gzip');
    expect(Number(large!.headers['content-length'])).toBe(large!.raw.length);
    const body = decoded(large!);
    expect(large!.raw.length).toBeLessThan(body.length);
    // The signature covers the uncompressed body: verified over the decoded text, and over the raw bytes.
    expect(verifyWebhook(SECRET, large!.headers, body.toString('utf8'))).toEqual(LARGE);
    expect(verifyWebhook(SECRET, large!.headers, large!.raw)).toEqual(LARGE);
    // A framework that decoded the body but kept the header: the decoded bytes verify too.
    expect(verifyWebhook(SECRET, large!.headers, body)).toEqual(LARGE);

    await send(uid, SMALL);
    const [, small] = await receiver.waitFor(2);
    expect(small!.headers['content-encoding']).toBeUndefined();
    expect(verifyWebhook(SECRET, small!.headers, small!.raw)).toEqual(SMALL);

    // The attempt log shows the encoding and the size sent.
    const attempt = await detail(uid, largeId);
    expect(attempt.requestHeaders['content-encoding']).toBe('gzip');
    expect(attempt.requestHeaders['content-length']).toBe(String(large!.raw.length));
  });

  test('br with a threshold of 0 compresses every body; a template body is stored decoded', async () => {
    const { uid, receiver } = await endpoint({
      compression: 'br',
      compressionThreshold: 0,
      conversion: 'xml',
    });
    const msgId = await send(uid, SMALL);
    const [request] = await receiver.waitFor(1);
    expect(request!.headers['content-encoding']).toBe('br');
    const body = decoded(request!).toString('utf8');
    expect(body).toContain('<invoiceId>inv_2</invoiceId>');
    // Signed over the uncompressed XML (verifyWebhook itself reads JSON bodies only).
    const signed = signWebhook(
      SECRET,
      request!.headers['webhook-id'] as string,
      Number(request!.headers['webhook-timestamp']),
      body,
    );
    expect((request!.headers['webhook-signature'] as string).split(' ')).toContain(signed);
    // The stored body is the readable one that was signed, not the compressed bytes.
    const attempt = await detail(uid, msgId);
    expect(attempt.requestHeaders['content-encoding']).toBe('br');
    expect(attempt.requestBody).toBe(body);
  });

  test('a 415 to a compressed body gets the next attempt plain, and health shows it until saved again', async () => {
    const { uid, receiver, endpointId } = await endpoint({ compression: 'gzip', retrySchedule: [0, 0] });
    receiver.answer((request) =>
      request.headers['content-encoding'] ? { status: 415, body: 'no encodings here' } : { status: 200 },
    );
    const msgId = await send(uid, LARGE);
    const [first, second] = await receiver.waitFor(2);
    expect(first!.headers['content-encoding']).toBe('gzip');
    expect(second!.headers['content-encoding']).toBeUndefined();
    expect(verifyWebhook(SECRET, second!.headers, second!.raw)).toEqual(LARGE);
    const statuses = (await attempts(uid, msgId, 2)).map(
      (a: { responseStatusCode: number }) => a.responseStatusCode,
    );
    expect(statuses.sort()).toEqual([200, 415]);

    const health = await suite.h.call('GET', `/app/${uid}/endpoint/${endpointId}/health`);
    expect(health.body.compressionRefusedAt).toEqual(expect.any(String));
    // Later messages go plain too, until the compression setting is saved again.
    await send(uid, LARGE);
    const [, , third] = await receiver.waitFor(3);
    expect(third!.headers['content-encoding']).toBeUndefined();
    expect(
      (await suite.h.call('PATCH', `/app/${uid}/endpoint/${endpointId}`, { compression: 'gzip' })).status,
    ).toBe(200);
    const after = await suite.h.call('GET', `/app/${uid}/endpoint/${endpointId}/health`);
    expect(after.body.compressionRefusedAt).toBeNull();

    const metrics = await fetch(`${suite.h.url}/metrics`, {
      headers: { authorization: `Bearer ${suite.h.token}` },
    });
    const text = await metrics.text();
    expect(text).toMatch(/herald_compression_bytes_total\{encoding="gzip",stage="before"\} [1-9]/);
    expect(text).toMatch(/herald_compression_bytes_total\{encoding="gzip",stage="after"\} [1-9]/);
  });
});
