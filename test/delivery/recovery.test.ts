/** Getting messages through after failures: dead letters, resend, recover, bulk replay; and the batch route. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { errorBodyText } from '../../src/api/problems.js';

async function eventually<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('dead letters and recovery', () => {
  let h: RunningHerald;
  let receiver: Receiver;
  let n = 0;
  let uid: string;
  let endpointId: string;

  beforeAll(async () => {
    h = await startTestHerald();
  });
  afterAll(async () => h.close());
  afterEach(async () => receiver.close());

  /** An app whose endpoint fails and never retries, so each failure is a dead letter at once. */
  async function failingApp() {
    receiver = await startReceiver();
    receiver.answer(() => ({ status: 500 }));
    uid = `recovery-${++n}`;
    await h.call('POST', '/app', { name: uid, uid });
    const endpoint = await h.call('POST', `/app/${uid}/endpoint`, { url: receiver.url, retrySchedule: [] });
    expect(endpoint.status).toBe(201);
    expect(endpoint.body.retrySchedule).toEqual([]);
    endpointId = endpoint.body.id;
  }

  async function deadLetters(query = '') {
    return (await h.call('GET', `/app/${uid}/dead-letter${query}`)).body;
  }

  /** Sends `count` messages and waits until each is a dead letter, on top of those there already were. */
  async function sendAndFail(count: number, eventType = 'order.failed') {
    const before = (await deadLetters('?limit=250')).data.length;
    const ids: string[] = [];
    for (let i = 0; i < count; i++)
      ids.push((await h.call('POST', `/app/${uid}/msg`, { eventType, payload: { i } })).body.id);
    await eventually(async () => {
      const list = await deadLetters('?limit=250');
      return list.data.length >= before + ids.length ? list : undefined;
    }, 'dead letters');
    return ids;
  }

  it('lists exhausted deliveries as dead letters, and resends one', async () => {
    await failingApp();
    const [msgId] = await sendAndFail(1);
    const list = await deadLetters();
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({ id: msgId, endpointId, statusText: 'fail', attempts: 1 });

    receiver.answer(() => ({ status: 200 }));
    const resent = await h.call('POST', `/app/${uid}/msg/${msgId}/endpoint/${endpointId}/resend`);
    expect(resent.status).toBe(202);
    await receiver.waitFor(2);
    const attempts = await eventually(async () => {
      const all = await h.call('GET', `/app/${uid}/attempt/msg/${msgId}`);
      return all.body.data.length === 2 ? all.body.data : undefined;
    }, 'the resent attempt');
    // Newest first: the resend is a manual attempt that succeeded.
    expect(attempts[0]).toMatchObject({ triggerType: 1, statusText: 'success' });
    expect(attempts[1]).toMatchObject({ triggerType: 0, statusText: 'fail' });
    expect((await deadLetters()).data).toHaveLength(0);
  });

  it('replays dead letters in bulk, with a dry run that only counts', async () => {
    await failingApp();
    await sendAndFail(3, 'order.failed');
    await sendAndFail(2, 'order.other');
    const dry = await h.call('POST', `/app/${uid}/dead-letter/replay`, {
      eventTypes: ['order.failed'],
      dryRun: true,
    });
    expect(dry.body).toEqual({ count: 3, dryRun: true });
    expect((await deadLetters()).data).toHaveLength(5);

    receiver.answer(() => ({ status: 200 }));
    const before = receiver.received.length;
    const replay = await h.call('POST', `/app/${uid}/dead-letter/replay`, { eventTypes: ['order.failed'] });
    expect(replay.body).toEqual({ count: 3, dryRun: false });
    await receiver.waitFor(before + 3);
    const remaining = await eventually(async () => {
      const list = await deadLetters();
      return list.data.length === 2 ? list : undefined;
    }, 'the replayed deliveries to succeed');
    expect(remaining.data.every((d: { eventType: string }) => d.eventType === 'order.other')).toBe(true);
  });

  it("recovers an endpoint's failures since a time", async () => {
    await failingApp();
    await sendAndFail(2);
    receiver.answer(() => ({ status: 200 }));
    const since = new Date(Date.now() - 60_000).toISOString();
    const recovered = await h.call('POST', `/app/${uid}/endpoint/${endpointId}/recover`, { since });
    expect(recovered.status).toBe(202);
    expect(recovered.body).toMatchObject({ status: 'running', task: 'endpoint.recover' });
    // Requeued at once (no longer dead letters), then delivered.
    expect((await deadLetters()).data).toHaveLength(0);
    const stats = await eventually(async () => {
      const current = await h.call('GET', `/app/${uid}/endpoint/${endpointId}/stats`);
      return current.body.success === 2 ? current.body : undefined;
    }, 'the recovered deliveries to succeed');
    expect(stats).toEqual({ success: 2, pending: 0, fail: 0, sending: 0, canceled: 0 });
  });

  it('rejects a replay window that ends before it starts', async () => {
    await failingApp();
    const bad = await h.call('POST', `/app/${uid}/dead-letter/replay`, {
      since: '2030-01-02T00:00:00Z',
      until: '2030-01-01T00:00:00Z',
    });
    expect(bad.status).toBe(422);
  });
});

