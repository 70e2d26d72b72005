/**
 * Scenario 3, latency: single messages at a steady rate (default 1,000/s) spread over 100 endpoints, from the
 * API's 202 (read by the sender) to the first arrival at the receiver. A 2 s warm-up at the same rate comes
 * first and is not counted.
 */
import { figure, ms, type Figure } from '../figures.js';
import { channelOf } from '../payload.js';
import { percentiles, round } from '../stats.js';
import { latencies, sendSteadily, waitForArrivals, withSetup, type Context } from '../toolkit.js';

const WARM_UP_SECONDS = 2;
const ENDPOINTS = 100;

export async function latency(context: Context) {
  const { latencyRate: rate, latencySeconds: seconds } = context.config;
  return withSetup(context, 'all', async (receiver, instance) => {
    const appId = await instance.api.createApp('latency');
    await instance.api.createEndpoints(
      appId,
      Array.from({ length: ENDPOINTS }, (_, i) => ({
        url: `${receiver.origin}/ok/${i}`,
        channels: [channelOf(i)],
      })),
    );
    const channelsOf = (i: number) => [channelOf(i % ENDPOINTS)];
    const warm = await sendSteadily(instance.api, appId, { rate, seconds: WARM_UP_SECONDS, channelsOf });
    await waitForArrivals(receiver, warm.sent.length, { stallMs: 10_000 });
    await receiver.reset(true);
    context.log(`latency: ${rate}/s for ${seconds} s`);
    const run = await sendSteadily(instance.api, appId, { rate, seconds, channelsOf });
    const done = await waitForArrivals(receiver, run.sent.length, { stallMs: 15_000 });
    const measured = latencies(run.sent, await receiver.arrivals());
    const p = percentiles(measured.samples);
    const sqlite = context.database === 'sqlite';
    // The rate Herald's API actually took: below the asked rate when its 202s came back too slowly.
    const achieved = Math.round(run.sent.length / run.seconds);
    const offered = run.late > run.sent.length / 100 ? `${achieved}/s (asked ${rate}/s)` : `${rate}/s`;
    const figures: Figure[] = [
      figure(
        'latency.p50',
        'latency',
        `p50, ${offered} for ${seconds} s, 202 → arrival`,
        p.p50,
        'ms',
        ms(p.p50),
        sqlite ? { op: '<=', value: 5 } : null,
      ),
      figure(
        'latency.p99',
        'latency',
        `p99, ${offered} for ${seconds} s, 202 → arrival`,
        p.p99,
        'ms',
        ms(p.p99),
        {
          op: '<=',
          value: sqlite ? 25 : 50,
        },
      ),
    ];
    return {
      figures,
      details: {
        rate,
        seconds,
        endpoints: ENDPOINTS,
        sent: run.sent.length,
        apiErrors: run.errors,
        sentLate: run.late,
        offeredPerSecond: round(run.offeredPerSecond),
        arrived: done.counts.ok,
        missing: measured.missing,
        latencyMs: p,
      },
    };
  });
}
