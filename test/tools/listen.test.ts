/**
 * `herald listen`, end to end: a real Herald (`herald serve` as a process), the real CLI as a process, a real
 * local handler on 127.0.0.1, and between the listener and Herald a plain HTTP reverse proxy (node:http piping)
 * that the test can cut or point at a restarted Herald. Herald reaches nothing here: every delivery goes out
 * through the listener's polls.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookBody } from '../../src/verify.js';
import { killAllClis, startCli, type RunningCli } from '../helpers/cli-process.js';
import { freshPgDatabase, PG_URL, tempDir } from '../helpers/env.js';
import {
  apiClient,
  killAllServes,
  startServe,
  stopServe,
  type ServeProcess,
} from '../helpers/serve-process.js';
import { waitUntil } from '../helpers/tracking-receiver.js';

/** A reverse proxy that pipes every request to `target`, can cut every connection, and answers 502 when it cannot reach Herald. */
async function startProxy(initialTarget: string) {
  let target = initialTarget;
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const upstream = http.request(
      new URL(req.url!, target),
      { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
      (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('bad gateway');
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    retarget(url: string) {
      target = url;
    },
    /** Cuts every connection through the proxy, as a network drop would. */
    drop() {
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** The developer's local handler: records each request and answers with the next planned response. */
async function startLocal() {
  const received: Received[] = [];
  const plan: Array<{ status: number; body: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      const answer = plan.shift() ?? { status: 200, body: 'ok' };
      res.writeHead(answer.status, { 'content-type': 'text/plain' });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`,
    received,
    plan,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('herald listen, end to end', { timeout: 180_000 }, () => {
  const data = tempDir();
  let database: { url: string; drop(): Promise<void> } | null = null;
  let serve: ServeProcess;
  let token: string;
  let call: ReturnType<typeof apiClient>;
  let appKey: string;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let local: Awaited<ReturnType<typeof startLocal>>;
  const env: Record<string, string> = {
    HERALD_LOG_LEVEL: 'error',
    HERALD_POLL_INTERVAL_MS: '50',
    // PostgreSQL needs the key given; SQLite keeps its own in the data directory.
    ...(PG_URL && { HERALD_MASTER_KEY: randomBytes(32).toString('base64') }),
  };

  const serveArgs = () => ['--data-dir', data.dir, ...(database ? ['--database-url', database.url] : [])];

  beforeAll(async () => {
    if (PG_URL) database = await freshPgDatabase();
    serve = await startServe(serveArgs(), env);
    token = serve.token!;
    call = apiClient(serve.url!, token);
    expect((await call('POST', '/app', { name: 'Laptop app', uid: 'laptop' })).status).toBe(201);
    for (const name of ['invoice.paid', 'user.created'])
      expect((await call('POST', '/event-type', { name, description: name })).status).toBe(201);
    const key = await call('POST', '/api-key', { name: 'listen', appId: 'laptop' });
    expect(key.status).toBe(201);
    appKey = key.body.token;
    proxy = await startProxy(serve.url!);
    local = await startLocal();
  });

  afterAll(async () => {
    await killAllClis();
    await killAllServes();
    await proxy?.close();
    await local?.close();
    await database?.drop();
    data.remove();
  });

  /** `herald listen` through the proxy, forwarding to the local handler (or to `forwardTo`). */
  function listen(name: string, extra: string[] = [], forwardTo = local.url): RunningCli {
    return startCli([
      'listen',
      '--url',
      proxy.url,
      '--key',
      appKey,
      '--forward-to',
      forwardTo,
      '--name',
      name,
      ...extra,
    ]);
  }

  async function started(cli: RunningCli) {
    const [, verb, endpointId] = await cli.waitFor(/^(Created|Reusing) relay endpoint (ep_\w+)/m);
    const [, secret] = await cli.waitFor(/^Signing secret: (whsec_\S+)$/m);
    return { verb: verb!, endpointId: endpointId!, secret: secret! };
  }

  async function send(eventType: string, payload: unknown, channels?: string[]) {
    const sent = await call('POST', '/app/laptop/msg', { eventType, payload, ...(channels && { channels }) });
    expect(sent.status).toBe(202);
    return sent.body.id as string;
  }

  async function attemptsOf(endpointId: string) {
    const page = await call('GET', `/app/laptop/attempt/endpoint/${endpointId}?limit=50`);
    expect(page.status).toBe(200);
    return page.body.data as Array<{
      msgId: string;
      url: string;
      responseStatusCode: number;
      response: string;
      errorClass: string | null;
    }>;
  }

  /** Waits for `done`, up to 20 s. */
  const until = (done: () => boolean | Promise<boolean>, what: string) => waitUntil(done, 20_000, what);

  const deliveredTo = (msgId: string) => local.received.filter((r) => r.headers['webhook-id'] === msgId);

  it('forwards each delivery exactly as signed, and the attempt log shows what the local handler answered', async () => {
    const cli = listen('ada');
    const { verb, endpointId, secret } = await started(cli);
    expect(verb).toBe('Created');
    local.plan.push({ status: 201, body: 'created locally' });
    const msgId = await send('invoice.paid', { invoiceId: 'inv_1', amount: 4200 });
    await until(() => deliveredTo(msgId).length === 1, 'the local handler to get msgId');
    const [request] = deliveredTo(msgId);
    expect(JSON.parse(request!.body)).toEqual({ invoiceId: 'inv_1', amount: 4200 });
    expect(request!.headers['content-type']).toBe('application/json');
    // The signature holds over the body the handler got, with the secret the listener printed.
    expect(verifyWebhookBody(secret, request!.headers as Record<string, string>, request!.body)).toBe(
      request!.body,
    );
    await cli.waitFor(new RegExp(`^\\S+Z {2}invoice\\.paid {2}${msgId} {2}201 {2}\\d+ ms$`, 'm'));
    await until(async () => (await attemptsOf(endpointId)).length === 1, 'the attempts');
    const [attempt] = await attemptsOf(endpointId);
    expect(attempt).toMatchObject({
      msgId,
      url: 'relay://ada',
      responseStatusCode: 201,
      response: 'created locally',
      errorClass: null,
    });
    const stopped = await cli.stop();
    expect(stopped.stdout).toMatch(/^Stopped\.$/m);
    expect(stopped.code).toBe(0);
  });

  it('retries a delivery the local handler failed, as for any endpoint, with every attempt recorded', async () => {
    const cli = listen('retry');
    const { endpointId } = await started(cli);
    const patched = await call('PATCH', `/app/laptop/endpoint/${endpointId}`, { retrySchedule: [1, 1] });
    expect(patched.status).toBe(200);
    local.plan.push({ status: 500, body: 'boom' });
    const msgId = await send('user.created', { userId: 'u1' });
    await until(async () => (await attemptsOf(endpointId)).length === 2, 'the attempts');
    const attempts = await attemptsOf(endpointId);
    // Newest first.
    expect(attempts.map((a) => [a.responseStatusCode, a.response])).toEqual([
      [200, 'ok'],
      [500, 'boom'],
    ]);
    expect(deliveredTo(msgId)).toHaveLength(2);
    await cli.waitFor(new RegExp(`user\\.created {2}${msgId} {2}500 `));
    await cli.stop();
  });

  it('reuses its relay endpoint and secret across restarts; deliveries wait and retry while no listener runs', async () => {
    const first = listen('reuse');
    const one = await started(first);
    expect(one.verb).toBe('Created');
    const patched = await call('PATCH', `/app/laptop/endpoint/${one.endpointId}`, {
      retrySchedule: [1, 1, 1, 1],
    });
    expect(patched.status).toBe(200);
    await first.stop();

    const msgId = await send('invoice.paid', { invoiceId: 'inv_2', amount: 1 });
    // No listener: the attempt fails as not connected, and the delivery waits for its retry.
    await until(
      async () => (await attemptsOf(one.endpointId)).some((a) => a.errorClass === 'connect'),
      'an attempt that found no listener',
    );
    expect(deliveredTo(msgId)).toHaveLength(0);

    const second = listen('reuse');
    const two = await started(second);
    expect(two).toEqual({ verb: 'Reusing', endpointId: one.endpointId, secret: one.secret });
    await until(() => deliveredTo(msgId).length === 1, 'the local handler to get msgId');
    await until(
      async () => (await attemptsOf(one.endpointId))[0]!.responseStatusCode === 200,
      'the attempt that succeeded',
    );
    await second.stop();
  });

  it('takes only the event types and channels given with --events and --channels', async () => {
    const cli = listen('filtered', ['--events', 'user.created', '--channels', 'eu,us']);
    const { endpointId } = await started(cli);
    await cli.waitFor(/^Forwarding user\.created on channels eu, us to /m);
    const skipped = [
      await send('invoice.paid', { invoiceId: 'inv_3', amount: 2 }, ['eu']),
      await send('user.created', { userId: 'u1' }),
      await send('user.created', { userId: 'u1' }, ['asia']),
    ];
    const taken = await send('user.created', { userId: 'u2' }, ['us']);
    await until(() => deliveredTo(taken).length === 1, 'the local handler to get taken');
    const endpoint = await call('GET', `/app/laptop/endpoint/${endpointId}`);
    expect(endpoint.body).toMatchObject({ filterTypes: ['user.created'], channels: ['eu', 'us'] });
    await until(async () => (await attemptsOf(endpointId)).length > 0, 'the attempt');
    expect((await attemptsOf(endpointId)).map((a) => a.msgId)).toEqual([taken]);
    for (const msgId of skipped) {
      expect(deliveredTo(msgId)).toHaveLength(0);
      expect(cli.output().stdout).not.toContain(msgId);
    }
    await cli.stop();
  });

  it('reports a local handler that is not running, and the attempt says why', async () => {
    const cli = listen('nobody-home', ['--events', 'user.created'], 'http://127.0.0.1:1/hook');
    const { endpointId } = await started(cli);
    const msgId = await send('user.created', { userId: 'u4' });
    await cli.waitFor(new RegExp(`user\\.created {2}${msgId} {2}error connect \\(.+\\) {2}\\d+ ms$`, 'm'));
    await until(async () => (await attemptsOf(endpointId)).length > 0, 'the attempt');
    const [attempt] = await attemptsOf(endpointId);
    expect(attempt).toMatchObject({ msgId, responseStatusCode: 0, errorClass: 'connect' });
    await cli.stop();
  });

  it('reconnects by itself after the connection drops, and says so', async () => {
    const cli = listen('drop');
    await started(cli);
    await cli.waitFor(/^Forwarding /m);
    // Let the first poll reach Herald, then cut it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    proxy.drop();
    await cli.waitFor(/^Lost the connection to Herald \(.+\); reconnecting…$/m);
    await cli.waitFor(/^Reconnected to Herald\.$/m);
    const msgId = await send('user.created', { userId: 'u3' });
    await until(() => deliveredTo(msgId).length === 1, 'the local handler to get msgId');
    await cli.stop();
  });

  it('reconnects by itself after Herald restarts, and gets what was sent while Herald was away', async () => {
    const cli = listen('restart');
    const { endpointId } = await started(cli);
    await cli.waitFor(/^Forwarding /m);
    // Herald's own shutdown may wait out its delivery grace period for the other relay endpoints' attempts.
    const stopped = await stopServe(serve, 'SIGTERM', 45_000);
    expect(stopped.code).toBe(0);
    await cli.waitFor(/^Lost the connection to Herald \(.+\); reconnecting…$/m);
    serve = await startServe(serveArgs(), env);
    call = apiClient(serve.url!, token);
    proxy.retarget(serve.url!);
    await cli.waitFor(/^Reconnected to Herald\.$/m, 30_000);
    const msgId = await send('invoice.paid', { invoiceId: 'inv_4', amount: 3 });
    await until(() => deliveredTo(msgId).length === 1, 'the local handler to get msgId');
    await until(async () => (await attemptsOf(endpointId)).some((a) => a.msgId === msgId), 'the attempts');
    await cli.stop();
  });

  it("serves only the key's own application's relay endpoints", async () => {
    const cli = listen('guarded');
    const { endpointId } = await started(cli);
    await cli.stop();
    expect((await call('POST', '/app', { name: 'Other', uid: 'other' })).status).toBe(201);
    const other = await call('POST', '/api-key', { name: 'other', appId: 'other' });
    const asOther = apiClient(serve.url!, other.body.token);
    const take = `/app/laptop/endpoint/${endpointId}/relay/take?wait=0`;
    expect((await asOther('POST', take)).status).toBe(403);
    expect((await apiClient(serve.url!, 'hk_nope')('POST', take)).status).toBe(401);
    // Through its own application's path the endpoint is not found.
    expect((await asOther('POST', `/app/other/endpoint/${endpointId}/relay/take?wait=0`)).status).toBe(404);
    // An HTTP endpoint is not a relay endpoint.
    const plain = await call('POST', '/app/laptop/endpoint', { url: 'https://example.com/hook' });
    const notRelay = await apiClient(serve.url!, appKey)(
      'POST',
      `/app/laptop/endpoint/${plain.body.id}/relay/take?wait=0`,
    );
    expect(notRelay.status).toBe(409);
    expect(notRelay.body.code).toBe('not_a_relay_endpoint');
    // A report must say either what the handler answered or why there was none.
    const answer = await apiClient(serve.url!, appKey)(
      'POST',
      `/app/laptop/endpoint/${endpointId}/relay/rly_${'0'.repeat(26)}`,
      { status: 200, error: 'connect', durationMs: 1 },
    );
    expect(answer.status).toBe(422);
    const unknown = await apiClient(serve.url!, appKey)(
      'POST',
      `/app/laptop/endpoint/${endpointId}/relay/rly_${'0'.repeat(26)}`,
      { status: 200, durationMs: 1 },
    );
    expect(unknown.status).toBe(404);
  });
});
