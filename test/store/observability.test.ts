import { expect, it } from 'vitest';
import { appWithEndpoints, messageOf, send } from './builders.js';
import { describeStore } from './harness.js';

// Both reads look at every endpoint, so each test uses a database of its own.
describeStore('store: what a metrics scrape reads', (ctx) => {
  it('lists the endpoints with most pending deliveries first, at most limit of them', async () => {
    const store = await ctx.fresh();
    const { app, endpoints } = await appWithEndpoints(store, 3);
    const [a, b, c] = endpoints.map((endpoint) => endpoint.id) as [string, string, string];
    // Deliveries are due at their message's creation: 1_000 onwards, all due at 10_000.
    for (let i = 0; i < 3; i++) await send(store, messageOf(app.id, { createdAt: 1_000 + i }), [a, b]);
    await send(store, messageOf(app.id, { createdAt: 20_000 }), [a, c]);

    const top = await store.deliveryQueueByEndpoint(2, 10_000);
    expect(top).toEqual([
      { appId: app.id, endpointId: a, pending: 4, due: 3, oldestDueAt: 1_000 },
      { appId: app.id, endpointId: b, pending: 3, due: 3, oldestDueAt: 1_000 },
    ]);
    expect(await store.deliveryQueueByEndpoint(10, 10_000)).toContainEqual({
      appId: app.id,
      endpointId: c,
      pending: 1,
      due: 0,
      oldestDueAt: 20_000,
    });
  });

  it('counts open and half-open circuits of enabled endpoints, and lists at most limit', async () => {
    const store = await ctx.fresh();
    const { endpoints } = await appWithEndpoints(store, 4);
    // The fourth endpoint's circuit stays closed: it is neither counted nor listed.
    const [open, probing, disabled] = endpoints.map((endpoint) => endpoint.id) as string[];
    await store.endpointSetHealth(open!, { circuitOpenUntil: 50_000 });
    await store.endpointSetHealth(probing!, { circuitOpenUntil: 5_000 });
    await store.endpointSetHealth(disabled!, { circuitOpenUntil: 50_000 });
    await store.endpointDisableAutomatically(disabled!, 'test', 1_000);

    const report = await store.endpointCircuits(10, 10_000);
    expect(report.counts).toEqual({ open: 1, half_open: 1 });
    expect(report.endpoints.map(({ endpointId, state }) => ({ endpointId, state }))).toEqual([
      { endpointId: probing, state: 'half_open' },
      { endpointId: open, state: 'open' },
    ]);
    expect((await store.endpointCircuits(1, 10_000)).endpoints).toHaveLength(1);
  });
});
