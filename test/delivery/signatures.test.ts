/**
 * Signatures end to end: a receiver verifies every delivery with the standard libraries before, during and
 * after rotations of both the HMAC secret and the Ed25519 key, with zero failed verifications.
 */
import { Webhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../src/verify.js';
import { startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { startReceiver, type Receiver, type Received } from '../helpers/receiver.js';

describe('signatures and rotation end to end', () => {
  let h: RunningHerald;
  let receiver: Receiver;
  beforeAll(async () => {
    h = await startTestHerald();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  const headersOf = (request: Received) => request.headers as Record<string, string>;
  const acceptsHmac = (secret: string, request: Received) => {
    const standard = new Webhook(secret).verify(request.body, headersOf(request));
    const svix = new SvixWebhook(secret).verify(request.body, {
      'svix-id': headersOf(request)['webhook-id']!,
      'svix-timestamp': headersOf(request)['webhook-timestamp']!,
      'svix-signature': headersOf(request)['webhook-signature']!,
    });
    expect(svix).toEqual(standard);
    return standard;
  };
  const kinds = (request: Received) => {
    const header = headersOf(request)['webhook-signature']!;
    return header.split(' ').map((part) => part.split(',')[0]);
  };

  it('keeps every delivery verifiable through HMAC and Ed25519 rotations', async () => {
    await h.call('POST', '/app', { name: 'rotating', uid: 'rotating' });
    const created = await h.call('POST', '/app/rotating/endpoint', {
      url: receiver.url,
      signatureVersions: ['v1', 'v1a'],
    });
    expect(created.status).toBe(201);
    expect(created.body.signatureVersions).toEqual(['v1', 'v1a']);
    const ep = `/app/rotating/endpoint/${created.body.id}`;
    const oldSecret = (await h.call('GET', `${ep}/secret`)).body.key as string;
    const oldPublic = (await h.call('GET', `${ep}/public-key`)).body;
    expect(oldPublic).toEqual({ key: expect.stringMatching(/^whpk_/), previousKeys: [] });

    const send = async (n: number, count: number) => {
      expect((await h.call('POST', '/app/rotating/msg', { eventType: 'tick', payload: { n } })).status).toBe(
        202,
      );
      return (await receiver.waitFor(count))[count - 1]!;
    };

    const before = await send(1, 1);
    expect(kinds(before)).toEqual(['v1', 'v1a']);
    expect(acceptsHmac(oldSecret, before)).toEqual({ n: 1 });
    expect(verifyWebhook(oldPublic.key, headersOf(before), before.body)).toEqual({ n: 1 });

    expect((await h.call('POST', `${ep}/secret/rotate`, { gracePeriodSeconds: 3600 })).status).toBe(204);
    expect((await h.call('POST', `${ep}/public-key/rotate`, { gracePeriodSeconds: 3600 })).status).toBe(204);
    const newSecret = (await h.call('GET', `${ep}/secret`)).body.key as string;
    const newPublic = (await h.call('GET', `${ep}/public-key`)).body;
    expect(newSecret).not.toBe(oldSecret);
    expect(newPublic.key).not.toBe(oldPublic.key);
    expect(newPublic.previousKeys).toEqual([{ key: oldPublic.key, expiresAt: expect.any(String) }]);

    // During the grace period every request carries both generations, so either key verifies it.
    const during = await send(2, 2);
    expect(kinds(during)).toEqual(['v1', 'v1', 'v1a', 'v1a']);
    expect(acceptsHmac(oldSecret, during)).toEqual({ n: 2 });
    expect(acceptsHmac(newSecret, during)).toEqual({ n: 2 });
    expect(verifyWebhook(oldPublic.key, headersOf(during), during.body)).toEqual({ n: 2 });
    expect(verifyWebhook(newPublic.key, headersOf(during), during.body)).toEqual({ n: 2 });

    // A rotation without grace drops the key it replaces at once; a key still in its own grace period stays.
    expect((await h.call('POST', `${ep}/secret/rotate`, { gracePeriodSeconds: 0 })).status).toBe(204);
    expect((await h.call('POST', `${ep}/public-key/rotate`, { gracePeriodSeconds: 0 })).status).toBe(204);
    const latestSecret = (await h.call('GET', `${ep}/secret`)).body.key as string;
    const latestPublic = (await h.call('GET', `${ep}/public-key`)).body;
    expect(latestPublic.previousKeys.map((entry: { key: string }) => entry.key)).toEqual([oldPublic.key]);
    const after = await send(3, 3);
    expect(kinds(after)).toEqual(['v1', 'v1', 'v1a', 'v1a']);
    expect(acceptsHmac(latestSecret, after)).toEqual({ n: 3 });
    expect(verifyWebhook(latestPublic.key, headersOf(after), after.body)).toEqual({ n: 3 });
    expect(() => new Webhook(newSecret).verify(after.body, headersOf(after))).toThrow();
    expect(() => verifyWebhook(newPublic.key, headersOf(after), after.body)).toThrow(/no matching/);

    // Ed25519 only: no HMAC signature is sent, and the public key still verifies.
    const switched = await h.call('PATCH', ep, { signatureVersions: ['v1a'] });
    expect(switched.body.signatureVersions).toEqual(['v1a']);
    const edOnly = await send(4, 4);
    expect(kinds(edOnly)).toEqual(['v1a', 'v1a']);
    expect(verifyWebhook(latestPublic.key, headersOf(edOnly), edOnly.body)).toEqual({ n: 4 });
    expect(() => new Webhook(latestSecret).verify(edOnly.body, headersOf(edOnly))).toThrow();

    const audit = await h.call('GET', `/audit-log?target_id=${created.body.id}&order=ascending`);
    expect(audit.body.data.map((record: { action: string }) => record.action)).toEqual([
      'endpoint.created',
      'endpoint.secret.revealed',
      'endpoint.secret.rotated',
      'endpoint.signing_key.rotated',
      'endpoint.secret.revealed',
      'endpoint.secret.rotated',
      'endpoint.signing_key.rotated',
      'endpoint.secret.revealed',
      'endpoint.signature_versions.changed',
    ]);
  });
});
