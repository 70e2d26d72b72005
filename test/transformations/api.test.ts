/** The transformation API through the official `svix` SDK (get, patch) and fetch (simulate, which the SDK lacks). */
import { Svix } from 'svix';
import { describe, expect, it } from 'vitest';
import { HERALD_STORES, heraldSuite } from '../helpers/herald.js';

const CODE = `function handler(webhook) {
  webhook.payload = { wrapped: webhook.payload, type: webhook.eventType, region: webhook.variables.region };
  webhook.method = 'PUT';
  webhook.headers['x-transformed'] = 'yes';
  return webhook;
}`;

describe.each(HERALD_STORES)('transformation API ($dialect)', (store) => {
  const test = store.skip ? it.skip : it;
  const suite = heraldSuite(store);
  let count = 0;

  async function endpoint(body: Record<string, unknown> = {}) {
    const app = `tr-api-${++count}`;
    const created = await suite.h.call('POST', '/app', { name: app, uid: app });
    expect(created.status).toBe(201);
    const { endpointId } = await suite.receiverEndpoint(app, body);
    return { app, endpointId, svix: new Svix(suite.h.token, { serverUrl: suite.h.url }) };
  }

  test('gets and patches the code, enabled flag and variables through the SDK', async () => {
    const { app, endpointId, svix } = await endpoint();
    const empty = await svix.endpoint.transformationGet(app, endpointId);
    expect(empty).toMatchObject({ code: null, enabled: false });

    await svix.endpoint.transformationPartialUpdate(app, endpointId, { code: CODE, enabled: true });
    const saved = await svix.endpoint.transformationGet(app, endpointId);
    expect(saved).toMatchObject({ code: CODE, enabled: true });
    expect(saved.updatedAt).toBeInstanceOf(Date);

    // Fields not given keep their values; variables are a Svix field the SDK's input type lacks.
    const patched = await suite.h.call('PATCH', `/app/${app}/endpoint/${endpointId}/transformation`, {
      variables: { region: 'eu' },
    });
    expect(patched.status).toBe(204);
    await svix.endpoint.transformationPartialUpdate(app, endpointId, { enabled: false });
    expect(await svix.endpoint.transformationGet(app, endpointId)).toMatchObject({
      code: CODE,
      enabled: false,
      variables: { region: 'eu' },
    });

    await svix.endpoint.transformationPartialUpdate(app, endpointId, { code: null });
    expect(await svix.endpoint.transformationGet(app, endpointId)).toMatchObject({ code: null });
  });

  test('refuses code that does not load, enabling without code, and a batching endpoint', async () => {
    const { app, endpointId } = await endpoint();
    const path = `/app/${app}/endpoint/${endpointId}/transformation`;
    for (const code of ['function handler(w) { return w', 'const notAHandler = 1;', 'for (;;) {} // spins']) {
      const refused = await suite.h.call('PATCH', path, { code, enabled: true });
      expect(refused.status).toBe(422);
      expect(JSON.stringify(refused.body)).toContain('code');
    }
    const noCode = await suite.h.call('PATCH', path, { enabled: true });
    expect(noCode.status).toBe(422);
    expect(JSON.stringify(noCode.body)).toContain('enabled');
    const tooShort = await suite.h.call('PATCH', path, { code: 'x' });
    expect(tooShort.status).toBe(422);
    expect(JSON.stringify(tooShort.body)).toContain('code');

    const batching = await endpoint({ batching: { maxMessages: 10 } });
    const batched = await suite.h.call(
      'PATCH',
      `/app/${batching.app}/endpoint/${batching.endpointId}/transformation`,
      { code: CODE, enabled: true },
    );
    expect(batched.status).toBe(422);
    expect(JSON.stringify(batched.body)).toContain('batch');

    // And the other way round: batching is refused while a transformation runs.
    expect((await suite.h.call('PATCH', path, { code: CODE, enabled: true })).status).toBe(204);
    const turnOn = await suite.h.call('PATCH', `/app/${app}/endpoint/${endpointId}`, {
      batching: { maxMessages: 10 },
    });
    expect(turnOn.status).toBe(422);
    expect(JSON.stringify(turnOn.body)).toContain('batching');
  });

  test('simulates the code on a payload, and reports what fails', async () => {
    const { app, endpointId } = await endpoint();
    const path = `/app/${app}/endpoint/${endpointId}/transformation/simulate`;
    const simulated = await suite.h.call('POST', path, {
      code: CODE,
      eventType: 'invoice.paid',
      payload: { id: 'inv_1' },
      variables: { region: 'us' },
    });
    expect(simulated.status).toBe(200);
    const endpointUrl = (await suite.h.call('GET', `/app/${app}/endpoint/${endpointId}`)).body.url;
    expect(simulated.body).toEqual({
      url: endpointUrl,
      method: 'PUT',
      cancel: false,
      payload: JSON.stringify({ wrapped: { id: 'inv_1' }, type: 'invoice.paid', region: 'us' }),
      headers: { 'x-transformed': 'yes' },
    });

    const cancelled = await suite.h.call('POST', path, {
      code: 'function handler(w) { w.cancel = w.payload.skip; return w; }',
      eventType: 'invoice.paid',
      payload: { skip: true },
    });
    expect(cancelled.body).toMatchObject({ cancel: true });

    for (const [code, error] of [
      ['function handler(w) { while (true) {} }', /longer than/],
      ['function handler(w) { const a = []; for (;;) a.push(new Array(1000).fill(1)); }', /memory|longer/],
      ['function handler(w) { throw new TypeError("bad " + w.eventType); }', /TypeError: bad invoice.paid/],
      ['function handler(w) { return 42; }', /return the webhook/],
    ] as const) {
      const failed = await suite.h.call('POST', path, { code, eventType: 'invoice.paid', payload: {} });
      expect(failed.status).toBe(400);
      expect(failed.body.code).toBe('transformation_error');
      expect(failed.body.detail).toMatch(error);
    }

    const missing = await suite.h.call('POST', path, { code: CODE, payload: {} });
    expect(missing.status).toBe(422);
    expect(JSON.stringify(missing.body)).toContain('eventType');
  });

  test('answers 404 for an endpoint that does not exist', async () => {
    const { app } = await endpoint();
    const missing = await suite.h.call('GET', `/app/${app}/endpoint/ep_missing/transformation`);
    expect(missing.status).toBe(404);
  });
});
