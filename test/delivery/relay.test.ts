/**
 * A relay endpoint's attempts (`delivery/relay.ts`) with a listener played through the API's relay routes: an
 * attempt is the request handed to whichever poll takes it, its outcome is the listener's report, and a request
 * taken but never reported ends as a timeout and is retried. Real store, real worker, the API through inject().
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, DIALECTS, type ApiFixture } from '../helpers/env.js';
import { startTestWorker, type TestWorker } from '../helpers/worker.js';
import { waitUntil } from '../helpers/tracking-receiver.js';

for (const dialect of DIALECTS)
  describe.skipIf(dialect.skip)(`relay endpoints (${dialect.name})`, { timeout: 60_000 }, () => {
    let fx: ApiFixture;
    let worker: TestWorker;
    let key: { authorization: string };

    beforeAll(async () => {
      fx = await apiFixture(dialect.make);
      worker = startTestWorker(fx.store, fx.vault, {
        concurrency: 4,
        endpointConcurrency: 2,
        pollIntervalMs: 50,
      });
      const app = await fx.post('/app', { name: 'relay', uid: 'relay' });
      key = await fx.appKey(app.id);
    });

    afterAll(async () => {
      await worker?.stop();
      await fx?.close();
    });

    const inject = (method: 'GET' | 'POST', url: string, payload?: object) =>
      fx.api.inject({ method, url: `/api/v1${url}`, headers: key, ...(payload && { payload }) });

    async function relayEndpoint(uid: string, settings: object = {}) {
      return fx.post<{ id: string }>('/app/relay/endpoint', { uid, url: `relay://${uid}`, ...settings });
    }

    async function take(endpointId: string) {
      let taken: Array<{ id: string; msgId: string; headers: Record<string, string>; body: string }> = [];
      await waitUntil(
        async () => {
          const response = await inject('POST', `/app/relay/endpoint/${endpointId}/relay/take?wait=1`);
          expect(response.statusCode).toBe(200);
          taken = response.json().data;
          return taken.length > 0;
        },
        10_000,
        'a relay request',
      );
      return taken;
    }

    const attempts = async (endpointId: string) =>
      (await inject('GET', `/app/relay/attempt/endpoint/${endpointId}`)).json().data as Array<{
        responseStatusCode: number;
        response: string;
        errorClass: string | null;
      }>;

    it('records the reported response as the attempt, and hands each request to one poll', async () => {
      const endpoint = await relayEndpoint('reported');
      const message = await fx.post<{ id: string }>('/app/relay/msg', {
        eventType: 'a.b',
        payload: { n: 1 },
      });
      const [request] = await take(endpoint.id);
      expect(request!.msgId).toBe(message.id);
      expect(request!.headers['webhook-id']).toBe(message.id);
      expect(JSON.parse(Buffer.from(request!.body, 'base64').toString())).toEqual({ n: 1 });
      // Taken: a second poll gets nothing.
      const again = await inject('POST', `/app/relay/endpoint/${endpoint.id}/relay/take?wait=0`);
      expect(again.json().data).toEqual([]);
      const answer = await inject('POST', `/app/relay/endpoint/${endpoint.id}/relay/${request!.id}`, {
        status: 202,
        headers: { 'x-local': 'yes' },
        body: 'accepted here',
        durationMs: 7,
      });
      expect(answer.statusCode).toBe(204);
      await waitUntil(async () => (await attempts(endpoint.id)).length === 1, 10_000, 'the attempt');
      expect((await attempts(endpoint.id))[0]).toMatchObject({
        responseStatusCode: 202,
        response: 'accepted here',
        errorClass: null,
      });
      // Reported once only.
      const twice = await inject('POST', `/app/relay/endpoint/${endpoint.id}/relay/${request!.id}`, {
        status: 500,
        durationMs: 1,
      });
      expect(twice.statusCode).toBe(404);
    });

    it('fails an attempt taken but never reported as a timeout, and retries it', async () => {
      const endpoint = await relayEndpoint('silent', { timeoutSeconds: 1, retrySchedule: [0] });
      await fx.post('/app/relay/msg', { eventType: 'a.b', payload: { n: 2 } });
      const [first] = await take(endpoint.id);
      // No report: after the timeout and the margin, the attempt is a timeout and the delivery comes again.
      const [second] = await take(endpoint.id);
      expect(second!.msgId).toBe(first!.msgId);
      expect(second!.id).not.toBe(first!.id);
      await waitUntil(async () => (await attempts(endpoint.id)).length === 1, 10_000, 'the attempt');
      expect((await attempts(endpoint.id))[0]).toMatchObject({
        responseStatusCode: 0,
        errorClass: 'timeout',
      });
      const late = await inject('POST', `/app/relay/endpoint/${endpoint.id}/relay/${first!.id}`, {
        status: 200,
        durationMs: 1,
      });
      expect(late.statusCode).toBe(404);
    });
  });
