/**
 * The published verification helper (`herald/verify`) against the Standard Webhooks reference library: the same
 * signatures byte for byte, the same verdicts, and Herald's Ed25519 (`v1a`) signatures checked with a public key.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, publicKeyOf, signV1a } from '../../src/signing/ed25519.js';
import { generateSecret } from '../../src/signing/secrets.js';
import { signatureHeader, signV1 } from '../../src/signing/signature.js';
import type * as verifyModule from '../../src/verify.js';
import {
  signWebhook,
  verifyWebhook,
  verifyWebhookBody,
  verifyWebhookJson,
  WebhookVerificationError,
} from '../../src/verify.js';

const BODIES = [
  '{}',
  '{"type":"invoice.paid","data":{"id":"inv_1","amount":4200}}',
  JSON.stringify({ text: 'Café Münster — “quotes” 日本語 🎉 \u0000 \n\t' }),
  '',
  'x'.repeat(100_000),
];

function headersFor(id: string, seconds: number, signature: string) {
  return { 'webhook-id': id, 'webhook-timestamp': String(seconds), 'webhook-signature': signature };
}

describe('herald/verify', () => {
  it('signs byte for byte as the standardwebhooks package does, and as the delivery worker does', () => {
    for (let i = 0; i < 50; i++) {
      const secret = i % 2 === 0 ? generateSecret() : `whsec_${randomBytes(32 + i).toString('base64')}`;
      const reference = new Webhook(secret);
      const id = `msg_${randomBytes(8).toString('hex')}`;
      const seconds = 1_700_000_000 + i * 7919;
      for (const body of BODIES) {
        const expected = reference.sign(id, new Date(seconds * 1000), body);
        expect(signWebhook(secret, id, seconds, body)).toBe(expected);
        expect(signWebhook(secret, id, new Date(seconds * 1000), body)).toBe(expected);
        expect(signV1(secret, id, seconds, body)).toBe(expected);
      }
    }
  });

  it('reaches the same verdict as the standardwebhooks package on valid and tampered requests', () => {
    const secret = generateSecret();
    const other = generateSecret();
    const now = Math.floor(Date.now() / 1000);
    const body = BODIES[1]!;
    const good = signV1(secret, 'msg_1', now, body);
    const cases: Array<{ name: string; headers: Record<string, string>; body: string; valid: boolean }> = [
      { name: 'valid', headers: headersFor('msg_1', now, good), body, valid: true },
      {
        name: 'valid among others',
        headers: headersFor('msg_1', now, `v1,${Buffer.alloc(32).toString('base64')} ${good} v1a,abc`),
        body,
        valid: true,
      },
      {
        name: 'other secret',
        headers: headersFor('msg_1', now, signV1(other, 'msg_1', now, body)),
        body,
        valid: false,
      },
      {
        name: 'tampered body',
        headers: headersFor('msg_1', now, good),
        body: body.replace('4200', '4201'),
        valid: false,
      },
      { name: 'other id', headers: headersFor('msg_2', now, good), body, valid: false },
      {
        name: 'wrong version',
        headers: headersFor('msg_1', now, good.replace('v1,', 'v2,')),
        body,
        valid: false,
      },
      {
        name: 'too old',
        headers: headersFor('msg_1', now - 301, signV1(secret, 'msg_1', now - 301, body)),
        body,
        valid: false,
      },
      {
        name: 'too new',
        headers: headersFor('msg_1', now + 301, signV1(secret, 'msg_1', now + 301, body)),
        body,
        valid: false,
      },
      {
        name: 'just inside',
        headers: headersFor('msg_1', now - 290, signV1(secret, 'msg_1', now - 290, body)),
        body,
        valid: true,
      },
      {
        name: 'no signature',
        headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': String(now) },
        body,
        valid: false,
      },
    ];
    const reference = new Webhook(secret);
    for (const c of cases) {
      const theirs = (() => {
        try {
          reference.verify(c.body, c.headers);
          return true;
        } catch {
          return false;
        }
      })();
      const ours = (() => {
        try {
          verifyWebhook(secret, c.headers, c.body);
          return true;
        } catch (error) {
          expect(error).toBeInstanceOf(WebhookVerificationError);
          return false;
        }
      })();
      expect({ name: c.name, ours, theirs }).toEqual({ name: c.name, ours: c.valid, theirs: c.valid });
    }
  });

  it('rejects timestamps more than 5 minutes from now, either way, and honours a tolerance', () => {
    const secret = generateSecret();
    const now = Date.now();
    const at = (offset: number) => {
      const seconds = Math.floor(now / 1000) + offset;
      return headersFor('msg_t', seconds, signV1(secret, 'msg_t', seconds, '{}'));
    };
    expect(verifyWebhook(secret, at(-300), '{}', { now })).toEqual({});
    expect(verifyWebhook(secret, at(300), '{}', { now })).toEqual({});
    expect(() => verifyWebhook(secret, at(-301), '{}', { now })).toThrow(/too old/);
    expect(() => verifyWebhook(secret, at(301), '{}', { now })).toThrow(/too new/);
    expect(() => verifyWebhook(secret, at(-60), '{}', { now, toleranceSeconds: 30 })).toThrow(/too old/);
    expect(() => verifyWebhook(secret, { ...at(0), 'webhook-timestamp': 'soon' }, '{}', { now })).toThrow(
      /timestamp/,
    );
  });

  it('reads header names in any case, Fetch API Headers, svix-* names, and Buffer bodies', () => {
    const secret = generateSecret();
    const seconds = Math.floor(Date.now() / 1000);
    const signature = signV1(secret, 'msg_h', seconds, '{"a":1}');
    expect(
      verifyWebhook(
        secret,
        { 'Webhook-Id': 'msg_h', 'WEBHOOK-TIMESTAMP': String(seconds), 'webhook-signature': signature },
        '{"a":1}',
      ),
    ).toEqual({ a: 1 });
    const fetchHeaders = new Headers(headersFor('msg_h', seconds, signature));
    expect(verifyWebhook(secret, fetchHeaders, Buffer.from('{"a":1}'))).toEqual({ a: 1 });
    const svix = { 'svix-id': 'msg_h', 'svix-timestamp': String(seconds), 'svix-signature': signature };
    expect(verifyWebhook(secret, svix, '{"a":1}')).toEqual({ a: 1 });
  });

  it('checks v1a (Ed25519) signatures with the whpk_ public key, and never with the wrong one', () => {
    const key = generateSigningKey();
    const publicKey = publicKeyOf(key);
    expect(publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    const seconds = Math.floor(Date.now() / 1000);
    const body = BODIES[2]!;
    const signature = signV1a(key, 'msg_e', seconds, body);
    expect(signature).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    expect(verifyWebhook(publicKey, headersFor('msg_e', seconds, signature), body)).toEqual(JSON.parse(body));
    const stranger = publicKeyOf(generateSigningKey());
    expect(() => verifyWebhook(stranger, headersFor('msg_e', seconds, signature), body)).toThrow(
      /no matching/,
    );
    expect(() => verifyWebhook(publicKey, headersFor('msg_e', seconds, signature), `${body} `)).toThrow(
      /no matching/,
    );
    // A header with both kinds satisfies a receiver holding either key.
    const secret = generateSecret();
    const both = signatureHeader([secret, key], 'msg_e', seconds, body);
    expect(both.split(' ').map((part) => part.split(',')[0])).toEqual(['v1', 'v1a']);
    expect(verifyWebhook(secret, headersFor('msg_e', seconds, both), body)).toBeDefined();
    expect(verifyWebhook(publicKey, headersFor('msg_e', seconds, both), body)).toBeDefined();
    expect(verifyWebhook([stranger, publicKey], headersFor('msg_e', seconds, both), body)).toBeDefined();
    expect(new Webhook(secret).verify(body, headersFor('msg_e', seconds, both))).toBeDefined();
  });

  it('verifies XML, form, text and binary bodies and returns them unparsed', () => {
    const secret = generateSecret();
    const seconds = Math.floor(Date.now() / 1000);
    const bodies: Array<{ type: string; body: string | Buffer }> = [
      {
        type: 'application/xml',
        body: '<?xml version="1.0" encoding="UTF-8"?>\n<payload><a>1</a></payload>',
      },
      { type: 'application/x-www-form-urlencoded', body: 'a%5Bb%5D=1&c=d+e' },
      { type: 'text/plain', body: 'just text, not JSON' },
      { type: 'application/octet-stream', body: Buffer.from([0xff, 0x00, 0xfe, 0x80]) },
    ];
    for (const { type, body } of bodies) {
      const headers = {
        ...headersFor('msg_x', seconds, signWebhook(secret, 'msg_x', seconds, body)),
        'content-type': type,
      };
      const text = typeof body === 'string' ? body : body.toString('utf8');
      expect(verifyWebhookBody(secret, headers, body)).toBe(text);
      expect(verifyWebhookBody(secret, headers, typeof body === 'string' ? Buffer.from(body) : body)).toBe(
        text,
      );
      // The first API no longer throws a SyntaxError on a body that is not JSON: it returns the text.
      expect(verifyWebhook(secret, headers, body)).toBe(text);
      expect(() => verifyWebhookJson(secret, headers, body)).toThrow(SyntaxError);
    }
    // Raw bytes that are not UTF-8 verify as bytes, and the reference library agrees on the same text.
    const xml = '<payload><name>Café</name></payload>';
    const signature = signWebhook(secret, 'msg_y', seconds, xml);
    expect(new Webhook(secret).sign('msg_y', new Date(seconds * 1000), xml)).toBe(signature);
    expect(() =>
      verifyWebhookBody(secret, headersFor('msg_y', seconds, signature), Buffer.from(xml, 'latin1')),
    ).toThrow(/no matching signature/);
  });

  it('parses JSON only when asked, and names the reason of each failure', () => {
    const secret = generateSecret();
    const seconds = Math.floor(Date.now() / 1000);
    const body = '{"a":[1,2]}';
    const headers = headersFor('msg_j', seconds, signWebhook(secret, 'msg_j', seconds, body));
    expect(verifyWebhookJson<{ a: number[] }>(secret, headers, body).a).toEqual([1, 2]);
    expect(verifyWebhookBody(secret, headers, body)).toBe(body);
    expect(
      verifyWebhook(secret, { ...headers, 'content-type': 'application/cloudevents+json' }, body),
    ).toEqual({
      a: [1, 2],
    });
    const reasonOf = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return error instanceof WebhookVerificationError ? error.reason : String(error);
      }
      return 'verified';
    };
    expect(reasonOf(() => verifyWebhookBody(secret, { 'webhook-id': 'msg_j' }, body))).toBe('missing_header');
    expect(() => verifyWebhookBody(secret, { 'webhook-id': 'msg_j' }, body)).toThrow(
      'missing header webhook-timestamp, webhook-signature',
    );
    expect(reasonOf(() => verifyWebhookBody(secret, { ...headers, 'webhook-timestamp': 'x' }, body))).toBe(
      'invalid_timestamp',
    );
    expect(reasonOf(() => verifyWebhookBody(secret, headers, body, { now: Date.now() + 600_000 }))).toBe(
      'timestamp_too_old',
    );
    expect(reasonOf(() => verifyWebhookBody(secret, headers, body, { now: Date.now() - 600_000 }))).toBe(
      'timestamp_too_new',
    );
    expect(
      reasonOf(() =>
        verifyWebhookBody(secret, headers, body, { now: Date.now() + 600_000, toleranceSeconds: Infinity }),
      ),
    ).toBe('verified');
    expect(reasonOf(() => verifyWebhookBody(generateSecret(), headers, body))).toBe('no_matching_signature');
  });

  it('is published as the package export herald/verify', async () => {
    const pkg = (await import('../../package.json', { with: { type: 'json' } })).default as {
      exports: Record<string, { import: string; types: string } | string>;
    };
    expect(pkg.exports['./verify']).toEqual({ types: './dist/verify.d.ts', import: './dist/verify.js' });
    // The built module, by its published name (the test script builds dist/ first).
    const specifier = 'herald/verify';
    const published = (await import(specifier)) as typeof verifyModule;
    const secret = generateSecret();
    const seconds = Math.floor(Date.now() / 1000);
    const headers = headersFor(
      'msg_p',
      seconds,
      new Webhook(secret).sign('msg_p', new Date(seconds * 1000), '{}'),
    );
    expect(published.verifyWebhook(secret, headers, '{}')).toEqual({});
  });
});
