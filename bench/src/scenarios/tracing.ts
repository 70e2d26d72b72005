/**
 * Tracing's cost (issue 15, docs/observability.md). The drain of scenario 2, smaller, three ways in alternating
 * rounds: with no OTEL_* variable set (tracing off), with an OTLP endpoint set but `OTEL_TRACES_SAMPLER=always_off`
 * (the SDK runs and records nothing), and with tracing on (every attempt a sampled span, exported over OTLP/HTTP
 * to a sink in the bench process); Herald's CPU time per delivery for each. Two checks show the off path is a
 * no-op: the modules a Herald with tracing off loads (through a loader hook: none of the SDK's, exporters' or
 * instrumentations'), and the cost of the delivery path's tracing hooks with tracing off, called in this
 * process against calling the attempt directly.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { figure } from '../figures.js';
import { HERALD_DIST } from '../herald-process.js';
import { channelOf } from '../payload.js';
import { round } from '../stats.js';
import { waitForArrivals, withSetup, type Context, type Instance, type Receiver } from '../toolkit.js';
import { drainOnce } from './drain.js';

const MODES = ['off', 'sampledOff', 'on'] as const;
type Mode = (typeof MODES)[number];
const LABELS: Record<Mode, string> = {
  off: 'no OTEL_* set (tracing off)',
  sampledOff: 'OTLP endpoint set, OTEL_TRACES_SAMPLER=always_off',
  on: 'tracing on, every attempt exported over OTLP/HTTP',
};
/** What a Herald with tracing off must never load. */
const SDK_MODULE = /@opentelemetry\/(sdk-|exporter-|instrumentation)|@fastify\/otel/;

