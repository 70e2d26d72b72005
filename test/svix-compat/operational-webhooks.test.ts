/**
 * Port of Svix's e2e_operational_webhooks.rs. Svix sends operational webhooks from a management organisation
 * whose application (uid = the organisation's id) the test creates with its endpoint; Herald sends them from its
 * internal application `herald-operational` to HERALD_OPERATOR_WEBHOOK_URL, set here to the test's receiver.
 */
import { expect, it } from 'vitest';
import type { Receiver } from '../helpers/receiver.js';
import {
  createTestApp,
  createTestEndpoint,
  createTestMessage,
  describeSvix,
  eventually,
  type Json,
} from './support.js';

/** The next operational webhook the receiver got after the `seen` first ones, parsed. */
async function next(receiver: Receiver, seen: number): Promise<Json> {
  return JSON.parse((await receiver.waitFor(seen + 1))[seen]!.body);
}

describeSvix('e2e_operational_webhooks', (h) => {
  it('test_endpoint_create_update_and_delete', async () => {
    const operator = await h.receiver();
    const { client } = await h.start({ HERALD_OPERATOR_WEBHOOK_URL: operator.url });
    const app = await createTestApp(client, 'TestOperationalWebhookApplicationRegular');
    let ep = await createTestEndpoint(client, app.id, 'http://junk.url');
    const about = (event: Json) => [
      event.data.appId,
      event.data.appUid,
      event.data.endpointId,
      event.data.endpointUid,
    ];

    let event = await next(operator, 0);
    expect(event.type).toBe('endpoint.created');
    expect(about(event)).toEqual([app.id, app.uid, ep.id, ep.uid]);

    ep = await client.put(`api/v1/app/${app.id}/endpoint/${ep.id}/`, {
      description: 'Updated description',
      url: operator.url,
      version: 1,
    });
    event = await next(operator, 1);
    expect(event.type).toBe('endpoint.updated');
    expect(about(event)).toEqual([app.id, app.uid, ep.id, ep.uid]);

    await client.post(`api/v1/app/${app.id}/endpoint/${ep.id}/secret/rotate/`, {}, 204);
    expect((await next(operator, 2)).type).toBe('endpoint.updated');

    await client.delete(`api/v1/app/${app.id}/endpoint/${ep.id}/`);
    event = await next(operator, 3);
    expect(event.type).toBe('endpoint.deleted');
    expect(about(event)).toEqual([app.id, app.uid, ep.id, ep.uid]);
  });

  it('test_message_attempt_operational_webhooks', async () => {
    const operator = await h.receiver();
    const { client } = await h.start({ HERALD_OPERATOR_WEBHOOK_URL: operator.url });
    const app = await createTestApp(client, 'TestOperationalWebhookApplicationRegular');
    // Svix's server-wide schedule of five quick retries, as the endpoint's own; nothing listens at the URL.
    const failing = await h.receiver(500);
    const ep = await createTestEndpoint(client, app.id, failing.url, { retrySchedule: [0, 0, 0, 0, 0] });
    const msg = await createTestMessage(client, app.id, { test: 'data' });
    // The message's events, in order; endpoint events (Svix sends endpoint.created first) are passed over.
    const events = await eventually(async () => {
      const found = operator.received
        .map((request) => JSON.parse(request.body) as Json)
        .filter((event) => !String(event.type).startsWith('endpoint.'));
      expect(found.length).toBeGreaterThanOrEqual(2);
      return found;
    });
    expect(events.map((event) => event.type).slice(0, 2)).toEqual([
      'message.attempt.failing',
      'message.attempt.exhausted',
    ]);
    for (const event of events.slice(0, 2))
      expect([event.data.appId, event.data.appUid, event.data.msgId, event.data.endpointId]).toEqual([
        app.id,
        app.uid,
        msg.id,
        ep.id,
      ]);
  });

  // Herald lists them only with HERALD_OPERATIONAL_EVENT_TYPES=catalogue; by default its catalogue holds the
  // platform's own event types only, which customers pick from (and which the other suites here count).
  it('test_operational_webhooks_event_types_exist', async () => {
    const operator = await h.receiver();
    const { client } = await h.start({
      HERALD_OPERATOR_WEBHOOK_URL: operator.url,
      HERALD_OPERATIONAL_EVENT_TYPES: 'catalogue',
    });
    for (const eventType of [
      'message.attempt.failing',
      'message.attempt.exhausted',
      'endpoint.created',
      'endpoint.deleted',
      'endpoint.disabled',
      'endpoint.updated',
    ])
      await client.get(`api/v1/event-type/${eventType}/`);
  });
});
