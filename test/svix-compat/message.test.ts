/** Port of Svix's e2e_message.rs: message create, read and list, content, retries, retention, conflicts, raw payloads. */
import { expect, it } from 'vitest';
import {
  createTestApp,
  createTestEndpoint,
  createTestMsgWith,
  describeSvix,
  eventually,
  messageIn,
  unique,
  type SvixClient,
} from './support.js';

/** Waits until one of the message's attempts got an answer with `status`. */
async function attemptAnswered(
  client: SvixClient,
  app: string,
  msgId: string,
  status: number,
): Promise<void> {
  await eventually(async () => {
    const attempts = await client.get(`api/v1/app/${app}/attempt/msg/${msgId}/`);
    expect(attempts.data.map((a: { responseStatusCode: number }) => a.responseStatusCode)).toContain(status);
  });
}

describeSvix('e2e_message', (h) => {
  it('test_message_create_read_list', async () => {
    const { client } = h.server();
    const app = (await createTestApp(client, 'v1MessageCRTestApp')).id;
    await createTestEndpoint(client, app, 'http://localhost:2/bad/url/');
    const m1 = await client.post(`api/v1/app/${app}/msg/`, messageIn(app, { test: 'value' }), 202);
    const m2 = await client.post(`api/v1/app/${app}/msg/`, messageIn(app, { test: 'value2' }), 202);
    const m3 = await createTestMsgWith(client, app, { test: 'data3' }, 'balloon.popped', ['news']);
    expect(await client.get(`api/v1/app/${app}/msg/${m1.id}/`)).toEqual(m1);
    expect(await client.get(`api/v1/app/${app}/msg/${m2.id}/`)).toEqual(m2);
    let list = await client.get(`api/v1/app/${app}/msg/`);
    expect(list.data).toHaveLength(3);
    for (const m of [m1, m2, m3]) expect(list.data).toContainEqual(m);
    list = await client.get(`api/v1/app/${app}/msg/?channel=news`);
    expect(list.data).toEqual([m3]);
  });

  it('test_message_create_read_list_with_content', async () => {
    const { client } = h.server();
    const app = (await createTestApp(client, 'v1MessageCRTestApp')).id;
    await createTestEndpoint(client, app, 'http://localhost:2/bad/url/');
    const payload = { test: 'value' };
    const m1 = await client.post(`api/v1/app/${app}/msg/`, messageIn(app, payload), 202);
    expect(m1.payload).toEqual(payload);
    const m2 = await client.post(`api/v1/app/${app}/msg/?with_content=false`, messageIn(app, payload), 202);
    expect(m2.payload).toEqual({});
    const m1Without = { ...m1, payload: {} };
    const m2With = { ...m2, payload };
    for (const m of [m1, m2With]) expect(await client.get(`api/v1/app/${app}/msg/${m.id}/`)).toEqual(m);
    for (const m of [m1Without, m2])
      expect(await client.get(`api/v1/app/${app}/msg/${m.id}/?with_content=false`)).toEqual(m);
    let list = await client.get(`api/v1/app/${app}/msg/`);
    expect(list.data).toHaveLength(2);
    for (const m of [m1, m2With]) expect(list.data).toContainEqual(m);
    list = await client.get(`api/v1/app/${app}/msg/?with_content=false`);
    expect(list.data).toHaveLength(2);
    for (const m of [m1Without, m2]) expect(list.data).toContainEqual(m);
  });

  it('test_failed_message_gets_recorded', async () => {
    const { client } = h.server();
    const app = (await createTestApp(client, 'v1MessageCRTestApp')).id;
    const receiver = await h.receiver(500);
    await createTestEndpoint(client, app, receiver.url);
    const msg = await client.post(`api/v1/app/${app}/msg/`, messageIn(app, { test: 'value' }), 202);
    await receiver.waitFor(1);
    await attemptAnswered(client, app, msg.id, 500);
  });

  it('test_multiple_endpoints', async () => {
    const { client } = h.server();
    const app = (await createTestApp(client, 'v1MessageCRTestApp')).id;
    const r1 = await h.receiver(200);
    const r2 = await h.receiver(500);
    const r3 = await h.receiver(200);
    // Svix retries after 5 s at first; Herald's endpoint-level schedule stands in, with a short first retry.
    for (const r of [r1, r2, r3]) await createTestEndpoint(client, app, r.url, { retrySchedule: [1] });
    const payload = { test: 'value1' };
    const msg = await client.post(`api/v1/app/${app}/msg/`, messageIn(app, payload), 202);
    for (const r of [r1, r2, r3]) expect((await r.waitFor(1))[0]!.body).toBe(JSON.stringify(payload));
    r2.answer(() => ({ status: 200 }));
    expect((await r2.waitFor(2))[1]!.body).toBe(JSON.stringify(payload));
    await attemptAnswered(client, app, msg.id, 200);
  });

  it('test_failed_message_gets_requeued', async () => {
    const { client } = h.server();
    const app = (await createTestApp(client, 'v1MessageCRTestApp')).id;
    const receiver = await h.receiver(500);
    await createTestEndpoint(client, app, receiver.url, { retrySchedule: [1] });
    const payload = { test: 'value' };
    const msg = await client.post(`api/v1/app/${app}/msg/`, messageIn(app, payload), 202);
    await receiver.waitFor(1);
    receiver.answer(() => ({ status: 200 }));
    expect((await receiver.waitFor(2))[1]!.body).toBe(JSON.stringify(payload));
    await attemptAnswered(client, app, msg.id, 200);
  });

  it.skip(
    "test_payload_retention_period: it sets a row's expiry in Svix's messagecontent table and calls Svix's " +
      "expired-message cleaner directly. Herald applies a message's `payloadRetentionPeriod` and " +
      '`payloadRetentionHours` with its own retention pruner; test/api/privacy.test.ts sends such messages and ' +
      'runs the pruner past their expiry',
    () => {},
  );
  it.skip(
    "test_payload_retention_period_messagecontent: it reads the expiry Svix stores in its own table; Herald's " +
      "is its message's `payload_expires_at`, tested in test/api/privacy.test.ts",
    () => {},
  );

  it('test_expunge_message_payload', async () => {
    const { client } = h.server();
    const app = (await createTestApp(client, 'testApp')).id;
    const payload = { sensitive: 'data' };
    const msg = await client.post(`api/v1/app/${app}/msg/`, messageIn(app, payload), 202);
    expect(msg.payload).toEqual(payload);
    expect((await client.get(`api/v1/app/${app}/msg/${msg.id}/`)).payload).toEqual(payload);
    await client.delete(`api/v1/app/${app}/msg/${msg.id}/content/`);
    expect((await client.get(`api/v1/app/${app}/msg/${msg.id}/`)).payload).toEqual({ expired: true });
  });

  it('test_message_conflict', async () => {
    const { client } = h.server();
    const app = (await createTestApp(client, 'v1MessageCRTestApp')).id;
    await createTestEndpoint(client, app, 'http://localhost:2/bad/url/');
    const msg = {
      eventType: 'user.signup',
      payload: { test: 'value' },
      payloadRetentionPeriod: 5,
      eventId: 'test1',
    };
    await client.post(`api/v1/app/${app}/msg/`, msg, 202);
    await client.post(`api/v1/app/${app}/msg/`, msg, 409);
  });

  it('test_message_validation', async () => {
    const { client } = h.server();
    const app = (await createTestApp(client, 'testApp')).id;
    const payload = { large_payload: 'payload-'.repeat(1_000_000) };
    await client.post(`api/v1/app/${app}/msg/`, messageIn(app, payload), 413);
  });

  it('test_raw_payload', async () => {
    const { client } = h.server();
    const app = (await createTestApp(client, 'testRawPayload')).id;
    const receiver = await h.receiver();
    await createTestEndpoint(client, app, receiver.url);
    const payload = JSON.stringify({ test: 'value1' });
    await client.post(
      `api/v1/app/${app}/msg/`,
      { eventType: 'payload.raw', payload: {}, transformationsParams: { rawPayload: payload } },
      202,
    );
    expect((await receiver.waitFor(1))[0]!.body).toBe(payload);
  });

  it('test_create_message_with_application', async () => {
    const { client } = h.server();
    const uid = unique('app-created-in-cmg');
    const msg = { eventType: 'test.event', payload: { test: 'value' } };
    // Without `application` the missing application is 404.
    await client.post(`api/v1/app/${uid}/msg/`, msg, 404);
    await client.post(
      `api/v1/app/${uid}/msg/`,
      { ...msg, application: { name: 'Test App Created With Message', uid } },
      202,
    );
    let app = await client.get(`api/v1/app/${uid}/`);
    expect(app.uid).toBe(uid);
    expect(app.name).toBe('Test App Created With Message');
    // Once it exists, `application` is ignored.
    await client.post(
      `api/v1/app/${uid}/msg/`,
      { ...msg, application: { name: 'Updated name will be ignored', uid } },
      202,
    );
    app = await client.get(`api/v1/app/${uid}/`);
    expect(app.name).toBe('Test App Created With Message');
    // The uid in the body must match the path's.
    await client.post(
      `api/v1/app/${unique('different-uid')}/msg/`,
      { ...msg, payloadRetentionPeriod: 5, application: { name: 'Test App', uid } },
      422,
    );
    // And it must be there when the application is created.
    await client.post(
      `api/v1/app/${unique('new-app-uid')}/msg/`,
      { ...msg, payloadRetentionPeriod: 5, application: { name: 'Test App Without UID' } },
      422,
    );
  });
});
