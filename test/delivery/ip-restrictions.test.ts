/**
 * IP restrictions and SSRF blocks: at the sender with literal IPv4, IPv6 and IPv4-mapped IPv6 forms and names
 * that resolve to several addresses, and end to end through the API, the worker and the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sender } from '../../src/delivery/sender.js';
import { parseCidrList } from '../../src/util/cidr.js';
import { startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { errorBodyText } from '../../src/api/problems.js';

describe('IP restrictions at the sender', () => {
  let receiver: Receiver;
  let sender: Sender;
  let port: string;
  beforeAll(async () => {
    receiver = await startReceiver();
    port = new URL(receiver.url).port;
    sender = new Sender({ ssrfAllow: parseCidrList('127.0.0.1/32') });
  });
  afterAll(async () => {
    await sender.close();
    await receiver.close();
  });

  const send = (host: string, restrict: string[]) =>
    sender.send({
      url: `http://${host}:${port}/`,
      headers: {},
      body: '{}',
      timeoutMs: 2000,
      restrict: restrict.map((list) => parseCidrList(list)),
    });

  it('lets through an address inside every list, in any literal form', async () => {
    for (const host of ['127.0.0.1', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', 'localhost'])
      expect(await send(host, ['127.0.0.0/8']), host).toMatchObject({ kind: 'response', status: 200 });
    // Both lists must allow it: the application's and the endpoint's.
    expect(await send('127.0.0.1', ['127.0.0.0/8', '127.0.0.1/32'])).toMatchObject({ kind: 'response' });
    // An IPv4-mapped list entry means the IPv4 address too.
    expect(await send('127.0.0.1', ['::ffff:127.0.0.1/128'])).toMatchObject({ kind: 'response' });
  });

  it('fails an address outside any list with ip_restricted, before connecting', async () => {
    const before = receiver.received.length;
    for (const host of ['127.0.0.1', '[::ffff:127.0.0.1]', 'localhost']) {
      const outcome = await send(host, ['10.0.0.0/8']);
      expect(outcome, host).toMatchObject({ kind: 'error', errorClass: 'ip_restricted' });
    }
    expect(await send('127.0.0.1', ['127.0.0.0/8', '10.0.0.0/8'])).toMatchObject({
      errorClass: 'ip_restricted',
    });
    expect(receiver.received.length).toBe(before);
  });

  it('keeps the SSRF guard first: a restriction never opens a blocked range', async () => {
    for (const host of ['[::1]', '127.0.0.2', '[::ffff:10.0.0.1]', '169.254.169.254', '[fe80::1]'])
      expect(await send(host, ['0.0.0.0/0', '::/0']), host).toMatchObject({ errorClass: 'ssrf_blocked' });
  });
});

describe('IP restrictions end to end', () => {
  let h: RunningHerald;
  let receiver: Receiver;
  beforeAll(async () => {
    h = await startTestHerald();
    receiver = await startReceiver();
    await h.call('POST', '/app', { name: 'restricted', uid: 'restricted' });
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  async function lastAttempt(endpointId: string) {
    for (let i = 0; i < 100; i++) {
      const list = (await h.call('GET', `/app/restricted/attempt/endpoint/${endpointId}`)).body.data;
      if (list.length > 0)
        return (await h.call('GET', `/app/restricted/msg/${list[0].msgId}/attempt/${list[0].id}`)).body;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('no attempt was recorded');
  }

  it('blocks a delivery outside the endpoint’s networks with ip_restricted, audits it, and delivers once allowed', async () => {
    const created = await h.call('POST', '/app/restricted/endpoint', {
      url: receiver.url,
      uid: 'ep-restricted',
    });
    const ep = `/app/restricted/endpoint/${created.body.id}`;
    const set = await h.call('PUT', `${ep}/ip-restrictions`, {
      allowedDestinationCidrs: ['10.0.0.0/8', '2001:db8::1'],
    });
    expect(set.body).toEqual({ allowedDestinationCidrs: ['10.0.0.0/8', '2001:db8::1/128'] });
    await h.call('POST', '/app/restricted/msg', { eventType: 'ip.test', payload: { n: 1 } });
    const attempt = await lastAttempt(created.body.id);
    expect(attempt).toMatchObject({ errorClass: 'ip_restricted', responseStatusCode: 0 });
    expect(attempt.errorDetail).toMatch(/outside the allowed destination networks/);
    expect(receiver.received).toHaveLength(0);
    const audit = await h.call('GET', '/audit-log?action=delivery.');
    expect(audit.body.data[0]).toMatchObject({
      actor: 'system',
      action: 'delivery.ip_restricted',
      targetType: 'endpoint',
      targetId: created.body.id,
      after: { url: created.body.url, detail: expect.stringMatching(/outside/) },
    });

    await h.call('PUT', `${ep}/ip-restrictions`, { allowedDestinationCidrs: ['127.0.0.0/8'] });
    await h.call('POST', '/app/restricted/msg', { eventType: 'ip.test', payload: { n: 2 } });
    const [delivered] = await receiver.waitFor(1);
    expect(JSON.parse(delivered!.body)).toEqual({ n: 2 });
    const changes = await h.call(
      'GET',
      `/audit-log?action=endpoint.ip_restrictions.changed&target_id=${created.body.id}`,
    );
    expect(changes.body.data[0]).toMatchObject({
      before: { allowedDestinationCidrs: ['10.0.0.0/8', '2001:db8::1/128'] },
      after: { allowedDestinationCidrs: ['127.0.0.0/8'] },
    });
    await h.call('PUT', `${ep}/ip-restrictions`, { allowedDestinationCidrs: null });
  });

  it('applies the application’s networks to all its endpoints', async () => {
    const created = await h.call('POST', '/app/restricted/endpoint', {
      url: receiver.url,
      uid: 'ep-app-rule',
    });
    const res = await h.call('PUT', '/app/restricted/ip-restrictions', {
      allowedDestinationCidrs: ['192.0.2.0/24'],
    });
    expect(res.status).toBe(200);
    expect((await h.call('GET', '/app/restricted/ip-restrictions')).body).toEqual({
      allowedDestinationCidrs: ['192.0.2.0/24'],
    });
    // Workers read an application's rules again within 5 seconds.
    await new Promise((resolve) => setTimeout(resolve, 5_100));
    const seen = receiver.received.length;
    await h.call('POST', '/app/restricted/msg', { eventType: 'ip.test', payload: { n: 3 } });
    const attempt = await lastAttempt(created.body.id);
    expect(attempt.errorClass).toBe('ip_restricted');
    expect(receiver.received.length).toBe(seen);
    await h.call('PUT', '/app/restricted/ip-restrictions', { allowedDestinationCidrs: null });
  });

  it('validates CIDRs', async () => {
    const res = await h.call('PUT', '/app/restricted/endpoint/ep-restricted/ip-restrictions', {
      allowedDestinationCidrs: ['127.0.0.1/32', '300.1.1.1/8'],
    });
    expect(res.status).toBe(422);
    expect(errorBodyText(res.body)).toMatch(/allowedDestinationCidrs\[1\] "300\.1\.1\.1\/8" is not a CIDR/);
  });
});
