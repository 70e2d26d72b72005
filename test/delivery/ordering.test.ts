/**
 * Ordered delivery end to end: 2,000 messages over 50 ordering keys, to a receiver on 127.0.0.1 that fails a
 * fifth of its requests and delays some. At an endpoint with `ordering: key`, each key's messages are
 * received successfully in the order they were accepted; at an endpoint with `ordering: none`, receiving the same
 * messages through the same faults, they are not (which shows that the check can fail). Then `block` against
 * `skip` after an exhausted head, and a hanging head that holds up only its own key. On SQLite, and on
 * PostgreSQL when HERALD_TEST_DATABASE_URL is set.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/env.js';
import { startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { outOfOrder, seeded, startFaultyReceiver } from '../helpers/ordered-receiver.js';
import { waitUntil } from '../helpers/tracking-receiver.js';

const KEYS = 50;
const MESSAGES = 2_000;
/** Twenty retries at once: a head that fails a fifth of the time is delivered within the test. */
const RETRY_AT_ONCE = Array<number>(20).fill(0);

describe.each(DIALECTS)('ordered delivery ($name)', { timeout: 120_000 }, ({ name, skip }) => {
  let herald: RunningHerald | null = null;
  let receiver: Awaited<ReturnType<typeof startFaultyReceiver>> | null = null;

  afterEach(async () => {
    // The receiver first: closing it ends the hanging requests that Herald would wait for when it stops.
    await receiver?.close();
    await herald?.close();
    herald = receiver = null;
  });

  async function setUp(decide: Parameters<typeof startFaultyReceiver>[0]) {
    receiver = await startFaultyReceiver(decide);
    herald = await startTestHerald({}, { postgres: name === 'postgres' });
    const app = await herald.call('POST', '/app', { name: 'ordering' });
    expect(app.status).toBe(201);
    const endpoint = async (path: string, settings: Record<string, unknown>) => {
      const created = await herald!.call('POST', `/app/${app.body.id}/endpoint`, {
        url: `${receiver!.url}${path}`,
        retrySchedule: RETRY_AT_ONCE,
        ...settings,
      });
      expect(created.status).toBe(201);
      return created.body as { id: string; ordering: string; orderingAfterGiveUp: string };
    };
    const sendBatch = async (messages: Array<{ key: string; n: number }>) => {
      const sent = await herald!.call('POST', `/app/${app.body.id}/msg/batch`, {
        messages: messages.map(({ key, n }) => ({
          eventType: 'order.updated',
          orderingKey: key,
          payload: { key, n },
        })),
      });
      expect(sent.status).toBe(202);
      return (sent.body.data as Array<{ id: string }>).map((m) => m.id);
    };
    return { appId: app.body.id as string, endpoint, sendBatch };
  }

  it.skipIf(skip)(
    "keeps each key's order through failures and retries, where an unordered endpoint does not",
    async () => {
      const random = seeded(20_260_412);
      const { endpoint, sendBatch } = await setUp(() => ({
        status: random() < 0.2 ? 500 : 200,
        delayMs: random() < 0.1 ? Math.floor(random() * 30) : 0,
      }));
      const ordered = await endpoint('/ordered', { ordering: 'key' });
      expect(ordered).toMatchObject({ ordering: 'key', orderingAfterGiveUp: 'skip' });
      await endpoint('/unordered', {});
      // Message i is the (i / KEYS)-th of key i % KEYS; sent in two batches, accepted in this order.
      const messages = Array.from({ length: MESSAGES }, (_, i) => ({
        key: `k${i % KEYS}`,
        n: Math.floor(i / KEYS),
      }));
      await sendBatch(messages.slice(0, MESSAGES / 2));
      await sendBatch(messages.slice(MESSAGES / 2));

      await waitUntil(
        () =>
          receiver!.delivered('/ordered').length === MESSAGES &&
          receiver!.delivered('/unordered').length === MESSAGES,
        100_000,
        'every message delivered to both endpoints',
        () =>
          `(${receiver!.delivered('/ordered').length} and ${receiver!.delivered('/unordered').length} of ${MESSAGES})`,
      );
      const ordered_ = receiver!.delivered('/ordered');
      expect(outOfOrder(ordered_)).toEqual([]);
      // Every key's messages all arrived: 40 each, numbered 0 to 39 in order.
      for (let k = 0; k < KEYS; k++)
        expect(ordered_.filter((a) => a.key === `k${k}`).map((a) => a.n)).toEqual(
          Array.from({ length: MESSAGES / KEYS }, (_, n) => n),
        );
      // The faults did reorder the endpoint that does not keep order.
      expect(outOfOrder(receiver!.delivered('/unordered')).length).toBeGreaterThan(0);
      expect(receiver!.answered.some((a) => a.status === 500)).toBe(true);
    },
  );

  it.skipIf(skip)('holds a key behind a hanging head, and lets the other keys flow', async () => {
    const { endpoint, sendBatch } = await setUp((arrival) =>
      arrival.key === 'stuck' && arrival.n === 0 ? 'hang' : { status: 200, delayMs: 0 },
    );
    await endpoint('/ordered', { ordering: 'key', timeoutSeconds: 60 });
    await sendBatch([
      { key: 'stuck', n: 0 },
      { key: 'stuck', n: 1 },
      ...Array.from({ length: 20 }, (_, i) => ({ key: `free${i % 4}`, n: Math.floor(i / 4) })),
    ]);
    await waitUntil(() => receiver!.delivered('/ordered').length === 20, 30_000, 'the other keys delivered');
    // The stuck key's second message was never sent: its head is still in flight.
    expect(receiver!.answered.filter((a) => a.key === 'stuck')).toEqual([]);
    expect(outOfOrder(receiver!.delivered('/ordered'))).toEqual([]);
  });

  it.skipIf(skip)(
    'after an exhausted head, `skip` moves on and `block` waits until it is resent',
    async () => {
      let failFirst = true;
      const { appId, endpoint, sendBatch } = await setUp((arrival) => ({
        status: failFirst && arrival.n === 0 ? 500 : 200,
        delayMs: 0,
      }));
      const skipping = await endpoint('/skip', { ordering: 'endpoint', retrySchedule: [] });
      const blocking = await endpoint('/block', {
        ordering: 'endpoint',
        orderingAfterGiveUp: 'block',
        retrySchedule: [],
      });
      const [head] = await sendBatch([
        { key: 'e', n: 0 },
        { key: 'e', n: 1 },
        { key: 'e', n: 2 },
      ]);
      await waitUntil(
        () => receiver!.delivered('/skip').length === 2,
        20_000,
        'the skipping endpoint to move on',
      );
      expect(receiver!.delivered('/skip').map((a) => a.n)).toEqual([1, 2]);
      // The blocking endpoint tried its head once and waits.
      await waitUntil(
        () => receiver!.answered.some((a) => a.path === '/block' && a.status === 500),
        20_000,
        'the blocking endpoint to give up its head',
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(receiver!.delivered('/block')).toEqual([]);
      // Its health says which message holds the sequence, and how many wait behind it.
      const health = await herald!.call('GET', `/app/${appId}/endpoint/${blocking.id}/health`);
      expect(health.body.blockedSequences).toEqual([
        { key: '', msgId: head, attempts: 1, lastAttemptAt: expect.any(String), waiting: 2 },
      ]);

      // Sent again, the head goes first, then the rest in order.
      failFirst = false;
      expect(
        (await herald!.call('POST', `/app/${appId}/msg/${head}/endpoint/${blocking.id}/resend`)).status,
      ).toBe(202);
      await waitUntil(
        () => receiver!.delivered('/block').length === 3,
        20_000,
        'the blocked sequence to go on',
      );
      expect(receiver!.delivered('/block').map((a) => a.n)).toEqual([0, 1, 2]);
      expect(skipping.orderingAfterGiveUp).toBe('skip');
    },
  );

  it.skipIf(skip)(
    'skips a message that holds its sequence, and refuses to skip one that does not',
    async () => {
      const { appId, endpoint, sendBatch } = await setUp((arrival) => ({
        status: arrival.n === 0 ? 500 : 200,
        delayMs: 0,
      }));
      const blocking = await endpoint('/block', {
        ordering: 'endpoint',
        orderingAfterGiveUp: 'block',
        retrySchedule: [],
      });
      const [head, second] = await sendBatch([
        { key: 'e', n: 0 },
        { key: 'e', n: 1 },
        { key: 'e', n: 2 },
      ]);
      const health = () => herald!.call('GET', `/app/${appId}/endpoint/${blocking.id}/health`);
      await waitUntil(
        async () => (await health()).body.blockedSequences.length === 1,
        20_000,
        'a blocked sequence',
      );
      const skipPath = (msgId: string) => `/app/${appId}/msg/${msgId}/endpoint/${blocking.id}/skip`;
      const refused = await herald!.call('POST', skipPath(second!));
      expect(refused.status).toBe(409);
      expect(refused.body.detail).toMatch(/holds no sequence/);
      expect((await herald!.call('POST', skipPath(head!))).status).toBe(202);
      await waitUntil(() => receiver!.delivered('/block').length === 2, 20_000, 'the rest of the sequence');
      expect(receiver!.delivered('/block').map((a) => a.n)).toEqual([1, 2]);
      expect((await health()).body.blockedSequences).toEqual([]);
    },
  );
});
