/**
 * Batching: the same drain twice, N messages queued over 100 endpoints by a Herald in the API role and then
 * drained, first with unbatched endpoints (one message per request) and then with endpoints that batch 100
 * messages per request. Both rates are messages per second, measured at the receiver, which counts each message
 * of a batch as an arrival (`/batch/` paths).
 */
import { figure } from '../figures.js';
import { channelOf } from '../payload.js';
import { round } from '../stats.js';
import { withSetup, type Context } from '../toolkit.js';
import { drainOnce } from './drain.js';

const ENDPOINTS = 100;
const PER_REQUEST = 100;

export async function batching(context: Context) {
  const total = context.config.batchingMessages;
  return withSetup(context, 'api', async (receiver, instance) => {
    /** An application whose 100 endpoints take the channels c0…c99, at `/<path>/<i>`. */
    const app = async (name: string, path: string, batched: boolean) => {
      const appId = await instance.api.createApp(name);
      await instance.api.createEndpoints(
        appId,
        Array.from({ length: ENDPOINTS }, (_, i) => ({
          url: `${receiver.origin}/${path}/${i}`,
          channels: [channelOf(i)],
          ...(batched && { batching: { maxMessages: PER_REQUEST } }),
        })),
      );
      return appId;
    };
    const size = { total, endpoints: ENDPOINTS };
    const plainApp = await app('unbatched', 'ok', false);
    const batchedApp = await app('batched', 'batch', true);
    const plain = await drainOnce(context, receiver, instance, plainApp, {}, size);
    await instance.restart('api');
    const batched = await drainOnce(context, receiver, instance, batchedApp, {}, size);
    const label = (what: string) =>
      `drain ${total.toLocaleString('en-US')} messages over ${ENDPOINTS} endpoints, ${what}`;
    const perSecond = (rate: number) => `${Math.round(rate).toLocaleString('en-US')} msg/s`;
    const run = (drained: typeof plain) => ({
      delivered: drained.count,
      complete: drained.complete,
      drainSeconds: round(drained.seconds, 2),
      messagesPerSecond: round(drained.rate),
      peakRssMB: drained.peakMB,
      heraldCpuMsPerMessage: round(drained.cpuMsPerDelivery, 4),
    });
    return {
      figures: [
        figure(
          'batching.off',
          'batching',
          label('one per request'),
          plain.rate,
          'msg/s',
          perSecond(plain.rate),
          null,
        ),
        figure(
          'batching.on',
          'batching',
          label(`${PER_REQUEST} per request`),
          batched.rate,
          'msg/s',
          perSecond(batched.rate),
          null,
        ),
        figure(
          'batching.gain',
          'batching',
          `batched drain rate over unbatched`,
          batched.rate / plain.rate,
          '×',
          `${round(batched.rate / plain.rate, 2)}×`,
          null,
        ),
      ],
      details: {
        messages: total,
        endpoints: ENDPOINTS,
        perRequest: PER_REQUEST,
        unbatched: run(plain),
        batched: run(batched),
      },
      // The plot shows the batched drain's messages per second.
      series: { deliveriesPerSecond: batched.series },
    };
  });
}
