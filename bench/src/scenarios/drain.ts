/**
 * Scenario 2 (drain throughput) and 8 (memory under load). N messages are queued over 100 endpoints through
 * the batch route by a Herald with `--role api` (so nothing is delivered while queueing); then Herald restarts
 * with the default role on the same storage and drains the queue, every delivery signed and its attempt logged.
 * The rate is measured at the receiver, first arrival to last; RSS is sampled throughout the drain. Before
 * anything is queued, Herald's idle RSS is read once, with the default role on the empty storage.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { codeShare, ORDERING_CODE } from '../cpu-profile.js';
import { ceilingFigure, figure, type Figure } from '../figures.js';
import { cpuMsOf, memoryOf, RssSampler } from '../machine.js';
import { channelOf } from '../payload.js';
import { round } from '../stats.js';
import {
  waitForArrivals,
  waitForEmptyQueue,
  withSetup,
  type Context,
  type Instance,
  type Receiver,
} from '../toolkit.js';

/** How long an idle Herald is left after start before its RSS is read. */
const IDLE_SETTLE_MS = 10_000;

/** The RSS, in MB, of a Herald with the default role on empty storage, `IDLE_SETTLE_MS` after it started. */
async function idleRss(instance: Instance): Promise<number> {
  await instance.restart('all', {});
  await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
  const rssMB = Math.round(memoryOf(instance.herald.pid)?.rssMB ?? Number.NaN);
  await instance.restart('api');
  return rssMB;
}

interface DrainRun {
  rate: number;
  queued: { messages: number; seconds: number };
  count: number;
  seconds: number;
  peakMB: number;
  cpuMsPerDelivery: number;
  complete: boolean;
  duplicates: number;
  logged: unknown;
  series: Awaited<ReturnType<Receiver['series']>>;
  rssMB: RssSampler['samples'];
}

/**
 * Queues `total` messages with Herald in the API role, restarts it with the default role (and `env`), and
 * measures the drain at the receiver.
 */
export async function drainOnce(
  context: Context,
  receiver: Receiver,
  instance: Instance,
  appId: string,
  env: Record<string, string>,
  size: { total: number; endpoints: number } = {
    total: context.config.drainMessages,
    endpoints: context.config.drainEndpoints,
  },
  profileDir?: string,
): Promise<DrainRun> {
  const { total, endpoints } = size;
  context.log(`drain: queueing ${total} messages over ${endpoints} endpoints`);
  const queued = await instance.api.queueMessages(appId, total, (i) => [channelOf(i % endpoints)]);
  await receiver.reset();
  await instance.restart('all', env, profileDir);
  const sampler = new RssSampler(instance.herald.pid);
  const cpuBefore = cpuMsOf(instance.herald.pid);
  const done = await waitForArrivals(receiver, total, {
    onProgress: (stats) => context.log(`drain: ${stats.counts.ok}/${total} delivered`),
  });
  const peakMB = sampler.stop();
  // CPU time per delivery is what a busy machine changes least: it says how much work Herald does for each.
  const cpuMsPerDelivery = (cpuMsOf(instance.herald.pid) - cpuBefore) / total;
  const count = done.counts.ok;
  const seconds = ((done.last ?? 0) - (done.first ?? 0)) / 1000;
  return {
    rate: count > 1 && seconds > 0 ? (count - 1) / seconds : Number.NaN,
    queued,
    count,
    seconds,
    peakMB,
    cpuMsPerDelivery,
    complete: done.complete,
    duplicates: done.duplicates,
    logged: await waitForEmptyQueue(instance.api),
    series: done.first === null ? [] : await receiver.series(done.first, 1000),
    rssMB: sampler.samples,
  };
}

function details(run: DrainRun) {
  return {
    queueSeconds: round(run.queued.seconds, 2),
    queuedPerSecond: round(run.queued.messages / run.queued.seconds),
    delivered: run.count,
    complete: run.complete,
    duplicates: run.duplicates,
    drainSeconds: round(run.seconds, 2),
    deliveriesPerSecond: round(run.rate),
    resultsLogged: run.logged,
    peakRssMB: run.peakMB,
    heraldCpuMsPerDelivery: round(run.cpuMsPerDelivery, 4),
  };
}

