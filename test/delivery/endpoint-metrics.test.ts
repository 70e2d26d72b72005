/**
 * /metrics per application and endpoint, from a real Herald delivering to real receivers: attempts by outcome
 * and error class, attempt duration and delivery delay histograms, the queue and oldest due delivery per
 * endpoint, circuit states, and the bound on label values past which endpoints are counted as `other`.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabelBudget, OTHER } from '../../src/delivery/endpoint-metrics.js';
import { HERALD_STORES, startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';

describe('LabelBudget', () => {
  it('gives the first endpoints labels of their own, then other within the application, then other', () => {
    const budget = new LabelBudget(2);
    expect(budget.labels('app_a', 'ep_1')).toEqual({ app: 'app_a', endpoint: 'ep_1' });
    expect(budget.labels('app_a', 'ep_2')).toEqual({ app: 'app_a', endpoint: 'ep_2' });
    expect(budget.labels('app_a', 'ep_3')).toEqual({ app: 'app_a', endpoint: OTHER });
    expect(budget.labels('app_b', 'ep_4')).toEqual({ app: 'app_b', endpoint: OTHER });
    expect(budget.labels('app_c', 'ep_5')).toEqual({ app: OTHER, endpoint: OTHER });
    // A labelled endpoint keeps its labels.
    expect(budget.labels('app_a', 'ep_1')).toEqual({ app: 'app_a', endpoint: 'ep_1' });
  });
});

/** The value of one sample of the scrape, or undefined when there is none. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.lastIndexOf('}'));
    const found = Object.fromEntries(
      [...inside.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1], match[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe.each(HERALD_STORES)('metrics per endpoint ($dialect)', ({ postgres, skip }) => {
  let h: RunningHerald;
  const receivers: Receiver[] = [];
  beforeAll(async () => {
    if (skip) return;
    h = await startTestHerald(
      { HERALD_METRICS_ENDPOINT_LABELS: '2', HERALD_CIRCUIT_THRESHOLD: '1' },
      { postgres },
    );
  });
  afterAll(async () => {
    await h?.close();
    await Promise.all(receivers.map((receiver) => receiver.close()));
  });

  async function scrape(): Promise<string> {
    const response = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${h.token}` } });
    expect(response.status).toBe(200);
    return response.text();
  }

  async function endpoint(app: string, settings: Record<string, unknown>) {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const created = await h.call('POST', `/app/${app}/endpoint`, { url: receiver.url, ...settings });
    expect(created.status).toBe(201);
    return { receiver, id: created.body.id as string };
  }

  it.skipIf(skip)('counts attempts, durations, delays, the queue and circuits per endpoint', async () => {
    const app = (await h.call('POST', '/app', { name: 'metered', uid: 'metered' })).body.id as string;
    const ok = await endpoint('metered', { channels: ['paid'] });
    // Fails with 500 and retries an hour later: one pending delivery, scheduled, and an open circuit.
    const down = await endpoint('metered', { channels: ['paid'], retrySchedule: [3600] });
    down.receiver.answer(() => ({ status: 500 }));
    // Delivered to after the first two have taken the bound of two endpoints: counted as endpoint="other".
    const third = await endpoint('metered', { channels: ['late'] });

    await h.call('POST', '/app/metered/msg', {
      eventType: 'invoice.paid',
      payload: { n: 1 },
      channels: ['paid'],
    });
    await Promise.all([ok.receiver.waitFor(1), down.receiver.waitFor(1)]);

    const own = { app, endpoint: ok.id };
    let text = '';
    await expect
      .poll(async () => {
        text = await scrape();
        return sample(text, 'herald_endpoint_attempts_total', { ...own, outcome: 'success' });
      })
      .toBe(1);
    await expect
      .poll(async () => {
        text = await scrape();
        return sample(text, 'herald_endpoint_attempts_total', { app, endpoint: down.id, outcome: 'retry' });
      })
      .toBe(1);
    expect(
      sample(text, 'herald_endpoint_attempts_total', { app, endpoint: down.id, error_class: 'http_status' }),
    ).toBe(1);
    expect(sample(text, 'herald_endpoint_attempts_total', { ...own, error_class: 'none' })).toBe(1);
    await h.call('POST', '/app/metered/msg', {
      eventType: 'invoice.late',
      payload: { n: 2 },
      channels: ['late'],
    });
    await third.receiver.waitFor(1);
    await expect
      .poll(async () =>
        sample(await scrape(), 'herald_endpoint_attempts_total', {
          app,
          endpoint: OTHER,
          outcome: 'success',
        }),
      )
      .toBe(1);
    text = await scrape();
    expect(sample(text, 'herald_endpoint_attempts_total', { endpoint: third.id })).toBeUndefined();
    expect(sample(text, 'herald_endpoint_attempt_duration_seconds_count', own)).toBe(1);
    expect(sample(text, 'herald_endpoint_attempt_duration_seconds_count', { app, endpoint: down.id })).toBe(
      1,
    );
    // Delay is measured to a first success only.
    expect(sample(text, 'herald_endpoint_delivery_delay_seconds_count', own)).toBe(1);
    expect(sample(text, 'herald_endpoint_delivery_delay_seconds_count', { app, endpoint: down.id })).toBe(
      undefined,
    );

    // Read from the database at the scrape: the failing endpoint's retry waits, and its circuit is open (both
    // written a moment after the attempt was counted).
    await expect
      .poll(async () => {
        text = await scrape();
        return sample(text, 'herald_endpoint_circuit_state', { app, endpoint: down.id, state: 'open' });
      })
      .toBe(1);
    await expect
      .poll(async () => {
        text = await scrape();
        return sample(text, 'herald_endpoint_queue_depth', { endpoint: down.id, state: 'scheduled' });
      })
      .toBe(1);
    expect(sample(text, 'herald_endpoint_queue_depth', { endpoint: down.id, state: 'scheduled' })).toBe(1);
    expect(sample(text, 'herald_endpoint_queue_depth', { endpoint: down.id, state: 'due' })).toBe(0);
    expect(sample(text, 'herald_endpoint_oldest_due_age_seconds', { endpoint: down.id })).toBe(0);
    expect(sample(text, 'herald_endpoint_circuit_state', { app, endpoint: down.id, state: 'open' })).toBe(1);
    expect(sample(text, 'herald_endpoint_circuit_state', { endpoint: ok.id })).toBeUndefined();
    expect(sample(text, 'herald_circuits', { state: 'open' })).toBe(1);
  });

  it.skipIf(skip)('serves every metric the Grafana dashboard in docs/ queries', async () => {
    const dashboard = fs.readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8');
    const names = new Set(
      [...dashboard.matchAll(/herald_[a-z_]+/g)].map(([name]) => name.replace(/_(bucket|count|sum)$/, '')),
    );
    expect(names.size).toBeGreaterThan(10);
    const text = await scrape();
    for (const name of names) expect(text, name).toContain(`# TYPE ${name} `);
  });
});
