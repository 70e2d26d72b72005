/** A real HTTP receiver on 127.0.0.1 whose answers each test scripts. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The bytes received, as they came (compressed, if the request was). */
  raw: Buffer;
  at: number;
}

export type Answer =
  { status: number; headers?: Record<string, string>; body?: string } | { hang: true } | { reset: true };

export interface Receiver {
  url: string;
  received: Received[];
  /** Sets how the receiver answers from now on. */
  answer(script: (request: Received) => Answer): void;
  /** Resolves when at least `count` requests have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  let script: (request: Received) => Answer = () => ({ status: 200, body: 'ok' });
  const waiters: Array<() => void> = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const request = {
        method: req.method ?? '',
        path: req.url ?? '/',
        headers: req.headers,
        body: raw.toString(),
        raw,
        at: Date.now(),
      };
      received.push(request);
      for (const wake of waiters.splice(0)) wake();
      const answer = script(request);
      if ('hang' in answer) {
        hanging.add(res);
        return;
      }
      if ('reset' in answer) {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answer(next) {
      script = next;
    },
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} requests, got ${received.length}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 200));
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return received.slice(0, count);
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
