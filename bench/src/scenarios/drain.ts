/**
 * Scenario 2 (drain throughput) and 8 (memory under load). N messages are queued over 100 endpoints through
 * the batch route by a Herald with `--role api` (so nothing is delivered while queueing); then Herald restarts
 * with the default role on the same storage and drains the queue, every delivery signed and its attempt logged.
 * The rate is measured at the receiver, first arrival to last; RSS is sampled throughout the drain.
 */
import { ceilingFigure, figure, type Figure } from '../figures.js';
import { cpuMsOf, RssSampler } from '../machine.js';
import { channelOf } from '../payload.js';
import { round } from '../stats.js';
import { waitForArrivals, waitForEmptyQueue, withSetup, type Context } from '../toolkit.js';

export async function drain(context: Context) {
  const { drainMessages: total, drainEndpoints: endpoints } = context.config;
  return withSetup(context, 'api', async (receiver, instance) => {
    const appId = await instance.api.createApp('drain');
    const created = await instance.api.createEndpoints(
      appId,
      Array.from({ length: endpoints }, (_, i) => ({
        url: `${receiver.origin}/ok/${i}`,
        channels: [channelOf(i)],
      })),
    );
    context.log(`drain: queueing ${total} messages over ${endpoints} endpoints`);
    const queued = await instance.api.queueMessages(appId, total, (i) => [channelOf(i % endpoints)]);
    await receiver.reset();
    await instance.restart('all');
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
    const rate = count > 1 && seconds > 0 ? (count - 1) / seconds : Number.NaN;
    const logged = await waitForEmptyQueue(instance.api);
    const series = done.first === null ? [] : await receiver.series(done.first, 1000);
    const figures: Figure[] = [
      ceilingFigure(
        'drain.ratio',
        'drain',
        `drain ${total.toLocaleString('en-US')} messages over ${endpoints} endpoints`,
        rate,
        {
          op: '>=',
          value: context.database === 'sqlite' ? 0.5 : 0.3,
        },
      ),
      figure(
        'drain.cpu',
        'drain',
        'Herald CPU time per delivery while draining',
        cpuMsPerDelivery * 1000,
        'µs',
        `${Math.round(cpuMsPerDelivery * 1000)} µs`,
        null,
      ),
      figure('memory.peak', 'memory', 'peak RSS while draining (scenario 2)', peakMB, 'MB', `${peakMB} MB`, {
        op: '<=',
        value: 250,
      }),
    ];
    return {
      figures,
      details: {
        messages: total,
        endpoints,
        endpointSetupSeconds: round(created.seconds, 2),
        queueSeconds: round(queued.seconds, 2),
        queuedPerSecond: round(queued.messages / queued.seconds),
        delivered: count,
        complete: done.complete,
        duplicates: done.duplicates,
        drainSeconds: round(seconds, 2),
        deliveriesPerSecond: round(rate),
        resultsLogged: logged,
        peakRssMB: peakMB,
        heraldCpuMsPerDelivery: round(cpuMsPerDelivery, 4),
      },
      series: { deliveriesPerSecond: series, rssMB: sampler.samples },
    };
  });
}