describe('batch ingest and examples', () => {
  let h: RunningHerald;
  let receiver: Receiver;
  beforeAll(async () => {
    h = await startTestHerald();
    receiver = await startReceiver();
    await h.call('POST', '/app', { name: 'batch', uid: 'batch' });
    await h.call('POST', '/app/batch/endpoint', { url: receiver.url });
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  it('accepts many messages in one request and delivers each', async () => {
    const messages = Array.from({ length: 300 }, (_, i) => ({ eventType: 'batch.item', payload: { i } }));
    const sent = await h.call('POST', '/app/batch/msg/batch', { messages });
    expect(sent.status).toBe(202);
    expect(sent.body.data).toHaveLength(300);
    expect(sent.body.data.map((m: { payload: { i: number } }) => m.payload.i)).toEqual(
      messages.map((_, i) => i),
    );
    await receiver.waitFor(300);
    const seen = new Set(receiver.received.map((r) => r.headers['webhook-id']));
    expect(seen.size).toBe(300);
  });

  it('rejects the whole batch when one message is invalid, naming it', async () => {
    await h.call('POST', '/event-type', {
      name: 'batch.strict',
      description: 'strict',
      schemas: { '1': { type: 'object', required: ['id'] } },
    });
    const before = (await h.call('GET', '/app/batch/msg?limit=250')).body.data.length;
    const bad = await h.call('POST', '/app/batch/msg/batch', {
      messages: [
        { eventType: 'batch.strict', payload: { id: 1 } },
        { eventType: 'batch.strict', payload: {} },
      ],
    });
    expect(bad.status).toBe(422);
    expect(errorBodyText(bad.body)).toContain('messages[1]');
    expect((await h.call('GET', '/app/batch/msg?limit=250')).body.data.length).toBe(before);
  });

  it('limits a batch to 1000 messages', async () => {
    const messages = Array.from({ length: 1001 }, () => ({ eventType: 'batch.item', payload: {} }));
    expect((await h.call('POST', '/app/batch/msg/batch', { messages })).status).toBe(422);
  });

  it("sends an event type's example to one endpoint", async () => {
    await h.call('POST', '/event-type', {
      name: 'example.shown',
      description: 'has an example',
      schemas: { '1': { type: 'object', examples: [{ hello: 'example' }] } },
    });
    const other = await startReceiver();
    try {
      const target = await h.call('POST', '/app/batch/endpoint', {
        url: other.url,
        eventTypes: ['example.shown'],
      });
      const before = receiver.received.length;
      const sent = await h.call('POST', `/app/batch/endpoint/${target.body.id}/send-example`, {
        eventType: 'example.shown',
      });
      expect(sent.status).toBe(200);
      expect(sent.body.payload).toEqual({ hello: 'example' });
      const [request] = await other.waitFor(1);
      expect(JSON.parse(request!.body)).toEqual({ hello: 'example' });
      // Only the chosen endpoint gets it, although the first endpoint takes every event type.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(receiver.received.length).toBe(before);
    } finally {
      await other.close();
    }
  });
});
