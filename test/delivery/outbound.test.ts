/** The outbound side of a delivery against real sockets: SSRF blocks of the endpoint and of a token URL are audited. */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Outbound } from '../../src/delivery/outbound.js';
import { Sender } from '../../src/delivery/sender.js';
import { parseCidrList } from '../../src/util/cidr.js';
import { newId } from '../../src/util/ids.js';
import { sqliteStore, type StoreFixture } from '../helpers/env.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';

describe('outbound security', () => {
  let fixture: StoreFixture;
  let receiver: Receiver;
  let guarded: Sender;
  let open: Sender;
  beforeAll(async () => {
    fixture = await sqliteStore();
    receiver = await startReceiver();
    guarded = new Sender({ ssrfAllow: [] });
    open = new Sender({ ssrfAllow: parseCidrList('127.0.0.1/32') });
  });
  afterAll(async () => {
    await guarded.close();
    await open.close();
    await receiver.close();
    await fixture.close();
  });

  const target = (overrides: Partial<Parameters<Outbound['send']>[0]> = {}) => ({
    id: newId('endpoint'),
    appId: newId('application'),
    url: receiver.url,
    timeoutMs: 2000,
    auth: null,
    allowedDestinations: null,
    ...overrides,
  });
  const message = {
    msgId: 'msg_1',
    eventType: 'user.created',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  };

  it('records an SSRF block in the audit log once a minute per endpoint, never connecting', async () => {
    const outbound = new Outbound(fixture.store, guarded, pino({ level: 'silent' }));
    const blocked = target({ url: receiver.url.replace('127.0.0.1', 'localhost') });
    for (let i = 0; i < 3; i++) {
      const { outcome } = await outbound.send(blocked, message);
      expect(outcome).toMatchObject({ kind: 'error', errorClass: 'ssrf_blocked' });
    }
    expect(receiver.received).toHaveLength(0);
    const records = (
      await fixture.store.auditList({ targetId: blocked.id }, { limit: 10, order: 'ascending' })
    ).data;
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      actor: 'system',
      action: 'delivery.ssrf_blocked',
      appId: blocked.appId,
      after: { url: blocked.url, msgId: 'msg_1', detail: expect.stringMatching(/localhost is blocked/) },
    });
  });

  it('sends a token request through the SSRF guard too', async () => {
    const outbound = new Outbound(fixture.store, guarded, pino({ level: 'silent' }));
    const withToken = target({
      url: 'https://example.com/hook',
      auth: {
        type: 'oauth2',
        tokenUrl: `${receiver.url}/token`,
        clientId: 'c',
        clientSecret: 's',
        clientAuth: 'basic',
      },
    });
    const { outcome } = await outbound.send(withToken, message);
    expect(outcome).toMatchObject({ kind: 'error', errorClass: 'ssrf_blocked' });
    if (outcome.kind === 'error') expect(outcome.detail).toMatch(/^the token URL: 127\.0\.0\.1 is blocked/);
    expect(receiver.received).toHaveLength(0);
    const records = (
      await fixture.store.auditList({ targetId: withToken.id }, { limit: 10, order: 'ascending' })
    ).data;
    expect(records.map((record) => record.action)).toEqual(['delivery.ssrf_blocked']);
  });

  it('adds the credentials to the request, and reports the headers sent', async () => {
    const outbound = new Outbound(fixture.store, open, pino({ level: 'silent' }));
    const { outcome, headers } = await outbound.send(
      target({ auth: { type: 'basic', username: 'a', password: 'b' } }),
      message,
    );
    expect(outcome).toMatchObject({ kind: 'response', status: 200 });
    expect(headers).toEqual({
      ...message.headers,
      authorization: `Basic ${Buffer.from('a:b').toString('base64')}`,
    });
    expect(receiver.received.at(-1)!.headers.authorization).toBe(headers.authorization);
  });
});
