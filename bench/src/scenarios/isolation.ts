/**
 * Scenario 6, isolation. Two runs on fresh Herald instances with 100 endpoints: all healthy, then 20 hanging
 * (the receiver never answers; Herald's default 15 s timeout ends each request) and 20 answering 500. The 60
 * endpoints that are healthy in both runs are the ones measured, two ways:
 * - throughput: M messages spread over all 100 endpoints are queued (`--role api`), then drained by a restarted
 *   Herald; the healthy endpoints' deliveries per second, first to last arrival;
 * - latency: then, on the same process, single messages at a steady rate; 202 → arrival at healthy endpoints.
 * In the all-healthy run the other 40 endpoints answer 200 at a path the receiver does not time.
 */
import { figure, ms, pct, perSecond, type Figure } from '../figures.js';
import { channelOf } from '../payload.js';
import { percentiles, round } from '../stats.js';
import { latencies, sendSteadily, waitForArrivals, withSetup, type Context } from '../toolkit.js';

const ENDPOINTS = 100;
const HANGING = 20;
const FAILING = 20;
const isHealthy = (i: number) => i % ENDPOINTS >= HANGING + FAILING;

async function run(context: Context, faulty: boolean) {
  const { isolationMessages: total, isolationRate: rate, isolationSeconds: seconds } = context.config;
  return withSetup(context, 'api', async (receiver, instance) => {
    const appId = await instance.api.createApp(faulty ? 'isolation-faulty' : 'isolation-healthy');
    const pathOf = (i: number) =>
      isHealthy(i) ? `ok/${i}` : !faulty ? `other/${i}` : i < HANGING ? `hang/${i}` : `fail/${i}`;
    await instance.api.createEndpoints(
      appId,
      Array.from({ length: ENDPOINTS }, (_, i) => ({
        url: `${receiver.origin}/${pathOf(i)}`,
        channels: [channelOf(i)],
      })),
    );
    const channelsOf = (i: number) => [channelOf(i % ENDPOINTS)];
    await instance.api.queueMessages(appId, total, channelsOf);
    let healthyQueued = 0;
    for (let i = 0; i < total; i++) if (isHealthy(i)) healthyQueued++;
    await receiver.reset();
    await instance.restart('all');
    context.log(`isolation (${faulty ? 'faulty' : 'all healthy'}): draining ${total} messages`);
    const drained = await waitForArrivals(receiver, healthyQueued, { stallMs: 30_000 });
    const drainSeconds = ((drained.last ?? 0) - (drained.first ?? 0)) / 1000;
    const throughput = drained.counts.ok > 1 ? (drained.counts.ok - 1) / drainSeconds : Number.NaN;
    const atDrainEnd = await receiver.stats();

    await receiver.reset(true);
    context.log(`isolation (${faulty ? 'faulty' : 'all healthy'}): ${rate}/s for ${seconds} s`);
    const steady = await sendSteadily(instance.api, appId, { rate, seconds, channelsOf });
    const healthySent = steady.sent.filter((message) => isHealthy(message.index));
    await waitForArrivals(receiver, healthySent.length, { stallMs: 20_000 });
    const measured = latencies(healthySent, await receiver.arrivals());
    const atEnd = await receiver.stats();
    return {
      throughput,
      drainComplete: drained.complete,
      healthyQueued,
      healthyDelivered: drained.counts.ok,
      drainSeconds: round(drainSeconds, 2),
      requestsDuringDrain: atDrainEnd.counts,
      latencyMs: percentiles(measured.samples),
      missing: measured.missing,
      apiErrors: steady.errors,
      sentLate: steady.late,
      requestsDuringSteady: atEnd.counts,
    };
  });
}

export async function isolation(context: Context) {
  const healthy = await run(context, false);
  const faulty = await run(context, true);
  const throughputRatio = faulty.throughput / healthy.throughput;
  const p99Ratio = faulty.latencyMs.p99 / healthy.latencyMs.p99;
  const figures: Figure[] = [
    figure(
      'isolation.throughput',
      'isolation',
      'healthy endpoints’ drain rate, faulty ÷ all-healthy',
      throughputRatio,
      '%',
      `${perSecond(faulty.throughput)} vs ${perSecond(healthy.throughput)} = ${pct(throughputRatio)}`,
      { op: '>=', value: 0.8 },
    ),
    figure(
      'isolation.p99',
      'isolation',
      `healthy endpoints’ p99, ${context.config.isolationRate}/s asked, faulty ÷ all-healthy`,
      p99Ratio,
      '×',
      `${ms(faulty.latencyMs.p99)} vs ${ms(healthy.latencyMs.p99)} = ${round(p99Ratio, 2)}×`,
      { op: '<=', value: 2 },
    ),
  ];
  return {
    figures,
    details: {
      endpoints: { total: ENDPOINTS, hanging: HANGING, failing: FAILING },
      messages: context.config.isolationMessages,
      rate: context.config.isolationRate,
      seconds: context.config.isolationSeconds,
      allHealthy: healthy,
      faulty,
    },
  };
}