/** An OTLP/HTTP collector that takes every export and counts what it got. */
async function startSink() {
  const got = { requests: 0, bytes: 0 };
  const server = http.createServer((request, response) => {
    request.on('data', (chunk: Buffer) => (got.bytes += chunk.length));
    request.on('end', () => {
      got.requests++;
      // An empty ExportTraceServiceResponse: everything accepted.
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { url, got, close };
}

/** The SDK modules a Herald in `env` loads while it starts and delivers a few messages. */
async function sdkModulesLoaded(
  receiver: Receiver,
  instance: Instance,
  appId: string,
  env: Record<string, string>,
): Promise<string[]> {
  const log = path.join(os.tmpdir(), `herald-bench-modules-${process.pid}-${Date.now()}.txt`);
  const preload = pathToFileURL(
    path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'module-log.js'),
  );
  await instance.api.queueMessages(appId, 200, (i) => [channelOf(i % 100)]);
  await receiver.reset();
  await instance.restart('all', { ...env, NODE_OPTIONS: `--import=${preload.href}`, BENCH_MODULE_LOG: log });
  await waitForArrivals(receiver, 200, { stallMs: 10_000 });
  await instance.restart('api');
  const urls = fs.readFileSync(log, 'utf8').split('\n');
  fs.rmSync(log, { force: true });
  if (!urls.some((url) => url.includes('/delivery/tracing.js')))
    throw new Error('the module log saw nothing');
  return urls.filter((url) => SDK_MODULE.test(url));
}

/**
 * Nanoseconds per delivery that the tracing hooks of the delivery path (the attempt's and the request's) add with
 * tracing off: each way called `calls` times, in alternating rounds, the fastest round of each.
 */
async function hookCost(calls = 200_000, rounds = 5): Promise<number> {
  const { tracedAttempt } = (await import(
    pathToFileURL(path.join(HERALD_DIST, 'delivery', 'tracing.js')).href
  )) as {
    tracedAttempt: (job: unknown, run: () => Promise<unknown>) => Promise<unknown>;
  };
  const { deliveryRequest } = (await import(
    pathToFileURL(path.join(HERALD_DIST, 'util', 'otel.js')).href
  )) as {
    deliveryRequest: <T>(send: () => T) => T;
  };
  const report = {};
  const send = () => Promise.resolve(report);
  const time = async (attempt: () => Promise<unknown>) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await attempt();
    return Number(process.hrtime.bigint() - started) / calls;
  };
  let direct = Infinity;
  let hooked = Infinity;
  for (let round = 0; round < rounds; round++) {
    direct = Math.min(direct, await time(send));
    hooked = Math.min(hooked, await time(() => tracedAttempt({}, () => deliveryRequest(send))));
  }
  return hooked - direct;
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

export async function tracing(context: Context) {
  const { tracingMessages: total, tracingRounds: rounds } = context.config;
  const sink = await startSink();
  try {
    return await withSetup(context, 'api', async (receiver, instance) => {
      const appId = await instance.api.createApp('tracing');
      await instance.api.createEndpoints(
        appId,
        Array.from({ length: 100 }, (_, i) => ({
          url: `${receiver.origin}/ok/${i}`,
          channels: [channelOf(i)],
        })),
      );
      const env: Record<Mode, Record<string, string>> = {
        off: {},
        sampledOff: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_TRACES_SAMPLER: 'always_off' },
        on: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url },
      };
      const cpu: Record<Mode, number[]> = { off: [], sampledOff: [], on: [] };
      const rate: Record<Mode, number[]> = { off: [], sampledOff: [], on: [] };
      const exported: Record<Mode, number> = { off: 0, sampledOff: 0, on: 0 };
      for (let r = 0; r < rounds; r++)
        // Each round in another order, so that no way always runs first (or last) on a shared machine.
        for (let m = 0; m < MODES.length; m++) {
          const mode = MODES[(m + r) % MODES.length]!;
          context.log(`tracing: round ${r + 1}/${rounds}, ${mode}`);
          const before = sink.got.bytes;
          const run = await drainOnce(context, receiver, instance, appId, env[mode], {
            total,
            endpoints: 100,
          });
          if (!run.complete) throw new Error(`the ${mode} drain delivered ${run.count} of ${total}`);
          // Stopped: the spans still buffered are exported before Herald exits.
          await instance.restart('api');
          cpu[mode].push(run.cpuMsPerDelivery * 1000);
          rate[mode].push(run.rate);
          exported[mode] += sink.got.bytes - before;
        }
      const offModules = await sdkModulesLoaded(receiver, instance, appId, env.off);
      const onModules = await sdkModulesLoaded(receiver, instance, appId, env.on);
      const hookNs = await hookCost();
      const µs = (value: number) => `${Math.round(value)} µs`;
      const label = (mode: Mode) =>
        `Herald CPU per delivery, ${LABELS[mode]} (mean of ${rounds} drains of ${total.toLocaleString('en-US')})`;
      return {
        figures: [
          ...MODES.map((mode) =>
            figure(
              `tracing.${mode}.cpu`,
              'tracing',
              label(mode),
              mean(cpu[mode]),
              'µs',
              µs(mean(cpu[mode])),
              null,
            ),
          ),
          figure(
            'tracing.off.modules',
            'tracing',
            `OpenTelemetry SDK modules loaded with tracing off (${onModules.length} with it on)`,
            offModules.length,
            '',
            String(offModules.length),
            { op: '<=', value: 0 },
          ),
          figure(
            'tracing.off.hooks',
            'tracing',
            'tracing hooks on the delivery path with tracing off, per delivery',
            hookNs,
            'ns',
            `${Math.round(hookNs)} ns`,
            { op: '<=', value: 1000 },
          ),
        ],
        details: {
          messagesPerDrain: total,
          rounds,
          cpuMicrosPerDelivery: Object.fromEntries(
            MODES.map((mode) => [mode, cpu[mode].map((v) => round(v, 1))]),
          ),
          deliveriesPerSecond: Object.fromEntries(
            MODES.map((mode) => [mode, rate[mode].map((v) => round(v))]),
          ),
          otlpBytesPerDelivery: Object.fromEntries(
            MODES.map((mode) => [mode, round(exported[mode] / (total * rounds), 1)]),
          ),
          otlpRequests: sink.got.requests,
          sdkModulesLoaded: { off: offModules, on: onModules.length },
          hookNanosPerDelivery: round(hookNs, 1),
        },
      };
    });
  } finally {
    await sink.close();
  }
}
