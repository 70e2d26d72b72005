/**
 * Transformations at delivery time, end to end: a real Herald, the official `svix` SDK, and real receivers on
 * 127.0.0.1 that get the transformed request, signed over the bytes they receive.
 */
import { Svix, Webhook, type MessageAttemptOut } from 'svix';
import { describe, expect, it } from 'vitest';
import { HERALD_STORES, heraldSuite } from '../helpers/herald.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe.each(HERALD_STORES)('transformations at delivery ($dialect)', (store) => {
  const test = store.skip ? it.skip : it;
  const suite = heraldSuite(store, async (h) => {
    const created = await h.call('POST', '/event-type', { name: 'invoice.paid', description: 'Paid' });
    expect(created.status).toBe(201);
  });
  let count = 0;

  async function setup(code: string, settings: Record<string, unknown> = {}) {
    const app = `tr-dlv-${++count}`;
    const svix = new Svix(suite.h.token, { serverUrl: suite.h.url });
    await svix.application.create({ name: app, uid: app });
    const { receiver, endpointId } = await suite.receiverEndpoint(app, { secret: SECRET, ...settings });
    await svix.endpoint.transformationPartialUpdate(app, endpointId, { code, enabled: true });
    const send = async (payload: Record<string, unknown>) =>
      (await svix.message.create(app, { eventType: 'invoice.paid', payload })).id;
    const attempts = async (msgId: string): Promise<MessageAttemptOut[]> => {
      for (let i = 0; i < 250; i++) {
        const listed = await svix.messageAttempt.listByMsg(app, msgId);
        if (listed.data.length > 0) return listed.data;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`no attempts for ${msgId}`);
    };
    return { app, svix, receiver, endpointId, send, attempts };
  }

  test('sends the method, URL, headers and body the code chose, signed over that body', async () => {
    const { receiver, send, attempts } = await setup(`function handler(webhook) {
      webhook.method = 'PUT';
      webhook.url = webhook.url.replace('/hook', '/moved/' + webhook.payload.id);
      webhook.headers['X-Invoice'] = webhook.payload.id;
      webhook.payload = { invoice: webhook.payload.id, event: webhook.eventType };
      return webhook;
    }`);
    const msgId = await send({ id: 'inv_1', total: 5 });
    const [request] = await receiver.waitFor(1);
    expect(request!.method).toBe('PUT');
    expect(request!.path).toBe('/moved/inv_1');
    expect(request!.headers['x-invoice']).toBe('inv_1');
    expect(JSON.parse(request!.body)).toEqual({ invoice: 'inv_1', event: 'invoice.paid' });
    new Webhook(SECRET).verify(request!.body, {
      'webhook-id': request!.headers['webhook-id'] as string,
      'webhook-timestamp': request!.headers['webhook-timestamp'] as string,
      'webhook-signature': request!.headers['webhook-signature'] as string,
    });
    const [attempt] = await attempts(msgId);
    expect(attempt!.status).toBe(0);
    expect(attempt!.url).toMatch(/\/moved\/inv_1$/);
  });

  test('runs after the template, on the body the template made', async () => {
    const created = await suite.h.call('POST', '/template', {
      name: `t-${++count}`,
      contentType: 'json',
      body: '{"templated": {{ event.data.id | json }}}',
    });
    expect(created.status).toBe(201);
    const { receiver, send } = await setup(
      'function handler(w) { w.payload.transformed = true; return w; }',
      { templateId: created.body.id },
    );
    await send({ id: 'inv_2' });
    const [request] = await receiver.waitFor(1);
    expect(JSON.parse(request!.body)).toEqual({ templated: 'inv_2', transformed: true });
  });

  test('records a cancelled delivery as done, with its reason, and sends nothing', async () => {
    const { receiver, send, attempts, svix, app } = await setup(
      'function handler(w) { w.cancel = w.payload.total === 0; return w; }',
    );
    const skipped = await send({ id: 'inv_0', total: 0 });
    const [attempt] = await attempts(skipped);
    expect(attempt!.status).toBe(0);
    expect(attempt!.responseStatusCode).toBe(0);
    const detail = await suite.h.call('GET', `/app/${app}/msg/${skipped}/attempt/${attempt!.id}`);
    expect(detail.body).toMatchObject({ errorClass: 'cancelled', statusText: 'success' });
    expect(detail.body.errorDetail).toMatch(/transformation cancelled/);
    await send({ id: 'inv_3', total: 3 });
    const [request] = await receiver.waitFor(1);
    expect(JSON.parse(request!.body)).toMatchObject({ id: 'inv_3' });
    expect(receiver.received).toHaveLength(1);
    expect((await svix.message.get(app, skipped)).id).toBe(skipped);
  });

  test.each([
    ['an infinite loop', 'function handler(w) { for (;;) {} }', /longer than/],
    [
      'a huge allocation',
      'function handler(w) { const a = []; for (;;) a.push("x".repeat(4096)); }',
      /memory|longer/,
    ],
    [
      'a throw',
      'function handler(w) { throw new Error("refused " + w.payload.id); }',
      /Error: refused inv_4/,
    ],
    ['a bad shape', 'function handler(w) { return { url: 5 }; }', /url must be a string/],
  ])('records %s as the attempt error, sends nothing, and goes on delivering', async (_name, code, error) => {
    const { app, receiver, send, attempts, svix, endpointId } = await setup(code);
    const msgId = await send({ id: 'inv_4' });
    const [attempt] = await attempts(msgId);
    expect(attempt!.status).toBe(2);
    const detail = await suite.h.call('GET', `/app/${app}/msg/${msgId}/attempt/${attempt!.id}`);
    expect(detail.body).toMatchObject({ errorClass: 'transformation_error', responseStatusCode: 0 });
    expect(detail.body.errorDetail).toMatch(error);
    // A failing transformation says nothing of the endpoint's health; no retry would run it differently.
    expect((await svix.endpoint.get(app, endpointId)).disabled).toBe(false);
    expect(receiver.received).toHaveLength(0);
    // The worker is fine: fixed code delivers the next message.
    await svix.endpoint.transformationPartialUpdate(app, endpointId, {
      code: 'function handler(w) { w.payload.fixed = true; return w; }',
    });
    await send({ id: 'inv_5' });
    const [request] = await receiver.waitFor(1);
    expect(JSON.parse(request!.body)).toEqual({ id: 'inv_5', fixed: true });
  });

  test('keeps the SSRF guard on a URL the code changed', async () => {
    const { app, receiver, send, attempts } = await setup(
      'function handler(w) { w.url = "http://169.254.169.254/latest/meta-data"; return w; }',
    );
    const msgId = await send({ id: 'inv_6' });
    await attempts(msgId);
    const raw = await suite.h.call('GET', `/app/${app}/attempt/msg/${msgId}`);
    expect(raw.body.data[0].errorClass).toBe('ssrf_blocked');
    expect(receiver.received).toHaveLength(0);
  });

  test('stops running the code once it is disabled', async () => {
    const { app, svix, endpointId, receiver, send } = await setup(
      'function handler(w) { w.payload = "changed"; return w; }',
    );
    await svix.endpoint.transformationPartialUpdate(app, endpointId, { enabled: false });
    await send({ id: 'inv_7' });
    const [request] = await receiver.waitFor(1);
    expect(JSON.parse(request!.body)).toEqual({ id: 'inv_7' });
  });
});