export async function drain(context: Context) {
  const { drainMessages: total, drainEndpoints: endpoints, threads } = context.config;
  return withSetup(context, 'api', async (receiver, instance) => {
    const idleMB = await idleRss(instance);
    const appId = await instance.api.createApp('drain');
    const created = await instance.api.createEndpoints(
      appId,
      Array.from({ length: endpoints }, (_, i) => ({
        url: `${receiver.origin}/ok/${i}`,
        channels: [channelOf(i)],
      })),
    );
    const run = await drainOnce(context, receiver, instance, appId, {});
    const label = `drain ${total.toLocaleString('en-US')} messages over ${endpoints} endpoints`;
    const figures: Figure[] = [
      ceilingFigure('drain.ratio', 'drain', label, run.rate, {
        op: '>=',
        value: context.database === 'sqlite' ? 0.5 : 0.3,
      }),
      figure(
        'drain.cpu',
        'drain',
        'Herald CPU time per delivery while draining',
        run.cpuMsPerDelivery * 1000,
        'µs',
        `${Math.round(run.cpuMsPerDelivery * 1000)} µs`,
        null,
      ),
      figure(
        'memory.peak',
        'memory',
        'peak RSS while draining (scenario 2)',
        run.peakMB,
        'MB',
        `${run.peakMB} MB`,
        {
          op: '<=',
          value: 250,
        },
      ),
      figure('memory.idle', 'memory', 'idle RSS after start, empty storage', idleMB, 'MB', `${idleMB} MB`, {
        op: '<=',
        value: 90,
      }),
    ];
    // The same drain again with delivery spread over threads (HERALD_WORKER_THREADS), for comparison.
    let threaded: DrainRun | null = null;
    if (threads > 1) {
      await instance.restart('api');
      threaded = await drainOnce(context, receiver, instance, appId, {
        HERALD_WORKER_THREADS: String(threads),
      });
      const setting = `HERALD_WORKER_THREADS=${threads}`;
      figures.push(
        ceilingFigure('drain.threads', 'drain', `the same drain with ${setting}`, threaded.rate, null),
        figure(
          'drain.threads.cpu',
          'drain',
          `Herald CPU time per delivery with ${setting}`,
          threaded.cpuMsPerDelivery * 1000,
          'µs',
          `${Math.round(threaded.cpuMsPerDelivery * 1000)} µs`,
          null,
        ),
        figure(
          'memory.threads',
          'memory',
          `peak RSS while draining with ${setting}`,
          threaded.peakMB,
          'MB',
          `${threaded.peakMB} MB`,
          null,
        ),
      );
    }
    const ordering = await orderingShare(context, receiver, instance, appId);
    figures.push(ordering.figure);
    return {
      figures,
      details: {
        messages: total,
        endpoints,
        idleRssMB: idleMB,
        endpointSetupSeconds: round(created.seconds, 2),
        ...details(run),
        ...(threaded === null ? {} : { threads, threaded: details(threaded) }),
        profiled: ordering.details,
      },
      series: { deliveriesPerSecond: run.series, rssMB: run.rssMB },
    };
  });
}

/**
 * What ordered delivery costs these endpoints, which are not ordered: a quarter of the drain again (at least
 * 5,000 messages), by a Herald under V8's CPU profiler, and the share of its CPU time with ordered delivery's
 * code on the stack (`ORDERING_CODE`). The profiler slows Herald a little, which is why the drain figures above
 * come from runs without it.
 */
async function orderingShare(context: Context, receiver: Receiver, instance: Instance, appId: string) {
  const total = Math.max(5_000, Math.round(context.config.drainMessages / 4));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-bench-prof-'));
  try {
    await instance.restart('api');
    const run = await drainOnce(
      context,
      receiver,
      instance,
      appId,
      {},
      { total, endpoints: context.config.drainEndpoints },
      dir,
    );
    // The profile is written when the process exits.
    await instance.restart('api');
    const share = codeShare(dir, ORDERING_CODE);
    const percent = round(share.share * 100, 3);
    return {
      figure: figure(
        'drain.ordering',
        'drain',
        `ordered delivery's share of Herald CPU draining ${total.toLocaleString('en-US')} messages to unordered endpoints (profiled)`,
        percent,
        '%',
        `${percent} % (${share.matched} of ${share.samples.toLocaleString('en-US')} samples)`,
        null,
      ),
      details: {
        ...details(run),
        samples: share.samples,
        sampledMs: round(share.sampledMs),
        orderingSamples: share.matched,
        orderingMs: round(share.matchedMs, 1),
        orderingShare: share.share,
        orderingFunctions: share.functions,
      },
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
