/**
 * QuickJS is loaded only when a transformation runs: a Herald whose endpoints have none delivers without it.
 * This file runs in its own process, so nothing else has loaded it.
 */
import { expect, it } from 'vitest';
import { Sandbox } from '../../src/transformations/sandbox.js';
import { startTestHerald } from '../helpers/herald.js';
import { startReceiver } from '../helpers/receiver.js';

it('delivers without loading QuickJS until an endpoint has a transformation', async () => {
  const h = await startTestHerald();
  const receiver = await startReceiver();
  try {
    await h.call('POST', '/app', { name: 'Lazy', uid: 'lazy' });
    const endpoint = await h.call('POST', '/app/lazy/endpoint', { url: `${receiver.url}/hook` });
    await h.call('POST', '/app/lazy/msg', { eventType: 'invoice.paid', payload: { id: 1 } });
    await receiver.waitFor(1);
    expect(Sandbox.loaded).toBe(false);

    const path = `/app/lazy/endpoint/${endpoint.body.id}/transformation`;
    const saved = await h.call('PATCH', path, {
      code: 'function handler(w) { w.payload.seen = true; return w; }',
      enabled: true,
    });
    expect(saved.status).toBe(204);
    expect(Sandbox.loaded).toBe(true);
    await h.call('POST', '/app/lazy/msg', { eventType: 'invoice.paid', payload: { id: 2 } });
    const [, second] = await receiver.waitFor(2);
    expect(JSON.parse(second!.body)).toEqual({ id: 2, seen: true });
  } finally {
    await receiver.close();
    await h.close();
  }
});
