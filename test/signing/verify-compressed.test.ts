/** `herald/verify` with compressed bodies: the raw bytes with their Content-Encoding, or the decoded body. */
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook, WebhookVerificationError } from '../../src/verify.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NOW = 1_760_000_000_000;
const BODY = JSON.stringify({ invoiceId: 'inv_1', note: 'x'.repeat(2000) });

function headers(encoding?: string) {
  const seconds = Math.floor(NOW / 1000);
  return {
    'webhook-id': 'msg_1',
    'webhook-timestamp': String(seconds),
    'webhook-signature': signWebhook(SECRET, 'msg_1', seconds, BODY),
    ...(encoding !== undefined && { 'content-encoding': encoding }),
  };
}

describe('verifyWebhook with compressed bodies', () => {
  it('verifies the raw bytes of a gzip, br or deflate body by what they decode to', () => {
    const raw = {
      gzip: zlib.gzipSync(BODY),
      br: zlib.brotliCompressSync(BODY),
      deflate: zlib.deflateSync(BODY),
    };
    for (const [encoding, bytes] of Object.entries(raw))
      expect(verifyWebhook(SECRET, headers(encoding), bytes, { now: NOW })).toEqual(JSON.parse(BODY));
    // Fetch API headers are read the same way.
    expect(verifyWebhook(SECRET, new Headers(headers('GZIP')), raw.gzip, { now: NOW })).toEqual(
      JSON.parse(BODY),
    );
  });

  it('verifies a body already decoded, whether or not the header is still there', () => {
    expect(verifyWebhook(SECRET, headers('gzip'), BODY, { now: NOW })).toEqual(JSON.parse(BODY));
    expect(verifyWebhook(SECRET, headers('br'), Buffer.from(BODY), { now: NOW })).toEqual(JSON.parse(BODY));
  });

  it('still refuses a body that matches no signature, compressed or not', () => {
    const tampered = zlib.gzipSync(BODY.replace('inv_1', 'inv_2'));
    expect(() => verifyWebhook(SECRET, headers('gzip'), tampered, { now: NOW })).toThrow(
      WebhookVerificationError,
    );
    // Compressed bytes without their Content-Encoding are not guessed at.
    expect(() => verifyWebhook(SECRET, headers(), zlib.gzipSync(BODY), { now: NOW })).toThrow(
      'no matching signature',
    );
    expect(() => verifyWebhook(SECRET, headers('zstd'), zlib.gzipSync(BODY), { now: NOW })).toThrow(
      'no matching signature',
    );
  });
});
