/**
 * The webhook receiver: a minimal node:http server on 127.0.0.1, in its own process. The first part of the
 * path says how it behaves: `/ok/…` answers 200, `/fail/…` answers 500, and `/hang/…` never answers (the
 * sender's timeout ends the request; a safety timer drops it after HANG_LIMIT_MS). It records the arrival time
 * of every `/ok/` request (when its headers are in) and, when asked, the first arrival of each `webhook-id`.
 * `/batch/` answers 200 like `/ok/` and counts as one `/ok/` arrival per message of the JSON array it carries
 * (a batching endpoint's body), all at the time the request arrived; only these bodies are read.
 */
import http from 'node:http';
import fs from 'node:fs';
import { wallNow } from './clock.js';
import { serveCalls } from './ipc.js';

const HANG_LIMIT_MS = 120_000;

export type Category = 'ok' | 'fail' | 'hang' | 'other';

export interface ReceiverStats {
  counts: Record<Category, number>;
  /** Requests that arrived at /ok/ paths whose webhook-id had arrived before (retries or duplicates). */
  duplicates: number;
  first: number | null;
  last: number | null;
}

let times = new Float64Array(1 << 16);
let okCount = 0;
let counts: Record<Category, number> = { ok: 0, fail: 0, hang: 0, other: 0 };
let recordIds = false;
let ids = new Map<string, number>();
let duplicates = 0;
const hanging = new Set<http.ServerResponse>();

function record(at: number): void {
  if (okCount === times.length) {
    const grown = new Float64Array(times.length * 2);
    grown.set(times);
    times = grown;
  }
  times[okCount++] = at;
}

function categoryOf(url: string): Category {
  if (url.startsWith('/ok/') || url.startsWith('/batch/')) return 'ok';
  if (url.startsWith('/fail/')) return 'fail';
  if (url.startsWith('/hang/')) return 'hang';
  return 'other';
}

const server = http.createServer((request, response) => {
  const at = wallNow();
  const category = categoryOf(request.url ?? '');
  if (request.url?.startsWith('/batch/')) {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const messages = (JSON.parse(Buffer.concat(chunks).toString()) as unknown[]).length;
      counts.ok += messages;
      for (let i = 0; i < messages; i++) record(at);
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
      response.end('ok');
    });
    return;
  }
  counts[category]++;
  if (category === 'ok') {
    record(at);
    const id = request.headers['webhook-id'];
    if (recordIds && typeof id === 'string') {
      if (ids.has(id)) duplicates++;
      else ids.set(id, at);
    }
  }
  request.resume();
  request.on('end', () => {
    if (category === 'hang') {
      hanging.add(response);
      const timer = setTimeout(() => response.destroy(), HANG_LIMIT_MS);
      response.on('close', () => {
        clearTimeout(timer);
        hanging.delete(response);
      });
      return;
    }
    response.writeHead(category === 'fail' ? 500 : 200, {
      'content-type': 'text/plain',
      'content-length': 2,
    });
    response.end(category === 'fail' ? 'no' : 'ok');
  });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.requestTimeout = 0;
server.maxRequestsPerSocket = 0;

serveCalls({
  listen: () =>
    new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
    ),
  /** Forgets everything recorded; `ids` turns on recording of each webhook-id's first arrival. */
  reset: (args: { ids?: boolean }) => {
    times = new Float64Array(1 << 16);
    okCount = 0;
    counts = { ok: 0, fail: 0, hang: 0, other: 0 };
    ids = new Map();
    duplicates = 0;
    recordIds = args.ids === true;
    return null;
  },
  stats: (): ReceiverStats => ({
    counts,
    duplicates,
    first: okCount > 0 ? times[0]! : null,
    last: okCount > 0 ? times[okCount - 1]! : null,
  }),
  /** The arrival time of the k-th /ok/ request (0-based), for each k asked. */
  arrivalsAt: (args: { ranks: number[] }) => {
    const sorted = times.slice(0, okCount).sort();
    return args.ranks.map((rank) => (rank < okCount ? sorted[rank]! : null));
  },
  /** /ok/ arrivals per `bucketMs` since `since`, for the plot. */
  series: (args: { since: number; bucketMs: number }) => {
    const buckets: number[] = [];
    for (let i = 0; i < okCount; i++) {
      const index = Math.floor((times[i]! - args.since) / args.bucketMs);
      if (index < 0) continue;
      while (buckets.length <= index) buckets.push(0);
      buckets[index]!++;
    }
    return buckets;
  },
  /** Writes `[webhook-id, first arrival]` pairs to `file` (JSON), which may be large for IPC. */
  dumpIds: (args: { file: string }) => {
    fs.writeFileSync(args.file, JSON.stringify([...ids]));
    return ids.size;
  },
  /** Ends requests held at /hang/ paths, so a finished scenario leaves no sockets behind. */
  releaseHanging: () => {
    for (const response of hanging) response.destroy();
    return null;
  },
});
