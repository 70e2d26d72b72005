/**
 * Scenario 7, backlog: D pending deliveries (default 1,000,000), queued as D/100 messages each fanned out to the
 * same 100 endpoints, through the batch route by a Herald with `--role api` (so 1,000 messages per request make
 * 100,000 deliveries). Herald then restarts with the default role and drains them all. The drain rate over the
 * first 10 % of deliveries is compared with the rate over the last 10 %, and the draining process's peak RSS is
 * read from /proc (VmHWM).
 */
import { ceilingFigure, figure, perSecond, type Figure } from '../figures.js';
import { RssSampler } from '../machine.js';
import { round } from '../stats.js';
import { waitForArrivals, withSetup, type Context } from '../toolkit.js';

const ENDPOINTS = 100;

export async function backlog(context: Context) {
  const messages = Math.max(1, Math.round(context.config.backlogDeliveries / ENDPOINTS));
  const total = messages * ENDPOINTS;
  return withSetup(context, 'api', async (receiver, instance) => {
    const appId = await instance.api.createApp('backlog');
    await instance.api.createEndpoints(
      appId,
      Array.from({ length: ENDPOINTS }, (_, i) => ({ url: `${receiver.origin}/ok/${i}` })),
    );
    context.log(`backlog: queueing ${total} deliveries (${messages} messages × ${ENDPOINTS} endpoints)`);
    const queued = await instance.api.queueMessages(appId, messages, () => null, 1);
    await receiver.reset();
    await instance.restart('all');
    const sampler = new RssSampler(instance.herald.pid, 500);
    const done = await waitForArrivals(receiver, total, {
      stallMs: 60_000,
      onProgress: (stats) => context.log(`backlog: ${stats.counts.ok}/${total} delivered`),
    });
    const peakMB = sampler.stop();
    const tenth = Math.floor(total / 10);
    const [t0, tFirst, tLastStart, tEnd] = await receiver.arrivalsAt([
      0,
      tenth,
      total - tenth - 1,
      total - 1,
    ]);
    const rateOf = (from: number | null | undefined, to: number | null | undefined) =>
      from == null || to == null || to <= from ? Number.NaN : tenth / ((to - from) / 1000);
    const first = rateOf(t0, tFirst);
    const last = rateOf(tLastStart, tEnd);
    const overall =
      done.complete && done.first !== null && done.last !== null
        ? (total - 1) / ((done.last - done.first) / 1000)
        : Number.NaN;
    const series = done.first === null ? [] : await receiver.series(done.first, 1000);
    const ratio = last / first;
    const figures: Figure[] = [
      figure(
        'backlog.steadiness',
        'backlog',
        `drain of ${total.toLocaleString('en-US')} deliveries: last 10 % ÷ first 10 %`,
        ratio,
        '×',
        `${perSecond(last)} vs ${perSecond(first)} = ${round(ratio, 2)}×`,
        { op: 'within', value: 0.2 },
      ),
      ceilingFigure(
        'backlog.rate',
        'backlog',
        `drain of ${total.toLocaleString('en-US')} deliveries, whole drain`,
        overall,
        null,
      ),
      figure(
        'backlog.peak',
        'backlog',
        `peak RSS draining ${total.toLocaleString('en-US')} deliveries`,
        peakMB,
        'MB',
        `${peakMB} MB`,
        {
          op: '<=',
          value: 300,
        },
      ),
    ];
    return {
      figures,
      details: {
        deliveries: total,
        messages,
        endpoints: ENDPOINTS,
        queueSeconds: round(queued.seconds, 2),
        deliveriesQueuedPerSecond: round(total / queued.seconds),
        delivered: done.counts.ok,
        complete: done.complete,
        firstTenthPerSecond: round(first),
        lastTenthPerSecond: round(last),
        overallPerSecond: round(overall),
        drainSeconds:
          done.first !== null && done.last !== null ? round((done.last - done.first) / 1000, 1) : null,
        peakRssMB: peakMB,
      },
      series: { deliveriesPerSecond: series, rssMB: sampler.samples },
    };
  });
}
