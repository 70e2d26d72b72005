/**
 * When a worker claims. A finished request frees a place, but it is worth a claim only when the last claim
 * left due deliveries behind (for want of room, or at an endpoint's cap); otherwise new work is announced by a
 * wake-up. The worker polls only once a minute here, so anything delivered came from a claim that a wake-up or
 * a freed place started. Real store, real receiver on 127.0.0.1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { newId } from '../../src/util/ids.js';
import { endpointInsert, messageOf } from '../store/builders.js';
import { apiFixture, DIALECTS, type ApiFixture } from '../helpers/env.js';
import { startTrackingReceiver, waitUntil, type TrackingReceiver } from '../helpers/tracking-receiver.js';
import { startTestWorker, type TestWorker } from '../helpers/worker.js';

const NO_POLL_MS = 60_000;

describe.each(DIALECTS)('claiming ($name)', ({ make, skip }) => {
  let fixture: ApiFixture | null = null;
  let receiver: TrackingReceiver | null = null;
  let running: TestWorker | null = null;

  afterEach(async () => {
    await running?.stop();
    await receiver?.close();
    await fixture?.close();
    fixture = receiver = running = null;
  });

  async function setUp(endpoints: number) {
    fixture = await apiFixture(make);
    const { post } = fixture;
    receiver = await startTrackingReceiver();
    const app = await post('/app', { name: 'claiming' });
    for (let i = 0; i < endpoints; i++)
      await post(`/app/${app.id}/endpoint`, { url: `${receiver.url}/e${i}`, channels: [`c${i}`] });
    const send = (endpoint: number) =>
      post(`/app/${app.id}/msg`, {
        eventType: 'claim.test',
        payload: { endpoint },
        channels: [`c${endpoint}`],
      });
    return { send, receiver };
  }

  /**
   * A worker on the fixture's store whose claims are counted, the empty ones apart. With `loseAnswers`, that many
   * first claims that take something commit and then fail, as when the connection is cut before the answer
   * arrives.
   */
  function startWorker(options: { concurrency: number; endpointConcurrency: number; loseAnswers?: number }) {
    /** Claims made, those that found nothing, and the number of the first that found something. */
    const claims = { all: 0, empty: 0, firstFound: 0, lost: 0 };
    const base = fixture!.store;
    const store: Store = {
      ...base,
      async deliveryClaim(request) {
        const claimed = await base.deliveryClaim(request);
        claims.all++;
        if (claimed.deliveries.length === 0) claims.empty++;
        else if (claims.firstFound === 0) claims.firstFound = claims.all;
        if (claimed.deliveries.length > 0 && claims.lost < (options.loseAnswers ?? 0)) {
          claims.lost++;
          throw new Error('Connection terminated unexpectedly');
        }
        return claimed;
      },
    };
    const { loseAnswers: _, ...limits } = options;
    running = startTestWorker(store, fixture!.vault, { ...limits, pollIntervalMs: NO_POLL_MS });
    return claims;
  }

  it.skipIf(skip)('claims again when a request to an endpoint at its cap finishes', async () => {
    const { send, receiver } = await setUp(1);
    for (let i = 0; i < 5; i++) await send(0);
    // One request at a time to the endpoint: each claim takes one delivery and leaves the rest queued.
    startWorker({ concurrency: 4, endpointConcurrency: 1 });
    await waitUntil(() => receiver.acknowledged('/e0').size === 5, 10_000, 'all five delivered');
    expect(receiver.maxOpen('/e0')).toBe(1);
  });

  it.skipIf(skip)(
    'gives back what a claim leased when its answer was lost, instead of leaving it until its lease runs out',
    async () => {
      const { send, receiver } = await setUp(1);
      for (let i = 0; i < 3; i++) await send(0);
      const claims = startWorker({ concurrency: 4, endpointConcurrency: 4, loseAnswers: 1 });
      await waitUntil(() => claims.lost === 1, 10_000, 'a claim whose answer was lost');
      const leased = await fixture!.store.deliveryLeasedTo(running!.worker.id);
      expect(leased).toHaveLength(3);
      expect(receiver.requests).toEqual([]);
      // A wake-up (new work, or the poll a minute later): the worker gives the three back, claims them again
      // and sends them, long before their 75 s leases would run out.
      running!.worker.wake();
      await waitUntil(() => receiver.acknowledged('/e0').size === 3, 10_000, 'the three delivered');
      expect(receiver.requests).toHaveLength(3);
    },
  );

  it.skipIf(skip)('sends what waits for a slot after the worker was stopped and started again', async () => {
    const { send, receiver } = await setUp(1);
    // One request at a time in all: of the two deliveries a claim takes, one waits for the slot.
    startWorker({ concurrency: 1, endpointConcurrency: 3 });
    await running!.worker.stop();
    for (let i = 0; i < 3; i++) await send(0);
    running!.worker.start();
    await waitUntil(() => receiver.acknowledged('/e0').size === 3, 10_000, 'all three delivered');
    expect(receiver.maxOpen('/e0')).toBe(1);
  });

  it.skipIf(skip)('claims again when a claim had no room for everything due', async () => {
    const { send, receiver } = await setUp(6);
    for (let i = 0; i < 6; i++) await send(i);
    // One request at a time in all, and two deliveries held at most: three claims for six endpoints.
    const claims = startWorker({ concurrency: 1, endpointConcurrency: 1 });
    await waitUntil(() => receiver.acknowledged().size === 6, 10_000, 'all six delivered');
    expect(receiver.maxOpen()).toBe(1);
    expect(claims.all).toBeGreaterThanOrEqual(3);
  });

  it.skipIf(skip)('a steady trickle runs one claim per wake-up, not one per finished request', async () => {
    const { send, receiver } = await setUp(3);
    const claims = startWorker({ concurrency: 8, endpointConcurrency: 4 });
    await waitUntil(() => claims.all === 1, 5_000, 'the claim at start');
    for (let i = 0; i < 12; i++) {
      await send(i % 3);
      running!.worker.wake();
      await waitUntil(() => receiver.acknowledged().size === i + 1, 5_000, `message ${i + 1} delivered`);
    }
    // The claim at start found nothing; every later claim was started by a wake-up and found its message.
    // Claiming after each finished request, or until a claim comes back empty, would add about one empty
    // claim per message.
    expect(claims.empty).toBe(1);
    expect(claims.all).toBe(13);
  });

  it.skipIf(skip)(
    'crosses a long run of endpoints with nothing due in a few claims, not a poll each',
    async () => {
      fixture = await apiFixture(make);
      const { post, store } = fixture;
      receiver = await startTrackingReceiver();
      const app = await post('/app', { name: 'claiming' });
      // 600 endpoints whose one message is due in an hour, then (later in id order) one with a message due now.
      const waiting: string[] = [];
      for (let i = 0; i < 600; i++)
        waiting.push((await store.endpointCreate(endpointInsert(app.id, { channels: ['later'] }))).id);
      await store.messageCreate({
        message: messageOf(app.id, { channels: ['later'], createdAt: Date.now() + 3_600_000 }),
        deliveries: waiting.map((endpointId) => ({ id: newId('delivery'), endpointId })),
      });
      await post(`/app/${app.id}/endpoint`, { url: `${receiver.url}/now`, channels: ['now'] });
      await post(`/app/${app.id}/msg`, {
        eventType: 'claim.test',
        payload: { now: true },
        channels: ['now'],
      });
      // Room for 2, so a claim walks 66 endpoints. Each walk that finds nothing is followed by one twice as long:
      // 66, 132, 264 and 528 endpoints reach the due one in 4 claims (walks of 66 alone would take 10).
      // Waiting for a poll would take a minute.
      const claims = startWorker({ concurrency: 1, endpointConcurrency: 1 });
      await waitUntil(() => receiver!.acknowledged('/now').size === 1, 10_000, 'the due message delivered');
      expect(claims.firstFound).toBe(4);
      // The walks stop growing once one goes all the way round; then the worker sleeps (the count stops moving)
      // instead of claiming on and on.
      let seen = -1;
      await waitUntil(
        async () => {
          const before = claims.all;
          await new Promise((resolve) => setTimeout(resolve, 300));
          seen = claims.all;
          return seen === before;
        },
        5_000,
        'the claims to stop',
      );
      expect(seen).toBeLessThanOrEqual(15);
      expect(receiver.requests.map((request) => request.path)).toEqual(['/now']);
    },
  );

  it.skipIf(skip)(
    'a wake-up that came while the worker had no room is acted on once room frees',
    async () => {
      const { send, receiver } = await setUp(8);
      receiver.behave((request) => (request.path === '/e7' ? { status: 200 } : { gate: true, status: 200 }));
      for (let i = 0; i < 7; i++) await send(i);
      // Four requests at a time and eight deliveries held at most: the claim takes all seven (it had room for
      // eight, so it left nothing behind) and leaves room for one, less than the two a claim waits for.
      const claims = startWorker({ concurrency: 4, endpointConcurrency: 2 });
      await waitUntil(() => receiver.open() === 4, 5_000, 'four requests in flight');
      await send(7);
      running!.worker.wake();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(receiver.acknowledged('/e7').size).toBe(0);
      // The seven finish and free room: the wake-up is acted on then, not at the next poll a minute later.
      receiver.release();
      await waitUntil(() => receiver.acknowledged('/e7').size === 1, 10_000, 'the new message delivered');
      // The last of the seven may still be answering when the new one is.
      await waitUntil(() => receiver.acknowledged().size === 8, 10_000, 'all eight delivered');
      expect(claims.all).toBeGreaterThanOrEqual(2);
    },
  );
});
