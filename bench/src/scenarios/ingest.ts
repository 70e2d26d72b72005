/**
 * Scenario 4, ingest. (a) autocannon POSTs single messages over keep-alive to Herald and, with the same
 * settings and body, to a fastify hello-world route in its own process. (b) The batch route, 1,000 messages per
 * request with two requests in flight. Herald runs with `--role api` and the application has one endpoint, so
 * every message is a real outbox write (message + delivery row) but nothing is delivered while measuring.
 * (c) Single messages again, to an application with 100 endpoints that each have a content filter, of which
 * exactly one matches the bench payload, against (d) the same to 100 endpoints routed by channel alone (99 on a
 * channel the message does not carry, one without a filter): both write one delivery per message and read 100
 * endpoints per group, so the ratio of (c) to (d) is what evaluating 100 content filters costs ingest.
 */
import autocannon from 'autocannon';
import { EVENT_TYPE, BATCH_SIZE } from '../api.js';
import { wallNow } from '../clock.js';
import { figure, pct, perSecond, type Figure } from '../figures.js';
import { Helper } from '../ipc.js';
import { channelOf, PAYLOAD } from '../payload.js';
import { round } from '../stats.js';
import { withSetup, type Context } from '../toolkit.js';

const WARM_UP_SECONDS = 1;
const BATCH_LANES = 2;
const FILTERED_ENDPOINTS = 100;

/**
 * Endpoint i's filter: the bench payload passes its first two conditions and fails the third, except for the
 * one endpoint whose invoice id is the payload's. Every filter is a different text, so each is compiled apart.
 */
function filterOf(index: number): Record<string, unknown> {
  return {
    'payload.amount': { $gte: 1000 },
    'payload.currency': { $in: ['EUR', 'USD'] },
    'payload.invoiceId': `inv_${String(index).padStart(10, '0')}`,
  };
}

interface Cannon {
  perSecond: number;
  ok: number;
  non2xx: number;
  errors: number;
  latencyP50: number;
  latencyP99: number;
}

async function cannon(
  url: string,
  headers: Record<string, string>,
  body: string,
  context: Context,
  seconds: number,
) {
  const options = {
    url,
    method: 'POST' as const,
    headers,
    body,
    connections: context.config.ingestConnections,
    pipelining: 1,
  };
  await autocannon({ ...options, duration: WARM_UP_SECONDS });
  const result = await autocannon({ ...options, duration: seconds });
  return {
    perSecond: result['2xx'] / result.duration,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
  } satisfies Cannon;
}

export async function ingest(context: Context) {
  const seconds = context.config.ingestSeconds;
  const body = JSON.stringify({ eventType: EVENT_TYPE, payload: PAYLOAD });
  const json = { 'content-type': 'application/json' };

  const hello = Helper.start('hello-server.js');
  let baseline: Cannon;
  try {
    const port = await hello.call<number>('listen');
    context.log(`ingest: hello-world baseline for ${seconds} s`);
    baseline = await cannon(`http://127.0.0.1:${port}/hello`, json, body, context, seconds);
  } finally {
    await hello.stop();
  }

  return withSetup(context, 'api', async (receiver, instance) => {
    const appId = await instance.api.createApp('ingest');
    await instance.api.createEndpoints(appId, [{ url: `${receiver.origin}/ok/ingest` }]);
    context.log(`ingest: single messages for ${seconds} s`);
    const single = await cannon(
      `${instance.herald.url}/api/v1/app/${appId}/msg`,
      { ...json, authorization: instance.api.headers.authorization! },
      body,
      context,
      seconds,
    );

    context.log(`ingest: batches of ${BATCH_SIZE} for ${context.config.batchSeconds} s`);
    const batchBody = JSON.stringify({
      messages: Array.from({ length: BATCH_SIZE }, () => ({ eventType: EVENT_TYPE, payload: PAYLOAD })),
    });
    let accepted = 0;
    let failed = 0;
    const started = wallNow();
    const deadline = started + context.config.batchSeconds * 1000;
    const lane = async () => {
      while (wallNow() < deadline) {
        const response = await instance.api.call(
          'POST',
          `/app/${appId}/msg/batch?with_content=false`,
          batchBody,
        );
        if (response.status === 202) accepted += BATCH_SIZE;
        else failed++;
      }
    };
    await Promise.all(Array.from({ length: BATCH_LANES }, lane));
    const batchSeconds = (wallNow() - started) / 1000;
    const batchRate = accepted / batchSeconds;

    const routedApp = await instance.api.createApp('ingest-routed');
    await instance.api.createEndpoints(
      routedApp,
      Array.from({ length: FILTERED_ENDPOINTS }, (_, index) => ({
        url: `${receiver.origin}/ok/routed-${index}`,
        ...(index !== 0 && { channels: [channelOf(index)] }),
      })),
    );
    const filteredApp = await instance.api.createApp('ingest-filtered');
    await instance.api.createEndpoints(
      filteredApp,
      Array.from({ length: FILTERED_ENDPOINTS }, (_, index) => ({
        url: `${receiver.origin}/ok/filtered-${index}`,
        filter: filterOf(index),
      })),
    );
    const singleTo = (app: string) =>
      cannon(
        `${instance.herald.url}/api/v1/app/${app}/msg`,
        { ...json, authorization: instance.api.headers.authorization! },
        body,
        context,
        seconds,
      );
    context.log(
      `ingest: single messages to ${FILTERED_ENDPOINTS} endpoints routed by channel for ${seconds} s`,
    );
    const routed = await singleTo(routedApp);
    context.log(`ingest: single messages to ${FILTERED_ENDPOINTS} filtered endpoints for ${seconds} s`);
    const filtered = await singleTo(filteredApp);
    const filteredRatio = filtered.perSecond / routed.perSecond;

    const ratio = single.perSecond / baseline.perSecond;
    const figures: Figure[] = [
      figure(
        'ingest.single',
        'ingest',
        `single POSTs, autocannon ${context.config.ingestConnections} connections`,
        ratio,
        '%',
        `${perSecond(single.perSecond)} = ${pct(ratio)} of hello-world (${perSecond(baseline.perSecond)})`,
        { op: '>=', value: 0.4 },
      ),
      figure(
        'ingest.filtered',
        'ingest',
        `single POSTs, ${FILTERED_ENDPOINTS} endpoints with content filters (1 matches)`,
        filteredRatio,
        '%',
        `${perSecond(filtered.perSecond)} = ${pct(filteredRatio)} of ${FILTERED_ENDPOINTS} endpoints routed ` +
          `by channel (${perSecond(routed.perSecond)})`,
        { op: '>=', value: 0.9 },
      ),
      figure(
        'ingest.batch',
        'ingest',
        `batch route, ${BATCH_SIZE} per request`,
        batchRate,
        'msg/s',
        `${perSecond(batchRate)} messages`,
        {
          op: '>=',
          value: 50_000,
        },
      ),
    ];
    return {
      figures,
      details: {
        seconds,
        connections: context.config.ingestConnections,
        helloWorld: baseline,
        single,
        singleRatio: round(ratio, 3),
        routed: { endpoints: FILTERED_ENDPOINTS, ...routed },
        filtered: { endpoints: FILTERED_ENDPOINTS, ...filtered, ratioToRouted: round(filteredRatio, 3) },
        batch: {
          lanes: BATCH_LANES,
          size: BATCH_SIZE,
          seconds: round(batchSeconds, 2),
          accepted,
          failed,
          perSecond: round(batchRate),
        },
      },
    };
  });
}
