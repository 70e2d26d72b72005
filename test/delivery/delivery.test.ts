import { Webhook } from 'standardwebhooks';
import { Svix, Webhook as SvixWebhook } from 'svix';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { errorBodyText } from '../../src/api/problems.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('delivery end to end', () => {
  let h: RunningHerald;
  let receiver: Receiver;
  let appCount = 0;

  beforeAll(async () => {
    h = await startTestHerald();
  });
  afterAll(async () => h.close());
  afterEach(async () => receiver?.close());

  async function appWithEndpoint(endpoint: Record<string, unknown> = {}) {
    receiver = await startReceiver();
    const uid = `app-${++appCount}`;
    expect((await h.call('POST', '/app', { name: uid, uid })).status).toBe(201);
    const created = await h.call('POST', `/app/${uid}/endpoint`, {
      url: `${receiver.url}/hook`,
      ...endpoint,
    });
    expect(created.status).toBe(201);
    return { uid, endpointId: created.body.id as string };
  }

  it('delivers a message with a Standard Webhooks signature the standardwebhooks package accepts', async () => {
    const { uid } = await appWithEndpoint({ secret: SECRET });
    const sent = await h.call('POST', `/app/${uid}/msg`, {
      eventType: 'invoice.paid',
      payload: { amount: 42, note: 'ünï' },
    });
    expect(sent.status).toBe(202);
    const [request] = await receiver.waitFor(1);
    expect(request!.path).toBe('/hook');
    expect(request!.headers['webhook-id']).toBe(sent.body.id);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['user-agent']).toMatch(/^Herald/);
    const verified = new Webhook(SECRET).verify(request!.body, request!.headers as Record<string, string>);
    expect(verified).toEqual({ amount: 42, note: 'ünï' });
  });

  it('delivers a message created with the official svix SDK, verifiable with its Webhook class', async () => {
    const { uid, endpointId } = await appWithEndpoint();
    const svix = new Svix(h.token, { serverUrl: h.url });
    const message = await svix.message.create(uid, { eventType: 'sdk.sent', payload: { from: 'sdk' } });
    const [request] = await receiver.waitFor(1);
    expect(request!.headers['webhook-id']).toBe(message.id);
    const secret = await svix.endpoint.getSecret(uid, endpointId);
    const svixHeaders = {
      'svix-id': request!.headers['webhook-id'] as string,
      'svix-timestamp': request!.headers['webhook-timestamp'] as string,
      'svix-signature': request!.headers['webhook-signature'] as string,
    };
    expect(new SvixWebhook(secret.key).verify(request!.body, svixHeaders)).toEqual({ from: 'sdk' });
    // The SDK reads the attempt log too, once the group commit has written it.
    let attempts = await svix.messageAttempt.listByMsg(uid, message.id);
    for (let i = 0; i < 50 && attempts.data.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      attempts = await svix.messageAttempt.listByMsg(uid, message.id);
    }
    expect(attempts.data).toHaveLength(1);
    expect(attempts.data[0]).toMatchObject({ msgId: message.id, endpointId, responseStatusCode: 200 });
  });

  it('records every attempt and shows it through the attempt routes', async () => {
    const { uid, endpointId } = await appWithEndpoint();
    receiver.answer(() => ({ status: 200, body: 'thanks', headers: { 'x-receipt': 'r1' } }));
    const sent = await h.call('POST', `/app/${uid}/msg`, { eventType: 'user.created', payload: { id: 1 } });
    await receiver.waitFor(1);
    let attempts;
    for (let i = 0; i < 50; i++) {
      attempts = await h.call('GET', `/app/${uid}/attempt/msg/${sent.body.id}`);
      if (attempts.body.data.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const [attempt] = attempts!.body.data;
    expect(attempt).toMatchObject({
      msgId: sent.body.id,
      endpointId,
      responseStatusCode: 200,
      response: 'thanks',
      status: 0,
      statusText: 'success',
      triggerType: 0,
    });
    const detail = await h.call('GET', `/app/${uid}/msg/${sent.body.id}/attempt/${attempt.id}`);
    expect(detail.body.responseHeaders['x-receipt']).toBe('r1');
    expect(detail.body.requestHeaders['webhook-id']).toBe(sent.body.id);
    const destinations = await h.call('GET', `/app/${uid}/msg/${sent.body.id}/endpoint`);
    expect(destinations.body.data[0]).toMatchObject({
      id: endpointId,
      statusText: 'success',
      nextAttempt: null,
    });
  });

  it('routes by event type and channel, and skips disabled endpoints', async () => {
    const { uid } = await appWithEndpoint();
    await h.call('POST', '/event-type', { name: 'order.shipped', description: 'shipped' });
    const typed = await startReceiver();
    const channelled = await startReceiver();
    const disabled = await startReceiver();
    try {
      await h.call('POST', `/app/${uid}/endpoint`, { url: typed.url, eventTypes: ['order.shipped'] });
      await h.call('POST', `/app/${uid}/endpoint`, { url: channelled.url, channels: ['eu'] });
      await h.call('POST', `/app/${uid}/endpoint`, { url: disabled.url, disabled: true });
      await h.call('POST', `/app/${uid}/msg`, { eventType: 'order.created', payload: { n: 1 } });
      await h.call('POST', `/app/${uid}/msg`, {
        eventType: 'order.shipped',
        payload: { n: 2 },
        channels: ['eu'],
      });
      // The unfiltered endpoint gets both; the others only what matches.
      await receiver.waitFor(2);
      await typed.waitFor(1);
      await channelled.waitFor(1);
      expect(JSON.parse(typed.received[0]!.body)).toEqual({ n: 2 });
      expect(JSON.parse(channelled.received[0]!.body)).toEqual({ n: 2 });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(typed.received).toHaveLength(1);
      expect(channelled.received).toHaveLength(1);
      expect(disabled.received).toHaveLength(0);
    } finally {
      await Promise.all([typed.close(), channelled.close(), disabled.close()]);
    }
  });

  it('accepts a repeated eventId once and delivers it once', async () => {
    const { uid } = await appWithEndpoint();
    const first = await h.call('POST', `/app/${uid}/msg`, {
      eventType: 'a.b',
      eventId: 'evt-1',
      payload: { v: 1 },
    });
    const second = await h.call('POST', `/app/${uid}/msg`, {
      eventType: 'a.b',
      eventId: 'evt-1',
      payload: { v: 2 },
    });
    // As in Svix: a conflict that names the message already sent.
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('conflict');
    expect(second.body.detail).toContain(first.body.id);
    await receiver.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.received).toHaveLength(1);
  });

  it('replays a repeated Idempotency-Key with the original message and delivers once', async () => {
    const { uid } = await appWithEndpoint();
    const post = () =>
      fetch(`${h.url}/api/v1/app/${uid}/msg`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${h.token}`,
          'content-type': 'application/json',
          'idempotency-key': 'k-1',
        },
        body: JSON.stringify({ eventType: 'a.b', payload: { once: true } }),
      });
    const first = await post();
    const second = await post();
    expect(second.status).toBe(202);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const ids = [first, second].map(async (response) => ((await response.json()) as { id: string }).id);
    const [firstId, secondId] = await Promise.all(ids);
    expect(secondId).toBe(firstId);
    await receiver.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.received).toHaveLength(1);
    const listed = await h.call('GET', `/app/${uid}/msg`);
    expect(listed.body.data).toHaveLength(1);
  });

  it("validates the payload against the event type's schema", async () => {
    const { uid } = await appWithEndpoint();
    await h.call('POST', '/event-type', {
      name: 'invoice.created',
      description: 'created',
      schemas: { '1': { type: 'object', properties: { amount: { type: 'integer' } }, required: ['amount'] } },
    });
    const bad = await h.call('POST', `/app/${uid}/msg`, {
      eventType: 'invoice.created',
      payload: { amount: 'ten' },
    });
    expect(bad.status).toBe(422);
    expect(errorBodyText(bad.body)).toContain('amount');
    const good = await h.call('POST', `/app/${uid}/msg`, {
      eventType: 'invoice.created',
      payload: { amount: 10 },
    });
    expect(good.status).toBe(202);
  });

  it('creates the application inline when the message asks for it', async () => {
    receiver = await startReceiver();
    const missing = await h.call('POST', '/app/inline-app/msg', { eventType: 'a.b', payload: {} });
    expect(missing.status).toBe(404);
    const sent = await h.call('POST', '/app/inline-app/msg', {
      eventType: 'a.b',
      payload: {},
      application: { name: 'Inline', uid: 'inline-app' },
    });
    expect(sent.status).toBe(202);
    const app = await h.call('GET', '/app/inline-app');
    expect(app.body).toMatchObject({ name: 'Inline', uid: 'inline-app' });
  });
});
