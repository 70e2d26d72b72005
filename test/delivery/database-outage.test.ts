/**
 * A PostgreSQL outage under load, with no process restarted: one Herald (API and worker) takes a steady trickle
 * of single-message POSTs while its database goes away for about two seconds and comes back. Every message
 * answered 2xx reaches the receiver; every request the outage got in the way of is answered 503
 * `database_unavailable` with `Retry-After` (never a 500); the health check says the database is down, then up;
 * and delivery carries on by itself. Skipped without HERALD_TEST_DATABASE_URL.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshPgDatabase, PG_URL } from '../helpers/env.js';
import { startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { databaseOutage, type DatabaseOutage } from '../helpers/pg-outage.js';
import { reportFigure } from '../helpers/figures.js';
import { startTrackingReceiver, waitUntil, type TrackingReceiver } from '../helpers/tracking-receiver.js';

/** How long the database stays away once Herald has noticed. */
const OUTAGE_MS = 2000;
/** Generous bounds for each stage; the test passes as soon as each is reached. */
const STAGE_TIMEOUT_MS = 20_000;
/** Pause between the trickle's requests, and between health checks. */
const TRICKLE_PAUSE_MS = 10;
/** The trickle's requests at most, so that a stuck test still ends. */
const MAX_REQUESTS = 5000;
/**
 * Far shorter than a lease (3 × the 15 s delivery timeout + 30 s): a delivery that arrives within it was not
 * left leased until its lease ran out, even one whose claim committed while its answer was lost with its
 * connection (the worker gives such deliveries back at its next claim).
 */
const DELIVERED_TIMEOUT_MS = 30_000;

interface Answer {
  label: string;
  status: number;
  code: string | null;
  retryAfter: string | null;
  id: string | null;
}

describe.skipIf(!PG_URL)('a Herald through a PostgreSQL outage under load', { timeout: 150_000 }, () => {
  let database: Awaited<ReturnType<typeof freshPgDatabase>>;
  let outage: DatabaseOutage;
  let herald: RunningHerald;
  let receiver: TrackingReceiver;

  beforeEach(async () => {
    database = await freshPgDatabase();
    outage = databaseOutage(database.url);
    receiver = await startTrackingReceiver();
    herald = await startTestHerald({
      DATABASE_URL: database.url,
      HERALD_MASTER_KEY: randomBytes(32).toString('base64'),
    });
  });

  afterEach(async () => {
    await outage?.bringBack().catch(() => undefined);
    await herald?.herald.close().catch(() => undefined);
    await receiver?.close();
    await database?.drop();
  });

  /** A request with the admin key, its status, code and Retry-After kept; a network failure throws. */
  async function ask(method: string, path: string, body?: unknown) {
    const response = await fetch(`${herald.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${herald.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const json = (text === '' ? null : JSON.parse(text)) as Record<string, unknown> | null;
    return { status: response.status, json, retryAfter: response.headers.get('retry-after') };
  }

  it('answers 503 while the database is away, loses no accepted message, and resumes by itself', async () => {
    expect((await ask('POST', '/app', { name: 'outage', uid: 'outage' })).status).toBe(201);
    expect((await ask('POST', '/app/outage/endpoint', { url: `${receiver.url}/hook` })).status).toBe(201);

    const answers: Answer[] = [];
    const health: Array<{ status: number; code: string | null; retryAfter: string | null }> = [];
    let stopped = false;
    const trickle = (async () => {
      for (let n = 0; !stopped && n < MAX_REQUESTS; n++) {
        const label = `m${n}`;
        const sent = await ask('POST', '/app/outage/msg', { eventType: 'outage.load', payload: { label } });
        answers.push({
          label,
          status: sent.status,
          code: (sent.json?.code as string | undefined) ?? null,
          retryAfter: sent.retryAfter,
          id: sent.status === 202 ? (sent.json!.id as string) : null,
        });
        await new Promise((resolve) => setTimeout(resolve, TRICKLE_PAUSE_MS));
      }
    })();
    const checkHealth = async () => {
      const answer = await ask('GET', '/health');
      health.push({
        status: answer.status,
        code: (answer.json?.code as string | undefined) ?? null,
        retryAfter: answer.retryAfter,
      });
      return answer.status;
    };
    const accepted = () => answers.filter((answer) => answer.status === 202).length;
    const refused = () => answers.filter((answer) => answer.status === 503).length;

    let back = 0;
    try {
      await waitUntil(() => accepted() >= 20, STAGE_TIMEOUT_MS, 'messages accepted before the outage');
      await waitUntil(
        () => receiver.acknowledged().size >= 10,
        STAGE_TIMEOUT_MS,
        'deliveries before the outage',
      );

      await outage.takeAway();
      await waitUntil(
        async () => (await checkHealth()) === 503,
        STAGE_TIMEOUT_MS,
        'the health check to fail',
      );
      const refusedBefore = refused();
      await waitUntil(() => refused() > refusedBefore, STAGE_TIMEOUT_MS, 'a message refused in the outage');
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      // Still away: the health check says so for as long as it lasts.
      expect(await checkHealth()).toBe(503);
      await outage.bringBack();
      back = Date.now();

      await waitUntil(
        async () => (await checkHealth()) === 204,
        STAGE_TIMEOUT_MS,
        'the health check to pass',
      );
      reportFigure('PostgreSQL back to a passing health check', back);
      const acceptedBack = accepted();
      await waitUntil(
        () => accepted() >= acceptedBack + 20,
        STAGE_TIMEOUT_MS,
        'messages accepted after the outage',
      );
    } finally {
      stopped = true;
      await trickle;
    }

    // Every request was either accepted or refused as unavailable, with the time to wait.
    const others = answers.filter(
      (answer) =>
        answer.status !== 202 &&
        !(answer.status === 503 && answer.code === 'database_unavailable' && answer.retryAfter === '5'),
    );
    expect(others).toEqual([]);
    expect(refused()).toBeGreaterThan(0);
    const failedHealth = health.filter((answer) => answer.status === 503);
    expect(failedHealth.length).toBeGreaterThan(0);
    for (const answer of failedHealth)
      expect(answer).toEqual({ status: 503, code: 'database_unavailable', retryAfter: '5' });

    // Every message answered 202, before, during and after the outage, arrives; the worker was not restarted.
    const ids = answers.flatMap((answer) => (answer.id === null ? [] : [answer.id]));
    await waitUntil(
      () => ids.every((id) => receiver.acknowledged().has(id)),
      DELIVERED_TIMEOUT_MS,
      'every accepted message to arrive',
      () => `(${ids.filter((id) => !receiver.acknowledged().has(id)).length} of ${ids.length} missing)`,
    );
    reportFigure('PostgreSQL back to every accepted message delivered', back);
  });
});
