import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectValidationShape } from './support.js';
import { apiFixture, DIALECTS, type ApiFixture } from '../helpers/env.js';
import { waitUntil } from '../helpers/tracking-receiver.js';

const SCHEMA = {
  '1': {
    type: 'object',
    properties: { n: { type: 'integer' } },
    required: ['n'],
  },
};

describe.each(DIALECTS)('sending messages that arrive together ($name)', ({ name, make, skip }) => {
  let f: ApiFixture;
  let writes = 0;
  /** While set, each write waits for it before it starts. */
  let gate: Promise<void> | null = null;
  let writing = 0;

  beforeAll(async () => {
    if (skip) return;
    f = await apiFixture(make);
    // Count the outbox transactions by watching the real store's write.
    const write = f.store.messageCreateMany.bind(f.store);
    f.store.messageCreateMany = async (inputs) => {
      writes++;
      writing++;
      try {
        await gate;
        return await write(inputs);
      } finally {
        writing--;
      }
    };
    const post = (url: string, payload: unknown) =>
      f.api.inject({ method: 'POST', url: `/api/v1${url}`, headers: f.admin, payload: payload as object });
    expect(
      (await post('/event-type', { name: 'count.up', description: 'n', schemas: SCHEMA })).statusCode,
    ).toBe(201);
    expect((await post('/app', { name: 'Group', uid: 'group' })).statusCode).toBe(201);
    for (const channel of ['a', 'b'])
      expect(
        (await post('/app/group/endpoint', { url: `https://example.com/${channel}`, channels: [channel] }))
          .statusCode,
      ).toBe(201);
  });
  afterAll(async () => f?.close());

  it.skipIf(skip)(
    'shares transactions, answers each request with its own message, and fails only the invalid one',
    async () => {
      writes = 0;
      const send = (n: unknown, channel: string, eventId?: string) =>
        f.api.inject({
          method: 'POST',
          url: '/api/v1/app/group/msg',
          headers: f.admin,
          payload: {
            eventType: 'count.up',
            payload: { n },
            channels: [channel],
            ...(eventId ? { eventId } : {}),
          },
        });
      const responses = await Promise.all([
        ...Array.from({ length: 20 }, (_, i) => send(i, i % 2 === 0 ? 'a' : 'b')),
        send('not a number', 'a'),
        send(100, 'a', 'evt-dup'),
        send(101, 'a', 'evt-dup'),
      ]);
      const bodies = responses.map((response) => response.json());
      expect(responses.slice(0, 20).map((response) => response.statusCode)).toEqual(Array(20).fill(202));
      expect(bodies.slice(0, 20).map((body) => body.payload.n)).toEqual(
        Array.from({ length: 20 }, (_, i) => i),
      );
      expect(new Set(bodies.slice(0, 20).map((body) => body.id)).size).toBe(20);
      expect(responses[20]!.statusCode).toBe(422);
      expect(expectValidationShape(bodies[20]).text).toContain('body.payload.n must be integer');
      // Two requests with one eventId sent at once create one message: one is answered 202 with it, the other
      // 409 naming it, as in Svix. Which of the two gets there first is not determined by the order they were sent.
      const statuses = [responses[21]!.statusCode, responses[22]!.statusCode];
      expect([...statuses].sort()).toEqual([202, 409]);
      const [accepted, refused] = statuses[0] === 202 ? [bodies[21], bodies[22]] : [bodies[22], bodies[21]];
      expect(refused.code).toBe('conflict');
      expect(refused.detail).toContain(accepted.id);
      expect([100, 101]).toContain(accepted.payload.n);
      expect(writes).toBeLessThan(5);

      // Each message was routed by its own channel: one delivery each, to the right endpoint.
      for (const [i, body] of bodies.slice(0, 20).entries()) {
        const endpoints = await f.api.inject({
          method: 'GET',
          url: `/api/v1/app/group/msg/${body.id}/endpoint`,
          headers: f.admin,
        });
        expect(endpoints.json().data.map((e: { url: string }) => e.url)).toEqual([
          `https://example.com/${i % 2 === 0 ? 'a' : 'b'}`,
        ]);
      }
      const listed = await f.api.inject({
        method: 'GET',
        url: '/api/v1/app/group/msg?limit=100',
        headers: f.admin,
      });
      expect(listed.json().data).toHaveLength(21);
    },
  );

  it.skipIf(skip)(
    'writes a large request beside one in progress where the database takes concurrent writers; small ones wait',
    async () => {
      writes = 0;
      let open!: () => void;
      gate = new Promise((resolve) => (open = resolve));
      const batch = (count: number) =>
        f.api.inject({
          method: 'POST',
          url: '/api/v1/app/group/msg/batch',
          headers: f.admin,
          payload: {
            messages: Array.from({ length: count }, (_, n) => ({
              eventType: 'count.up',
              payload: { n },
              channels: ['a'],
            })),
          },
        });
      const first = batch(600);
      await waitUntil(() => writes === 1, 5_000, 'the first write');
      const large = batch(600);
      if (name === 'postgres') await waitUntil(() => writes === 2, 5_000, 'the large request written beside');
      const small = batch(1);
      // What waits for the write in progress does not start one of its own.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(writing).toBe(name === 'postgres' ? 2 : 1);
      gate = null;
      open();
      const responses = await Promise.all([first, large, small]);
      expect(responses.map((response) => response.statusCode)).toEqual([202, 202, 202]);
      expect(responses.map((response) => response.json().data.length)).toEqual([600, 600, 1]);
      expect(writes).toBe(name === 'postgres' ? 3 : 2);
    },
  );
});
