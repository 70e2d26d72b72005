/**
 * Privacy controls end to end, on SQLite and PostgreSQL: payload retention per message and per application
 * (applied by the retention pruner, run here directly), an application that keeps no response bodies, and
 * redaction rules: stored attempt bodies and what an application key sees are redacted, the endpoint still
 * receives the real payload, and an admin key sees the stored message as it was sent.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { expectValidationShape } from './support.js';
import { retentionPruner } from '../../src/services/retention-pruner.js';
import { HERALD_STORES, heraldSuite, startTestHerald } from '../helpers/herald.js';
import { startReceiver } from '../helpers/receiver.js';

const HOUR = 3_600_000;
const PAYLOAD = {
  customer: { email: 'ada@example.com', name: 'Ada' },
  card_number: '4242',
  items: [{ card_number: '1' }],
};

describe.each(HERALD_STORES)('privacy on $dialect', (store) => {
  const suite = heraldSuite(store);
  let n = 0;

  async function app(privacy?: Record<string, unknown>): Promise<string> {
    const uid = `privacy-${++n}`;
    expect((await suite.h.call('POST', '/app', { name: uid, uid })).status).toBe(201);
    if (privacy) {
      const set = await suite.h.call('PUT', `/app/${uid}/privacy`, privacy);
      expect(set.status, JSON.stringify(set.body)).toBe(200);
    }
    return uid;
  }

  async function send(uid: string, extra: Record<string, unknown> = {}): Promise<string> {
    const sent = await suite.h.call('POST', `/app/${uid}/msg`, {
      eventType: 'p.t',
      payload: PAYLOAD,
      ...extra,
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    return sent.body.id as string;
  }

  async function attempts(uid: string, msgId: string, count = 1) {
    for (let i = 0; i < 200; i++) {
      const listed = await suite.h.call('GET', `/app/${uid}/attempt/msg/${msgId}`);
      if (listed.body.data.length >= count) return listed.body.data;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`no attempts for ${msgId}`);
  }

  const prune = (now: number) => retentionPruner(suite.h.herald.store, pino({ level: 'silent' }), 0).run(now);

  it.skipIf(store.skip)('removes a delivered payload after its own retention, hours or days', async () => {
    const uid = await app();
    await suite.receiverEndpoint(uid, { conversion: 'xml' });
    const hours = await send(uid, { payloadRetentionHours: 2 });
    const days = await send(uid, { payloadRetentionPeriod: 1 });
    const server = await send(uid);
    for (const id of [hours, days, server]) await attempts(uid, id);
    // The converted body sent is stored with the attempt until the payload goes.
    expect(
      (await suite.h.call('GET', `/app/${uid}/msg/${hours}/attempt/${(await attempts(uid, hours))[0].id}`))
        .body.requestBody,
    ).toContain('<');

    await prune(Date.now() + HOUR);
    expect((await suite.h.call('GET', `/app/${uid}/msg/${hours}`)).body.payload).toEqual(PAYLOAD);
    await prune(Date.now() + 3 * HOUR);
    expect((await suite.h.call('GET', `/app/${uid}/msg/${hours}`)).body.payload).toEqual({ expired: true });
    const [attempt] = await attempts(uid, hours);
    const detail = await suite.h.call('GET', `/app/${uid}/msg/${hours}/attempt/${attempt.id}`);
    expect(detail.body.requestBody).toBeNull();
    expect((await suite.h.call('GET', `/app/${uid}/msg/${days}`)).body.payload).toEqual(PAYLOAD);

    await prune(Date.now() + 25 * HOUR);
    expect((await suite.h.call('GET', `/app/${uid}/msg/${days}`)).body.payload).toEqual({ expired: true });
    // A message without a retention of its own keeps its payload for the server's retention.
    expect((await suite.h.call('GET', `/app/${uid}/msg/${server}`)).body.payload).toEqual(PAYLOAD);
  });

  it.skipIf(store.skip)("applies the application's default, and waits for a pending delivery", async () => {
    const uid = await app({ payloadRetentionHours: 1 });
    const { receiver } = await suite.receiverEndpoint(uid, {});
    receiver.answer(() => ({ status: 500 }));
    const msgId = await send(uid);
    await attempts(uid, msgId);
    // Its delivery waits for a retry: the payload stays, since the retry must send it.
    await prune(Date.now() + 2 * HOUR);
    expect((await suite.h.call('GET', `/app/${uid}/msg/${msgId}`)).body.payload).toEqual(PAYLOAD);
    const [endpoint] = (await suite.h.call('GET', `/app/${uid}/endpoint`)).body.data;
    receiver.answer(() => ({ status: 200 }));
    expect(
      (await suite.h.call('POST', `/app/${uid}/msg/${msgId}/endpoint/${endpoint.id}/resend`)).status,
    ).toBe(202);
    await attempts(uid, msgId, 2);
    for (let i = 0; i < 100; i++) {
      const state = await suite.h.call('GET', `/app/${uid}/msg/${msgId}/endpoint`);
      if (state.body.data[0].statusText === 'success') break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await prune(Date.now() + 2 * HOUR);
    expect((await suite.h.call('GET', `/app/${uid}/msg/${msgId}`)).body.payload).toEqual({ expired: true });
  });

  it.skipIf(store.skip)('keeps no response bodies for an application that says so', async () => {
    const uid = await app({ storeResponseBodies: false });
    const { receiver } = await suite.receiverEndpoint(uid, {});
    receiver.answer(() => ({ status: 200, body: '{"echo": "ada@example.com"}' }));
    const msgId = await send(uid);
    const [attempt] = await attempts(uid, msgId);
    expect(attempt).toMatchObject({ responseStatusCode: 200, response: 'EXPUNGED' });
  });

  it.skipIf(store.skip)(
    'redacts stored bodies and what an application key sees, not what is sent',
    async () => {
      const uid = await app({ redactionRules: ['payload.customer.email', '*.card_number'] });
      const { receiver } = await suite.receiverEndpoint(uid, {});
      receiver.answer(() => ({
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ok: true, card_number: '4242' }),
      }));
      const msgId = await send(uid);
      const [received] = await receiver.waitFor(1);
      expect(JSON.parse(received!.body)).toEqual(PAYLOAD);

      const [attempt] = await attempts(uid, msgId);
      expect(JSON.parse(attempt.response)).toEqual({ ok: true, card_number: '[redacted]' });
      // The admin key sees the message as sent.
      expect((await suite.h.call('GET', `/app/${uid}/msg/${msgId}`)).body.payload).toEqual(PAYLOAD);

      const key = await suite.h.call('POST', '/api-key', { name: 'tenant', appId: uid });
      expect(key.status).toBe(201);
      const asApp = async (path: string) => {
        const response = await fetch(`${suite.h.url}/api/v1${path}`, {
          headers: { authorization: `Bearer ${key.body.token}` },
        });
        return (await response.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      };
      const redacted = {
        customer: { email: '[redacted]', name: 'Ada' },
        card_number: '[redacted]',
        items: [{ card_number: '[redacted]' }],
      };
      expect((await asApp(`/app/${uid}/msg/${msgId}`)).payload).toEqual(redacted);
      expect((await asApp(`/app/${uid}/msg`)).data[0].payload).toEqual(redacted);
      const settings = await asApp(`/app/${uid}/privacy`);
      expect(settings).toMatchObject({
        redactionRules: ['payload.customer.email', '*.card_number'],
        effectiveRedactionRules: ['payload.customer.email', '*.card_number'],
        storeResponseBodies: true,
        payloadRetentionHours: null,
      });
    },
  );

  it.skipIf(store.skip)('refuses a bad rule with a 422 that names it', async () => {
    const uid = await app();
    const bad = await suite.h.call('PUT', `/app/${uid}/privacy`, {
      redactionRules: ['payload.customer.email', 'customer..email'],
    });
    expect(bad.status).toBe(422);
    expect(expectValidationShape(bad.body).text).toContain('body.redactionRules[1] "customer..email"');
    const retention = await suite.h.call('PUT', `/app/${uid}/privacy`, { payloadRetentionHours: 0 });
    expect(retention.status).toBe(422);
  });
});

describe('the platform default rules', () => {
  it('apply to an application that sets none, and [] turns them off', async () => {
    const h = await startTestHerald({ HERALD_REDACTION_RULES: '*.email' });
    const receiver = await startReceiver();
    try {
      receiver.answer(() => ({ status: 200, body: '{"email": "ada@example.com"}' }));
      for (const uid of ['default-rules', 'no-rules']) {
        await h.call('POST', '/app', { name: uid, uid });
        await h.call('POST', `/app/${uid}/endpoint`, { url: receiver.url });
      }
      expect((await h.call('PUT', '/app/no-rules/privacy', { redactionRules: [] })).status).toBe(200);
      expect((await h.call('GET', '/app/default-rules/privacy')).body).toMatchObject({
        redactionRules: null,
        effectiveRedactionRules: ['*.email'],
      });
      const responses: Record<string, string> = {};
      for (const uid of ['default-rules', 'no-rules']) {
        const sent = await h.call('POST', `/app/${uid}/msg`, { eventType: 'p.t', payload: { email: 'a' } });
        for (let i = 0; i < 200 && responses[uid] === undefined; i++) {
          const listed = await h.call('GET', `/app/${uid}/attempt/msg/${sent.body.id}`);
          responses[uid] = listed.body.data[0]?.response;
          if (responses[uid] === undefined) await new Promise((resolve) => setTimeout(resolve, 25));
        }
      }
      expect(JSON.parse(responses['default-rules']!)).toEqual({ email: '[redacted]' });
      expect(JSON.parse(responses['no-rules']!)).toEqual({ email: 'ada@example.com' });
    } finally {
      await receiver.close();
      await h.close();
    }
  });
});
