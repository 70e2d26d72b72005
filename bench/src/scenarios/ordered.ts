/**
 * Scenario 9, ordered delivery: 100 ordering keys over 10 endpoints with `ordering: key` (10 keys each). First
 * a drain: N messages queued through the batch route by a Herald with `--role api`, then drained by a Herald with
 * the default role, measured at the receiver from first arrival to last. Then latency: single messages at a
 * steady rate, from the API's 202 to the arrival. Each key is a sequence, so at most 100 requests are ever in
 * flight, one per key.
 */
import { figure, ms, type Figure } from '../figures.js';
import { channelOf } from '../payload.js';
import { percentiles, round } from '../stats.js';
import { latencies, sendSteadily, waitForArrivals, withSetup, type Context } from '../toolkit.js';

const ENDPOINTS = 10;
const KEYS = 100;

export async function ordered(context: Context) {
  const { orderedMessages: total, orderedRate: rate, orderedSeconds: seconds } = context.config;
  return withSetup(context, 'api', async (receiver, instance) => {
    const appId = await instance.api.createApp('ordered');
    await instance.api.createEndpoints(
      appId,
      Array.from({ length: ENDPOINTS }, (_, i) => ({
        url: `${receiver.origin}/ok/${i}`,
        channels: [channelOf(i)],
        ordering: 'key' as const,
      })),
    );
    // Message i goes to endpoint i % 10 with key i % 100: each endpoint has 10 keys.
    const channelsOf = (i: number) => [channelOf(i % ENDPOINTS)];
    const orderingKeyOf = (i: number) => `key-${i % KEYS}`;
    context.log(`ordered: queueing ${total} messages over ${KEYS} keys and ${ENDPOINTS} endpoints`);
    await instance.api.queueMessages(appId, total, channelsOf, 2, orderingKeyOf);
    await receiver.reset();
    await instance.restart('all', {});
    const drained = await waitForArrivals(receiver, total, {
      onProgress: (stats) => context.log(`ordered: ${stats.counts.ok}/${total} delivered`),
    });
    const drainSeconds = ((drained.last ?? 0) - (drained.first ?? 0)) / 1000;
    const drainRate =
      drained.counts.ok > 1 && drainSeconds > 0 ? (drained.counts.ok - 1) / drainSeconds : NaN;

    await receiver.reset(true);
    context.log(`ordered: ${rate}/s for ${seconds} s`);
    const run = await sendSteadily(instance.api, appId, {
      rate,
      seconds,
      channelsOf,
      orderingKeyOf: (i) => orderingKeyOf(i + total),
    });
    const done = await waitForArrivals(receiver, run.sent.length, { stallMs: 15_000 });
    const measured = latencies(run.sent, await receiver.arrivals());
    const p = percentiles(measured.samples);
    const figures: Figure[] = [
      figure(
        'ordered.drain',
        'ordered',
        `drain ${total.toLocaleString('en')} messages, ${KEYS} keys over ${ENDPOINTS} ordered endpoints`,
        drainRate,
        '/s',
        `${Math.round(drainRate).toLocaleString('en')}/s`,
        null,
      ),
      figure(
        'ordered.p99',
        'ordered',
        `p99, ${rate}/s for ${seconds} s over ${KEYS} keys, 202 → arrival`,
        p.p99,
        'ms',
        ms(p.p99),
        null,
      ),
    ];
    return {
      figures,
      details: {
        endpoints: ENDPOINTS,
        keys: KEYS,
        drained: drained.counts.ok,
        drainComplete: drained.complete,
        drainSeconds: round(drainSeconds, 2),
        duplicates: drained.duplicates,
        rate,
        seconds,
        sent: run.sent.length,
        arrived: done.counts.ok,
        missing: measured.missing,
        latencyMs: p,
      },
    };
  });
}
