/**
 * Requests that may create the application they name: a message or batch with `application`, and a consumer
 * portal link with `application`. Both create it once, even when requests race, and refuse without it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, DIALECTS, type ApiFixture } from '../helpers/env.js';
import { client, expectError, type Client } from './support.js';

describe.each(DIALECTS)('applications created inline ($name)', ({ make, skip }) => {
  let f: ApiFixture;
  let admin: Client;
  beforeAll(async () => {
    if (skip) return;
    f = await apiFixture(make);
    admin = client(f);
  });
  afterAll(async () => f?.close());

  const message = { eventType: 'user.signup', payload: { n: 1 } };
  const withUid = async (uid: string) =>
    ((await admin.get('/app?limit=250')).json().data as Array<{ uid: string | null }>).filter(
      (app) => app.uid === uid,
    );

  it.skipIf(skip)('refuses a message to an unknown application that does not describe it', async () => {
    expectError(await admin.post('/app/nobody/msg', message), 404, 'not_found', /nobody/);
    expectError(await admin.post('/app/nobody/msg/batch', { messages: [message] }), 404, 'not_found');
    expect(await withUid('nobody')).toEqual([]);
  });

  it.skipIf(skip)(
    "creates the application a message describes, whose uid must be the path's id",
    async () => {
      // As in Svix: the description must name its uid, and it must be the path's.
      expectError(
        await admin.post('/app/inline-one/msg', { ...message, application: { name: 'Inline one' } }),
        422,
        'validation',
        /body\.application\.uid is required/,
      );
      const res = await admin.post('/app/inline-one/msg', {
        ...message,
        application: { name: 'Inline one', uid: 'inline-one', metadata: { plan: 'free' } },
      });
      expect(res.statusCode, res.body).toBe(202);
      expect((await admin.get('/app/inline-one')).json()).toMatchObject({
        name: 'Inline one',
        uid: 'inline-one',
        metadata: { plan: 'free' },
      });
      const own = await admin.post('/app/inline-path/msg/batch', {
        messages: [message, { ...message, application: { name: 'Own uid', uid: 'inline-own' } }],
      });
      expectError(own, 422, 'validation', /must match the application in the path/);
      expect(await withUid('inline-own')).toEqual([]);
      expect(await withUid('inline-path')).toEqual([]);
    },
  );

  it.skipIf(skip)('creates one application for messages that race to create it', async () => {
    const sends = Array.from({ length: 8 }, () =>
      admin.post('/app/inline-race/msg', { ...message, application: { name: 'Raced', uid: 'inline-race' } }),
    );
    for (const res of await Promise.all(sends)) expect(res.statusCode, res.body).toBe(202);
    expect(await withUid('inline-race')).toHaveLength(1);
    expect((await admin.get('/app/inline-race/msg')).json().data).toHaveLength(8);
  });

  it.skipIf(skip)(
    'creates the application a portal link describes, once, and checks it only then',
    async () => {
      const conflicting = { name: 'Portal', throttleRate: 5, rateLimit: 6 };
      expectError(
        await admin.post('/auth/app-portal-access/inline-portal', { application: conflicting }),
        422,
        'validation',
        /throttleRate/,
      );
      expect(await withUid('inline-portal')).toEqual([]);
      const created = await admin.post('/auth/app-portal-access/inline-portal', {
        application: { name: 'Portal', uid: 'inline-portal', rateLimit: 7 },
      });
      expect(created.statusCode, created.body).toBe(200);
      expect((await admin.get('/app/inline-portal')).json()).toMatchObject({
        name: 'Portal',
        throttleRate: 7,
      });
      // The application exists now: what the body says about it is not read.
      const again = await admin.post('/auth/app-portal-access/inline-portal', { application: conflicting });
      expect(again.statusCode, again.body).toBe(200);
      expect(await withUid('inline-portal')).toHaveLength(1);
    },
  );
});
