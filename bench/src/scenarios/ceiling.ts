/** Scenario 1, the raw ceiling: an undici pool in its own process POSTs the 1 KiB JSON straight to the receiver. */
import type { CeilingResult } from '../ceiling-client.js';
import { figure, ms, perSecond, type Figure } from '../figures.js';
import { Helper } from '../ipc.js';
import { Receiver, type Context } from '../toolkit.js';

/**
 * Runs in every pass twice, first and last: on a shared machine the load changes during a pass, and every
 * throughput figure of the pass is a ratio of the higher of the two measurements (the stricter reading).
 */
export async function ceiling(
  context: Context,
): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const when = Number.isNaN(context.ceiling) ? 'start' : 'end';
  const receiver = await Receiver.start();
  const client = Helper.start('ceiling-client.js');
  try {
    const result = await client.call<CeilingResult>('run', {
      origin: receiver.origin,
      concurrency: context.config.concurrency,
      seconds: context.config.ceilingSeconds,
    });
    const arrived = await receiver.stats();
    context.ceiling = Number.isNaN(context.ceiling)
      ? result.perSecond
      : Math.max(context.ceiling, result.perSecond);
    return {
      figures: [
        figure(
          `ceiling.${when}`,
          'ceiling',
          `raw ceiling at the ${when} of the pass, ${context.config.concurrency} in flight`,
          result.perSecond,
          '/s',
          `${perSecond(result.perSecond)} (p50 ${ms(result.latencyMs.p50)}, p99 ${ms(result.latencyMs.p99)}; ` +
            `client CPU ${Math.round(result.cpuUsPerRequest)} µs per request)`,
          null,
        ),
      ],
      details: {
        when,
        ...result,
        receiverCounted: arrived.counts.ok,
        concurrency: context.config.concurrency,
      },
    };
  } finally {
    await client.stop();
    await receiver.stop();
  }
}
