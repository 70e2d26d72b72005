/**
 * A real HTTP receiver on 127.0.0.1 that keeps the life of every request: when it arrived and when its
 * exchange ended (answered, or the connection closed), on one monotonic event counter, so tests can tell how
 * many requests were open at once and whether two requests for the same delivery ever overlapped.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TrackedRequest {
  path: string;
  webhookId: string;
  /** Event counter when the request arrived. */
  opened: number;
  /** Event counter when its exchange ended, or null while it is still open. */
  closed: number | null;
  /** The status the receiver answered with, once the whole answer was handed to the connection. */
  answered: number | null;
  /** Wall-clock arrival time, for generous upper bounds only. */
  at: number;
}

export type Behaviour =
  | { status: number; delayMs?: number }
  | { hang: true }
  /** Answers once `release()` is called, then after `delayMs`. */
  | { gate: true; status: number; delayMs?: number };

export interface TrackingReceiver {
  url: string;
  requests: TrackedRequest[];
  /** Sets how the receiver answers from now on. */
  behave(script: (request: TrackedRequest) => Behaviour): void;
  /** Requests open right now, for one path or all. */
  open(path?: string): number;
  /** The most requests that were ever open at once, for one path or all. */
  maxOpen(path?: string): number;
  /** Distinct webhook ids received, for one path or all, whether or not they were answered. */
  ids(path?: string): Set<string>;
  /** Distinct webhook ids the receiver answered with a 2xx, for one path or all. */
  acknowledged(path?: string): Set<string>;
  /** Answers every gated request, now and from now on. */
  release(): void;
  close(): Promise<void>;
}

export async function startTrackingReceiver(): Promise<TrackingReceiver> {
  const requests: TrackedRequest[] = [];
  let events = 0;
  let script: (request: TrackedRequest) => Behaviour = () => ({ status: 200 });
  const openNow = new Map<string, number>();
  const peak = new Map<string, number>();
  let openAll = 0;
  let peakAll = 0;
  let released = false;
  const gated: Array<() => void> = [];
  const timers = new Set<NodeJS.Timeout>();

  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    const request: TrackedRequest = {
      path,
      webhookId: String(req.headers['webhook-id'] ?? ''),
      opened: ++events,
      closed: null,
      answered: null,
      at: Date.now(),
    };
    requests.push(request);
    openNow.set(path, (openNow.get(path) ?? 0) + 1);
    peak.set(path, Math.max(peak.get(path) ?? 0, openNow.get(path)!));
    openAll++;
    peakAll = Math.max(peakAll, openAll);
    res.on('finish', () => (request.answered = res.statusCode));
    res.on('close', () => {
      request.closed = ++events;
      openNow.set(path, openNow.get(path)! - 1);
      openAll--;
    });
    // Read the body so that the exchange can complete, then answer as scripted.
    req.resume();
    req.on('end', () => {
      const behaviour = script(request);
      if ('hang' in behaviour) return;
      const answer = () => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          // A client that went away (a killed process) must not count as answered: its socket has ended.
          if (res.destroyed || res.socket?.writable !== true || res.socket.readableEnded) return;
          res.writeHead(behaviour.status).end('');
        }, behaviour.delayMs ?? 0);
        timers.add(timer);
      };
      if ('gate' in behaviour && !released) gated.push(answer);
      else answer();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const select = (path?: string) =>
    path === undefined ? requests : requests.filter((request) => request.path === path);

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    behave(next) {
      script = next;
    },
    open: (path) => (path === undefined ? openAll : (openNow.get(path) ?? 0)),
    maxOpen: (path) => (path === undefined ? peakAll : (peak.get(path) ?? 0)),
    ids: (path) => new Set(select(path).map((request) => request.webhookId)),
    acknowledged: (path) =>
      new Set(
        select(path)
          .filter((request) => request.answered !== null && request.answered >= 200 && request.answered < 300)
          .map((request) => request.webhookId),
      ),
    release() {
      released = true;
      for (const answer of gated.splice(0)) answer();
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls `done` every 25 ms until it holds; throws with `what` (and the optional detail) after `timeoutMs`. */
export async function waitUntil(
  done: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  detail: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} ${detail()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` running at once; returns results in order. */
export async function inParallel<T>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  });
  await Promise.all(lanes);
  return results;
}
