/**
 * Logs carry no personal data: payloads, bodies, headers, credentials, URL query strings and userinfo are sent
 * through ingest, delivery, failures (500, refused connection, timeout, reset, 410) and a retry at level
 * `trace`, with the production logger writing to a stream this test reads, and no marked value may appear there
 * or in the audit log.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/runtime.js';
import { HERALD_STORES, startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';

const MARK = 'PII-MARKER';
const SECRET = 'whsec_' + Buffer.from('PII-MARKER-secret-0123456789abcdef').toString('base64');

describe.each(HERALD_STORES)('logs on $dialect', ({ postgres, skip }) => {
  const lines: string[] = [];
  const receivers: Receiver[] = [];
  let h: RunningHerald;

  beforeAll(async () => {
    if (skip) return;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger(loadConfig({ HERALD_LOG_LEVEL: 'trace' }), sink);
    h = await startTestHerald({ HERALD_LOG_LEVEL: 'trace' }, { postgres, logger });
  });
  afterAll(async () => {
    vi.useRealTimers();
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await h?.close();
  });

  async function receiver(): Promise<Receiver> {
    const started = await startReceiver();
    receivers.push(started);
    return started;
  }

  /** An endpoint whose URL carries marked userinfo and a marked query string, with a marked custom header. */
  async function endpoint(base: string, settings: Record<string, unknown> = {}): Promise<string> {
    const url = new URL(`${base}/hook?token=${MARK}-query&plain=${MARK}-plain`);
    url.username = 'pii-user';
    url.password = `${MARK}-userinfo`;
    const created = await h.call('POST', '/app/pii-app/endpoint', {
      url: url.toString(),
      secret: SECRET,
      headers: { 'x-api-token': `${MARK}-header-token`, 'x-customer': `${MARK}-header-plain` },
      ...settings,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.id as string;
  }

  async function attemptsOf(msgId: string, count: number): Promise<void> {
    for (let i = 0; i < 1200; i++) {
      const list = await h.call('GET', `/app/pii-app/attempt/msg/${msgId}?limit=50`);
      if (list.body.data.length >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const list = await h.call('GET', `/app/pii-app/attempt/msg/${msgId}?limit=50`);
    throw new Error(`expected ${count} attempts of ${msgId}, got ${JSON.stringify(list.body.data)}`);
  }

  // Two rounds of attempts, one of them a 1 s timeout, each waited for with a bound of its own: on a loaded
  // machine (the whole suite in parallel) they take longer than vitest's default 30 s for the whole test.
  it.skipIf(skip)(
    'never writes a marked value through ingest, delivery, failures and retries',
    { timeout: 120_000 },
    async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      await h.call('POST', '/app', { name: 'PII app', uid: 'pii-app' });

      const failing = await receiver();
      let calls = 0;
      failing.answer(() =>
        ++calls === 1
          ? { status: 500, headers: { 'x-echo': `${MARK}-response-header` }, body: `${MARK}-response-500` }
          : { status: 200, body: `${MARK}-response-200` },
      );
      await endpoint(failing.url);

      const closed = await receiver();
      const closedUrl = closed.url;
      await closed.close();
      receivers.splice(receivers.indexOf(closed), 1);
      await endpoint(closedUrl);

      const hanging = await receiver();
      hanging.answer(() => ({ hang: true }));
      const hangingId = await endpoint(hanging.url, { timeoutSeconds: 1 });
      const auth = await h.call('PUT', `/app/pii-app/endpoint/${hangingId}/auth`, {
        type: 'basic',
        username: 'pii-user',
        password: `${MARK}-basic-password`,
      });
      expect(auth.status, JSON.stringify(auth.body)).toBeLessThan(300);

      const resetting = await receiver();
      resetting.answer(() => ({ reset: true }));
      await endpoint(resetting.url);

      const gone = await receiver();
      gone.answer(() => ({ status: 410, body: `${MARK}-response-410` }));
      await endpoint(gone.url);

      // Refused input: a payload that is not an object, and an endpoint URL that is not one.
      const refused = await h.call('POST', '/app/pii-app/msg', { eventType: 'x', payload: `${MARK}-bad` });
      expect(refused.status).toBe(422);
      const badUrl = await h.call('POST', '/app/pii-app/endpoint', {
        url: `ftp://u:${MARK}@example/?${MARK}`,
      });
      expect(badUrl.status).toBe(422);
      const sent = await h.call('POST', '/app/pii-app/msg', {
        eventType: 'customer.updated',
        payload: { customer: { email: `${MARK}-email@example.com`, card_number: `${MARK}-card` } },
      });
      expect(sent.status, JSON.stringify(sent.body)).toBe(202);
      const msgId = sent.body.id as string;
      await attemptsOf(msgId, 5);

      // The retry: move the clock past every first backoff, and wait for the second round.
      vi.setSystemTime(Date.now() + 60 * 60 * 1000);
      await failing.waitFor(2);
      await attemptsOf(msgId, 8);

      // A NUL character, which PostgreSQL refuses in text: its error quotes the JSON it could not store. Sent
      // after both rounds: a stored one is delivered too, and its 410 must not disable that endpoint before the
      // message above is routed to it.
      const nul = await h.call('POST', '/app/pii-app/msg', {
        eventType: 'x',
        payload: { note: `${MARK}-nul-before\u0000${MARK}-nul-after` },
      });
      expect(nul.status, JSON.stringify(nul.body)).toBeLessThan(500);

      // The audit log, kept for ever, records the endpoints' URLs without their passwords and query values.
      const audit = await h.call('GET', '/audit-log?limit=250');
      expect(audit.body.data.length).toBeGreaterThan(0);
      expect(JSON.stringify(audit.body)).not.toContain(MARK);

      const log = lines.join('');
      if (process.env.DUMP_LOG) console.log(log);
      expect(lines.length).toBeGreaterThan(0);
      for (const forbidden of [MARK, 'pii-user', SECRET, h.token, 'x-api-token', 'x-customer'])
        expect(log, `the log holds ${forbidden}`).not.toContain(forbidden);
    },
  );
});

describe('the log serializer', () => {
  it('drops the fields of an error that quote stored values', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger(loadConfig({ HERALD_LOG_LEVEL: 'trace' }), sink);
    const error = Object.assign(new Error('duplicate key value violates unique constraint'), {
      code: '23505',
      detail: `Key (uid)=(${MARK}-detail) already exists.`,
      where: `JSON data, line 1: {"email": "${MARK}-where`,
      parameters: [`${MARK}-parameter`],
    });
    logger.error({ err: error }, 'a statement failed');
    const entry = JSON.parse(lines.join('')) as { err: Record<string, unknown> };
    expect(entry.err).toMatchObject({ message: error.message, code: '23505' });
    expect(lines.join('')).not.toContain(MARK);
  });
});
