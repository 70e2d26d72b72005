/**
 * `herald simulate receiver`: a local webhook endpoint with a fault profile, to watch Herald's retries, circuit
 * breaker, throttling and auto-disable at work. Each request draws its fate from the (seedable) random source in
 * a fixed order, so the same seed and the same order of requests give the same answers:
 *
 * 1. With secrets, the signature is checked first; a request that fails it is answered `400` and counted.
 * 2. After `goneAfter` requests, every request is answered `410 Gone` (Herald disables the endpoint).
 * 3. With probability `hangRate` the request is never answered (Herald's delivery timeout ends it).
 * 4. With probability `failRate` it is answered `failStatus` (500 by default), with `Retry-After` if set.
 * 5. Otherwise `200`. Every answer but a hang waits a latency drawn from the range first.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { verifyWebhookBody, WebhookVerificationError } from '../signing/verify.js';
import { seededRandom } from './random.js';

export interface FaultProfile {
  failRate: number;
  failStatus: number;
  retryAfterSeconds: number | null;
  latency: { minMs: number; maxMs: number } | null;
  hangRate: number;
  goneAfter: number | null;
}

export interface ReceiverOptions extends FaultProfile {
  host: string;
  port: number;
  secrets: string[];
  seed: number | undefined;
}

export interface ReceiverTotals {
  received: number;
  /** Requests received but still waiting out their latency. */
  pending: number;
  /** Requests whose `webhook-id` had been received before at the same path: retries and resends. */
  duplicates: number;
  distinctIds: number;
  signatureFailures: number;
  /** Injected faults by kind: `status 500`, `hang`, `gone`. */
  faults: Map<string, number>;
  /** Answers delayed by the latency range. */
  delayed: number;
  /** Answers by status code (hangs have none). */
  answered: Map<number, number>;
}

export interface SimulatedReceiver {
  url: string;
  seed: number;
  totals: ReceiverTotals;
  close(): Promise<void>;
}

type Fate =
  | { kind: 'signature'; status: 400; reason: string }
  | { kind: 'gone'; status: 410 }
  | { kind: 'hang' }
  | { kind: 'fail'; status: number }
  | { kind: 'ok'; status: 200 };

function clock(): string {
  return new Date().toISOString().slice(11, 23);
}

function preview(body: Buffer): string {
  const text = body.toString('utf8').replace(/\s+/g, ' ');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export async function startSimulatedReceiver(
  options: ReceiverOptions,
  print: (line: string) => void,
): Promise<SimulatedReceiver> {
  const random = seededRandom(options.seed);
  const totals: ReceiverTotals = {
    received: 0,
    pending: 0,
    duplicates: 0,
    distinctIds: 0,
    signatureFailures: 0,
    faults: new Map(),
    delayed: 0,
    answered: new Map(),
  };
  const seen = new Set<string>();
  const hanging = new Set<http.ServerResponse>();
  const count = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);

  const fateOf = (number: number, headers: http.IncomingHttpHeaders, body: Buffer): Fate => {
    // Every request draws the same numbers in the same order, whatever its fate, so one fate never shifts the next.
    const hang = random.chance(options.hangRate);
    const fail = random.chance(options.failRate);
    if (options.secrets.length > 0) {
      try {
        verifyWebhookBody(options.secrets, headers, body);
      } catch (error) {
        if (!(error instanceof WebhookVerificationError)) throw error;
        return { kind: 'signature', status: 400, reason: error.reason };
      }
    }
    if (options.goneAfter !== null && number > options.goneAfter) return { kind: 'gone', status: 410 };
    if (hang) return { kind: 'hang' };
    if (fail) return { kind: 'fail', status: options.failStatus };
    return { kind: 'ok', status: 200 };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const number = ++totals.received;
        const given = req.headers['webhook-id'] ?? req.headers['svix-id'];
        const id = typeof given === 'string' && given !== '' ? given : null;
        // Per path, so that several endpoints pointed at one receiver do not count each other's messages.
        const key = id === null ? null : `${req.url ?? '/'} ${id}`;
        const duplicate = key !== null && seen.has(key);
        if (duplicate) totals.duplicates += 1;
        else if (key !== null) {
          seen.add(key);
          totals.distinctIds += 1;
        }
        const fate = fateOf(number, req.headers, body);
        const delay =
          options.latency === null || fate.kind === 'hang' || fate.kind === 'signature'
            ? 0
            : random.int(Math.round(options.latency.minMs), Math.round(options.latency.maxMs));
        const signature =
          options.secrets.length === 0
            ? 'unchecked'
            : fate.kind === 'signature'
              ? `FAILED ${fate.reason}`
              : 'ok';
        const line = (answer: string) =>
          print(
            `${clock()}  #${number}  ${id ?? '(no webhook-id)'}${duplicate ? ' (duplicate)' : ''}  ` +
              `${req.headers['content-type'] ?? 'no content-type'} ${body.length} B  signature ${signature}  ` +
              `-> ${answer}  ${preview(body)}`,
          );
        if (fate.kind === 'hang') {
          count(totals.faults, 'hang');
          hanging.add(res);
          res.once('close', () => hanging.delete(res));
          line('no answer (hang)');
          return;
        }
        if (delay > 0) {
          totals.pending += 1;
          await sleep(delay);
          totals.pending -= 1;
          totals.delayed += 1;
        }
        // Counted once answered, as the line is printed, so that the totals add up to the lines.
        if (fate.kind === 'signature') totals.signatureFailures += 1;
        else if (fate.kind === 'gone') count(totals.faults, 'gone (410)');
        else if (fate.kind === 'fail') count(totals.faults, `status ${fate.status}`);
        const headers: Record<string, string> = { 'content-type': 'text/plain' };
        if (fate.kind === 'fail' && options.retryAfterSeconds !== null)
          headers['retry-after'] = String(options.retryAfterSeconds);
        count(totals.answered, fate.status);
        res.writeHead(fate.status, headers).end(fate.kind === 'ok' ? 'ok' : `${fate.kind}\n`);
        line(
          `${fate.status}${fate.kind === 'ok' ? '' : ` (${fate.kind})`}${delay > 0 ? ` after ${delay} ms` : ''}`,
        );
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    seed: random.seed,
    totals,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The totals as the command prints them on Ctrl-C. */
export function formatTotals(totals: ReceiverTotals): string {
  const list = <K>(map: Map<K, number>, name: (key: K) => string) =>
    [...map.entries()].map(([key, n]) => `${n} × ${name(key)}`).join(', ') || 'none';
  const faults = [...totals.faults.values()].reduce((sum, n) => sum + n, 0);
  return [
    `received            ${totals.received}${totals.pending > 0 ? ` (${totals.pending} not answered yet)` : ''}`,
    `duplicates          ${totals.duplicates} (by webhook-id; ${totals.distinctIds} distinct)`,
    `signature failures  ${totals.signatureFailures}`,
    `faults injected     ${faults}: ${list(totals.faults, String)}; delayed ${totals.delayed}`,
    `answered            ${list(new Map([...totals.answered].sort((a, b) => a[0] - b[0])), String)}`,
    '',
  ].join('\n');
}
