/**
 * Transformations in the dashboard: write the code in the endpoint's Transformation card, simulate it on a
 * payload (and see a failing one's error), save and enable it, and see a real delivery arrive transformed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPhoneScreens, signIn, webFixture, type WebFixture } from './fixture.js';

const CODE = `function handler(webhook) {
  webhook.method = 'PUT';
  webhook.headers['X-Source'] = 'dashboard';
  webhook.payload = { text: 'Invoice ' + webhook.payload.id };
  return webhook;
}`;

describe('dashboard: transformations', () => {
  let f: WebFixture;
  let endpointId: string;
  beforeAll(async () => {
    f = await webFixture();
    await f.setup('POST', '/event-type', { name: 'invoice.paid', description: 'An invoice was paid' });
    await f.setup('POST', '/app', { name: 'Initrode', uid: 'initrode' });
    endpointId = (await f.setup('POST', '/app/initrode/endpoint', { url: `${f.receiver.url}/hook` })).id;
    await signIn(f.page, f.herald.url, f.herald.token);
  });
  afterAll(async () => f?.close());

  it('simulates, saves and enables a transformation that deliveries then run', async () => {
    const { page } = f;
    await page.goto(`${f.herald.url}/apps/initrode/endpoints/${endpointId}`);
    const card = page.getByRole('region', { name: 'Transformation', exact: true });
    await card.getByRole('textbox', { name: 'Code' }).waitFor();

    // Failing code: the simulation shows why, and nothing is saved.
    await card.getByRole('textbox', { name: 'Code' }).fill('function handler(w) { for (;;) {} }');
    await card.getByRole('button', { name: 'Simulate' }).click();
    await expect.poll(() => card.getByRole('alert').textContent()).toMatch(/longer than/);

    await card.getByRole('textbox', { name: 'Code' }).fill(CODE);
    await card.getByLabel('Sample JSON').fill('{"id": "inv_9"}');
    await card.getByRole('button', { name: 'Simulate' }).click();
    const result = card.getByRole('region', { name: 'Simulation result' });
    await expect.poll(() => result.textContent()).toContain('Would send PUT to');
    expect(await result.getByLabel('Body').textContent()).toBe('{"text":"Invoice inv_9"}');
    expect(await result.textContent()).toContain('dashboard');

    await card.getByLabel('Run this transformation on deliveries').check();
    await card.getByRole('button', { name: 'Save transformation' }).click();
    await card.getByText('Saved: the next deliveries run this transformation.').waitFor();
    const saved = await f.herald.call('GET', `/app/initrode/endpoint/${endpointId}/transformation`);
    expect(saved.body).toMatchObject({ code: CODE, enabled: true });

    await f.setup('POST', '/app/initrode/msg', { eventType: 'invoice.paid', payload: { id: 'inv_10' } });
    const [request] = await f.receiver.waitFor(1);
    expect(request!.method).toBe('PUT');
    expect(request!.headers['x-source']).toBe('dashboard');
    expect(JSON.parse(request!.body)).toEqual({ text: 'Invoice inv_10' });

    await checkPhoneScreens(f, [['endpoint-transformation-phone', `/apps/initrode/endpoints/${endpointId}`]]);
  });
});
