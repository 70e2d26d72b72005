/**
 * The raw ceiling's client, in its own process: an undici pool that POSTs the bench's 1 KiB JSON to the
 * receiver with `concurrency` requests in flight for `seconds`, as fast as the receiver answers. Herald's
 * throughput is reported as a ratio of this: the same body, the same receiver, the same concurrency, with
 * no queue, no database and no signing.
 */
import { Pool } from 'undici';
import { wallNow } from './clock.js';
import { serveCalls } from './ipc.js';
import { PAYLOAD_JSON } from './payload.js';
import { percentiles, type Percentiles } from './stats.js';

export interface CeilingResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  latencyMs: Percentiles;
  /** CPU time this client used per request: the cost of a bare undici request, to compare Herald's with. */
  cpuUsPerRequest: number;
}

/** Not counted: the first seconds run while connections open and code paths get compiled, in both processes. */
const WARM_UP_SECONDS = 2;

async function run(args: { origin: string; concurrency: number; seconds: number }): Promise<CeilingResult> {
  const pool = new Pool(args.origin, { connections: args.concurrency, keepAliveTimeout: 30_000 });
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'herald-bench-ceiling',
    'webhook-id': 'msg_ceiling',
    'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
  };
  let samples: number[] = [];
  let requests = 0;
  let errors = 0;
  let deadline = 0;
  const loop = async (lane: number) => {
    while (wallNow() < deadline) {
      const sent = wallNow();
      try {
        const response = await pool.request({
          path: `/ok/ceiling-${lane % 100}`,
          method: 'POST',
          headers,
          body: PAYLOAD_JSON,
        });
        await response.body.dump();
        if (response.statusCode !== 200) errors++;
      } catch {
        errors++;
      }
      requests++;
      if (samples.length < 200_000) samples.push(wallNow() - sent);
    }
  };
  deadline = wallNow() + WARM_UP_SECONDS * 1000;
  await Promise.all(Array.from({ length: args.concurrency }, (_, lane) => loop(lane)));
  samples = [];
  requests = 0;
  errors = 0;
  const started = wallNow();
  const cpuBefore = process.cpuUsage();
  deadline = started + args.seconds * 1000;
  await Promise.all(Array.from({ length: args.concurrency }, (_, lane) => loop(lane)));
  const seconds = (wallNow() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await pool.close();
  return {
    requests,
    errors,
    seconds,
    perSecond: requests / seconds,
    latencyMs: percentiles(samples),
    cpuUsPerRequest: (cpu.user + cpu.system) / Math.max(1, requests),
  };
}

serveCalls({ run });
