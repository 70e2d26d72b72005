/**
 * Scenario 5, fan-out: one message to E endpoints (default 10,000), created through the API up to 1,000 and
 * otherwise written to the store directly (toolkit.createEndpoints). Two messages go
 * out one after the other: the first finds a cold process (no connections, no compiled code paths), the second
 * a warm one. Each is timed from sending the POST to the last of its E arrivals; the target is read on the warm one,
 * and both are reported.
 */
import { EVENT_TYPE } from '../api.js';
import { wallNow } from '../clock.js';
import { figure, ms, type Figure } from '../figures.js';
import { PAYLOAD } from '../payload.js';
import { round } from '../stats.js';
import {
  createEndpoints,
  waitForArrivals,
  withSetup,
  type Context,
  type Instance,
  type Receiver,
} from '../toolkit.js';

type FanRun = Awaited<ReturnType<typeof fanOnce>>;

async function fanOnce(instance: Instance, receiver: Receiver, appId: string, endpoints: number) {
  await receiver.reset();
  const sentAt = wallNow();
  await instance.api.expect(202, 'POST', `/app/${appId}/msg?with_content=false`, {
    eventType: EVENT_TYPE,
    payload: PAYLOAD,
  });
  const acceptedAt = wallNow();
  const done = await waitForArrivals(receiver, endpoints, { stallMs: 30_000, maxMs: 300_000 });
  const last = done.last ?? Number.NaN;
  return {
    delivered: done.counts.ok,
    complete: done.complete,
    acceptMs: round(acceptedAt - sentAt, 1),
    firstArrivalMs: round((done.first ?? Number.NaN) - sentAt, 1),
    allDeliveredMs: done.complete ? round(last - sentAt, 1) : Number.NaN,
    fromAcceptedMs: done.complete ? round(last - acceptedAt, 1) : Number.NaN,
  };
}

export async function fanout(context: Context) {
  const endpoints = context.config.fanoutEndpoints;
  return withSetup(context, 'all', async (receiver, instance) => {
    const appId = await instance.api.createApp('fanout');
    context.log(`fanout: creating ${endpoints} endpoints`);
    const created = await createEndpoints(
      instance,
      appId,
      Array.from({ length: endpoints }, (_, i) => ({ url: `${receiver.origin}/ok/${i}` })),
      'all',
    );
    const cold = await fanOnce(instance, receiver, appId, endpoints);
    const warm = await fanOnce(instance, receiver, appId, endpoints);
    const label = `1 message to ${endpoints.toLocaleString('en-US')} endpoints, POST → last arrival`;
    // The same two messages again with delivery spread over threads (HERALD_WORKER_THREADS), for comparison.
    const threads = context.config.threads;
    let threaded: { cold: FanRun; warm: FanRun } | null = null;
    if (threads > 1) {
      await instance.restart('all', { HERALD_WORKER_THREADS: String(threads) });
      const threadedCold = await fanOnce(instance, receiver, appId, endpoints);
      threaded = { cold: threadedCold, warm: await fanOnce(instance, receiver, appId, endpoints) };
    }
    const figures: Figure[] = [
      figure(
        'fanout.warm',
        'fanout',
        label,
        warm.allDeliveredMs,
        'ms',
        `${ms(warm.allDeliveredMs)} (cold process: ${ms(cold.allDeliveredMs)})`,
        {
          op: '<=',
          value: 2000,
        },
      ),
    ];
    if (threaded !== null)
      figures.push(
        figure(
          'fanout.threads',
          'fanout',
          `the same with HERALD_WORKER_THREADS=${threads}`,
          threaded.warm.allDeliveredMs,
          'ms',
          `${ms(threaded.warm.allDeliveredMs)} (cold process: ${ms(threaded.cold.allDeliveredMs)})`,
          null,
        ),
      );
    return {
      figures,
      details: {
        endpoints,
        endpointsCreatedVia: created.via,
        endpointSetupSeconds: round(created.seconds, 2),
        cold,
        warm,
        ...(threaded === null ? {} : { threads, threaded }),
      },
    };
  });
}
