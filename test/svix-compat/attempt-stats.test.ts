/**
 * Svix's attempt count, attempt headers, cancel-msgs and the statistics read at once, through HTTP (the svix SDK
 * has none of these calls), with real receivers, on SQLite and PostgreSQL.
 */
import { expect, it } from 'vitest';
import {
  createTestApp,
  createTestEndpoint,
  createTestMsgWith,
  describeSvix,
  eventually,
  type Json,
} from './support.js';

const iso = (ms: number) => new Date(ms).toISOString();
const sumOf = (counts: number[]) => counts.reduce((a, b) => a + b, 0);

describeSvix('attempt count, headers, cancel-msgs and statistics', (h) => {
  it('counts an endpoint attempts with the listing filters and shows an attempt headers', async () => {
    const { client } = h.server();
    const app = (await createTestApp(client, 'count')).id;
    const receiver = await h.receiver(200, '{"ok":true}');
    const ep = (
      await createTestEndpoint(client, app, receiver.url, {
        headers: { 'x-team': 'billing', 'x-api-key': 'very-secret' },
      })
    ).id;
    const m1 = await createTestMsgWith(client, app, { a: 1 }, 'count.one', []);
    await createTestMsgWith(client, app, { a: 2 }, 'count.two', []);
    await receiver.waitFor(2);
    const base = `api/v1/app/${app}/attempt/endpoint/${ep}/count`;
    await eventually(async () => expect(await client.get(base)).toEqual({ count: 2, approximated: false }));
    expect((await client.get(`${base}?status=0`)).count).toBe(2);
    expect((await client.get(`${base}?status=2`)).count).toBe(0);
    expect((await client.get(`${base}?status_code_class=200`)).count).toBe(2);
    expect((await client.get(`${base}?event_types=count.one`)).count).toBe(1);
    expect((await client.get(`${base}?tag=x`)).count).toBe(0);
    expect((await client.get(`${base}?before=${iso(Date.parse(m1.timestamp) - 60_000)}`)).count).toBe(0);
    expect(JSON.stringify(await client.get(`${base}?status=9`, 422))).toContain('status');
    await client.get(`api/v1/app/${app}/attempt/endpoint/ep_unknown/count`, 404);

    const attempt = (await client.get(`api/v1/app/${app}/attempt/msg/${m1.id}/`)).data[0];
    const headers = await client.get(`api/v1/app/${app}/msg/${m1.id}/attempt/${attempt.id}/headers`);
    expect(headers.sentHeaders).toMatchObject({ 'x-team': 'billing', 'svix-id': m1.id });
    expect(headers.sentHeaders).not.toHaveProperty('x-api-key');
    expect(headers.sensitive).toEqual(['x-api-key']);
    expect(headers.responseHeaders).toContainEqual(['content-type', 'application/json']);
    await client.get(`api/v1/app/${app}/msg/${m1.id}/attempt/atmpt_unknown/headers`, 404);
  });

  it('cancels the pending messages created before a time, and counts them in the statistics', async () => {
    const { client } = h.server();
    const app = (await createTestApp(client, 'cancel')).id;
    const failing = await h.receiver(500);
    // One retry, an hour later: after its first attempt the delivery waits, pending.
    const ep = (await createTestEndpoint(client, app, failing.url, { retrySchedule: [3600] })).id;
    const msg = await createTestMsgWith(client, app, { a: 1 }, 'cancel.me', []);
    await failing.waitFor(1);
    const state = async (id: string) =>
      (await client.get(`api/v1/app/${app}/msg/${id}/endpoint/`)).data[0].statusText;
    await eventually(async () => expect(await state(msg.id)).toBe('sending'));
    const cutOff = iso(Date.parse(msg.timestamp) + 1);
    expect(
      await client.post(`api/v1/app/${app}/endpoint/${ep}/cancel-msgs`, { createdBefore: cutOff }, 204),
    ).toBe(null);
    expect(await state(msg.id)).toBe('canceled');
    expect((await client.get(`api/v1/app/${app}/endpoint/${ep}/stats`)).canceled).toBe(1);
    // A message created after the cut-off is sent as usual.
    failing.answer(() => ({ status: 200, body: 'ok' }));
    const later = await createTestMsgWith(client, app, { a: 2 }, 'cancel.me', []);
    await eventually(async () => expect(await state(later.id)).toBe('success'));
    const bad = await client.post(`api/v1/app/${app}/endpoint/${ep}/cancel-msgs`, {}, 422);
    expect(JSON.stringify(bad)).toContain('createdBefore');

    const now = Date.now();
    const since = iso(now - 3_600_000);
    const until = iso(now + 3_600_000);
    const stats = await client.get(`api/v1/app/${app}/stats/attempts?since=${since}&until=${until}`);
    expect(stats).toMatchObject({
      total_success: 1,
      total_failure: 1,
      total_canceled: 1,
      by_event_type: { 'cancel.me': { success: 1, failure: 1, canceled: 1 } },
    });
    const none = await client.get(
      `api/v1/app/${app}/stats/attempts?since=${since}&until=${until}&event_types=other.type`,
    );
    expect(none).toMatchObject({ by_event_type: {}, total_success: 0 });
    await client.get(`api/v1/app/${app}/stats/attempts?since=${until}&until=${since}`, 400);

    const series: Json = await client.get(
      `api/v1/stats/app/${app}/attempt?startDate=${since}&endDate=${until}&period=OneHour`,
    );
    expect(series).toMatchObject({ period: 'OneHour', startDate: since, endDate: until });
    expect(series.data.successCount).toHaveLength(2);
    expect(sumOf(series.data.successCount)).toBe(1);
    expect(sumOf(series.data.failureCount)).toBe(1);
    expect(sumOf(series.data.canceledCount)).toBe(1);
    const tooMany = await client.get(
      `api/v1/stats/app/${app}/attempt?startDate=${iso(Date.now() - 80 * 86_400_000)}&period=FiveMinutes`,
      400,
    );
    expect(JSON.stringify(tooMany)).toContain('period');
  });

  it('counts active applications and endpoints, leaving out Svix Play and disabled ones as asked', async () => {
    const { client } = await h.start();
    const active = (await createTestApp(client, 'active')).id;
    const disabled = (await createTestApp(client, 'disabled')).id;
    const play = (await createTestApp(client, 'play')).id;
    await createTestEndpoint(client, active, 'https://example.com/hook');
    await createTestEndpoint(client, disabled, 'https://example.com/off', { disabled: true });
    await createTestEndpoint(client, play, 'https://play.svix.com/in/e_abc/');
    await createTestApp(client, 'no-endpoints');
    expect(await client.get('api/v1/app/stats/count-active')).toEqual({ count: 1 });
    expect(await client.get('api/v1/app/stats/count-active?exclude_svix_play=false')).toEqual({ count: 2 });
    expect(
      await client.get('api/v1/app/stats/count-active?exclude_svix_play=false&exclude_disabled=false'),
    ).toEqual({ count: 3 });
    expect(await client.get('api/v1/stats/endpoint/count')).toEqual({ active: 1, disabled: 1 });
    expect(await client.get('api/v1/stats/endpoint/count?exclude_svix_play=false')).toEqual({
      active: 2,
      disabled: 1,
    });
  });
});
