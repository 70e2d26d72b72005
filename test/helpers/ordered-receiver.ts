/**
 * A receiver for ordered-delivery tests: it answers each request as the test decides (a status after a delay, or
 * never), and keeps every answer in the order it was given, with the message's key and its number in that key
 * (the payload is `{ key, n }`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A seeded random source (mulberry32), so that every run injects the same faults. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface Arrival {
  path: string;
  msgId: string;
  key: string;
  n: number;
  status: number;
}

/**
 * A receiver that answers as `decide` says (a status after a delay, or never), and records each answer in the
 * order the answers were given.
 */
export async function startFaultyReceiver(
  decide: (arrival: Omit<Arrival, 'status'>) => { status: number; delayMs: number } | 'hang',
) {
  const answered: Arrival[] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      // The standard body is the message's payload.
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { key: string; n: number };
      const arrival = {
        path: req.url ?? '/',
        msgId: String(req.headers['webhook-id']),
        key: body.key,
        n: body.n,
      };
      const answer = decide(arrival);
      if (answer === 'hang') {
        hanging.add(res);
        return;
      }
      setTimeout(() => {
        answered.push({ ...arrival, status: answer.status });
        res.writeHead(answer.status).end();
      }, answer.delayMs);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answered,
    /** The first successful answer for each message at `path`, in the order they were given. */
    delivered(path: string): Arrival[] {
      const seen = new Set<string>();
      return answered.filter((a) => {
        if (a.path !== path || a.status !== 200 || seen.has(a.msgId)) return false;
        seen.add(a.msgId);
        return true;
      });
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Keys whose messages, as received, are not in the order they were sent. */
export function outOfOrder(arrivals: Arrival[]): string[] {
  const last = new Map<string, number>();
  const broken = new Set<string>();
  for (const arrival of arrivals) {
    if ((last.get(arrival.key) ?? -1) > arrival.n) broken.add(arrival.key);
    last.set(arrival.key, Math.max(last.get(arrival.key) ?? -1, arrival.n));
  }
  return [...broken];
}
