/**
 * `herald simulate`, end to end: the CLI as real processes against a real Herald (`herald serve` as a process)
 * on 127.0.0.1. `simulate events` sends catalogue events whose payloads pass their schemas and sums up what
 * Herald answered; `simulate receiver` answers Herald's deliveries with its fault profile, checks signatures,
 * and prints totals on SIGINT. Every run is bounded (a few seconds of sending, a few dozen requests).
 */
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../../src/signing/secrets.js';
import { killAllClis, runCli, startCli } from '../helpers/cli-process.js';
import { tempDir } from '../helpers/env.js';
import { apiClient, killAllServes, startServe } from '../helpers/serve-process.js';
import { waitUntil } from '../helpers/tracking-receiver.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const INVOICE_SCHEMA = {
  type: 'object',
  required: ['invoiceId', 'amount', 'currency', 'customer', 'lines'],
  additionalProperties: false,
  properties: {
    invoiceId: { type: 'string', pattern: '^inv_[0-9a-z]{8}$' },
    amount: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    currency: { enum: ['EUR', 'USD', 'GBP'] },
    paidAt: { type: 'string', format: 'date-time' },
    customer: {
      type: 'object',
      required: ['email'],
      properties: { email: { type: 'string', format: 'email' }, name: { type: 'string', maxLength: 40 } },
    },
    lines: {
      type: 'array',
      minItems: 1,
      maxItems: 3,
      items: {
        type: 'object',
        required: ['sku', 'quantity'],
        properties: { sku: { type: 'string', minLength: 3 }, quantity: { type: 'integer', minimum: 1 } },
      },
    },
  },
  examples: [
    {
      invoiceId: 'inv_0000abcd',
      amount: 4200,
      currency: 'EUR',
      customer: { email: 'ada@example.com' },
      lines: [{ sku: 'sku-1', quantity: 2 }],
    },
  ],
};
const USER_SCHEMA = {
  type: 'object',
  required: ['userId', 'plan'],
  properties: { userId: { type: 'string', format: 'uuid' }, plan: { enum: ['free', 'pro'] } },
  examples: [{ userId: '0b6f3a1e-8a5c-4d1e-9f3e-2c1d0e9b8a7f', plan: 'pro' }],
};

describe('herald simulate, end to end', { timeout: 120_000 }, () => {
  const data = tempDir();
  let url: string;
  let token: string;
  let call: ReturnType<typeof apiClient>;
  const validators = new Map<string, (payload: unknown) => boolean>();

  beforeAll(async () => {
    const served = await startServe(['--data-dir', data.dir], {
      HERALD_LOG_LEVEL: 'error',
      HERALD_SSRF_ALLOW_CIDRS: '127.0.0.1/32',
      HERALD_POLL_INTERVAL_MS: '50',
    });
    url = served.url!;
    token = served.token!;
    call = apiClient(url, token);
    const types = [
      { name: 'invoice.paid', description: 'An invoice was paid', schemas: { '1': INVOICE_SCHEMA } },
      { name: 'user.created', description: 'A user signed up', schemas: { '1': USER_SCHEMA } },
      { name: 'legacy.thing', description: 'Deprecated', deprecated: true },
    ];
    for (const type of types) expect((await call('POST', '/event-type', type)).status).toBe(201);
    for (const [name, schema] of [
      ['invoice.paid', INVOICE_SCHEMA],
      ['user.created', USER_SCHEMA],
    ] as const) {
      const ajv = new Ajv({ strict: false });
      addFormats(ajv);
      const validate = ajv.compile(schema);
      validators.set(name, (payload) => validate(payload) === true);
    }
  });

  afterAll(async () => {
    await killAllClis();
    await killAllServes();
    data.remove();
  });

  async function newApp(uid: string) {
    expect((await call('POST', '/app', { name: uid, uid })).status).toBe(201);
  }

  async function messagesOf(app: string): Promise<Array<{ eventType: string; payload: unknown }>> {
    const page = await call('GET', `/app/${app}/msg?limit=250`);
    expect(page.status).toBe(200);
    return page.body.data;
  }

  const simulateEvents = (args: string[]) =>
    runCli(['simulate', 'events', '--url', url, '--key', token, ...args]);

  it('sends live catalogue events whose payloads pass their schemas, with progress and a summary', async () => {
    await newApp('sim-events');
    const run = await simulateEvents([
      '--app',
      'sim-events',
      '--rate',
      '20/s',
      '--duration',
      '2s',
      '--seed',
      '7',
    ]);
    expect(run.stderr).toMatch(/sending \[=+\] 40\/40 \| accepted 40 \| rejected 0/);
    expect(run.stdout).toMatch(
      /^sent 40 of 40 events to application sim-events in [\d.]+ s \([\d.]+\/s; seed 7\)$/m,
    );
    expect(run.stdout).toMatch(/^accepted {2}40$/m);
    expect(run.stdout).toMatch(/^rejected {2}0$/m);
    expect(run.stdout).toMatch(/^ingest latency {2}p50 [\d.]+ ms {2}p99 [\d.]+ ms/m);
    expect(run.stdout).toMatch(/^payloads {5}generated 40$/m);
    expect(run.code).toBe(0);
    const messages = await messagesOf('sim-events');
    expect(messages).toHaveLength(40);
    // Deprecated event types are left out unless named; every payload passes its type's schema.
    expect(new Set(messages.map((m) => m.eventType))).toEqual(new Set(['invoice.paid', 'user.created']));
    for (const message of messages) expect(validators.get(message.eventType)!(message.payload)).toBe(true);
    // Generated, not copied: the payloads differ from each other and from the example.
    const invoices = messages
      .filter((m) => m.eventType === 'invoice.paid')
      .map((m) => JSON.stringify(m.payload));
    expect(new Set(invoices).size).toBe(invoices.length);
    expect(invoices).not.toContain(JSON.stringify(INVOICE_SCHEMA.examples[0]));
  });

  it('repeats its payloads exactly with the same --seed, and takes examples with --payloads examples', async () => {
    const payloadsOf = async (app: string, args: string[]) => {
      await newApp(app);
      const run = await simulateEvents([
        '--app',
        app,
        '--rate',
        '10/s',
        '--duration',
        '1s',
        '--no-progress',
        ...args,
      ]);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      return (await messagesOf(app)).map((m) => JSON.stringify(m.payload)).sort();
    };
    const seeded = ['--event-type', 'invoice.paid', '--seed', '42'];
    const first = await payloadsOf('seed-a', seeded);
    expect(first).toHaveLength(10);
    expect(await payloadsOf('seed-b', seeded)).toEqual(first);
    expect(await payloadsOf('seed-c', ['--event-type', 'invoice.paid', '--seed', '43'])).not.toEqual(first);
    const examples = await payloadsOf('examples', ['--event-type', 'user.created', '--payloads', 'examples']);
    expect(new Set(examples)).toEqual(new Set([JSON.stringify(USER_SCHEMA.examples[0])]));
  });

  it('counts rejections by reason: a key limited to 5 requests a second', async () => {
    await newApp('limited');
    const key = await call('POST', '/api-key', { name: 'limited', appId: 'limited', rateLimit: 5 });
    expect(key.status).toBe(201);
    const run = await runCli([
      'simulate',
      'events',
      '--url',
      url,
      '--key',
      key.body.token,
      '--app',
      'limited',
      '--event-type',
      'user.created',
      '--rate',
      '60/s',
      '--duration',
      '1s',
      '--no-progress',
    ]);
    expect(run.code).toBe(1);
    const accepted = Number(/^accepted {2}(\d+)$/m.exec(run.stdout)![1]);
    const rejected = Number(/^rejected {2}(\d+)$/m.exec(run.stdout)![1]);
    expect(accepted).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
    expect(accepted + rejected).toBe(60);
    expect(run.stdout).toContain(`  ${rejected} × 429 rate_limited: `);
    expect(await messagesOf('limited')).toHaveLength(accepted);
  });

  it('stops early on Ctrl-C and still prints the summary of what it sent', async () => {
    await newApp('interrupted');
    const run = startCli([
      'simulate',
      'events',
      '--url',
      url,
      '--key',
      token,
      '--app',
      'interrupted',
      '--rate',
      '20/s',
      '--duration',
      '60s',
    ]);
    await waitUntil(
      () => /sending \[=*-*\] [1-9]\d*\/1200/.test(run.output().stderr),
      20_000,
      'the first events sent',
    );
    const { code, stdout } = await run.stop('SIGINT');
    const sent = Number(/^interrupted: sent (\d+) of 1200 events/m.exec(stdout)?.[1]);
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(1200);
    expect(stdout).toMatch(new RegExp(`^accepted {2}${sent}$`, 'm'));
    expect(code).toBe(0);
    expect(await messagesOf('interrupted')).toHaveLength(sent);
  });

  it('refuses to start, with exit status 2, on an unknown application or event type', async () => {
    const noApp = await simulateEvents(['--app', 'absent', '--duration', '1s']);
    expect(noApp.code).toBe(2);
    expect(noApp.stderr).toMatch(/application absent does not exist/);
    await newApp('unknown-type');
    const noType = await simulateEvents([
      '--app',
      'unknown-type',
      '--event-type',
      'no.such',
      '--duration',
      '1s',
    ]);
    expect(noType.code).toBe(2);
    expect(noType.stderr).toMatch(/the catalogue has no event type no\.such; it has .*invoice\.paid/);
    const badRate = await simulateEvents(['--app', 'unknown-type', '--rate', 'fast']);
    expect(badRate.code).toBe(2);
    expect(badRate.stderr).toMatch(/"fast" is not a rate; write it like 50\/s or 300\/min/);
  });

  /** Starts `herald simulate receiver` on a free port; resolves with the process and its URL. */
  async function simulatedReceiver(args: string[]) {
    const receiver = startCli(['simulate', 'receiver', '--port', '0', ...args]);
    const [, receiverUrl] = await receiver.waitFor(
      /Simulated receiver listening on (http:\/\/127\.0\.0\.1:\d+)/,
    );
    return { receiver, url: receiverUrl! };
  }

  /** The delivery lines a simulated receiver printed. */
  const deliveryLines = (stdout: string) => stdout.split('\n').filter((line) => / #\d+ {2}/.test(line));
  const total = (stdout: string, name: string) =>
    Number(new RegExp(`^${name} +(\\d+)`, 'm').exec(stdout)![1]);

  it("receives Herald's deliveries, checks signatures, counts duplicates and faults, and prints totals on SIGINT", async () => {
    const secret = generateSecret();
    const { receiver, url: receiverUrl } = await simulatedReceiver([
      '--secret',
      secret,
      '--fail-rate',
      '0.5',
      '--latency',
      '1-20ms',
      '--seed',
      '11',
    ]);
    await newApp('faults');
    const good = await call('POST', '/app/faults/endpoint', { url: `${receiverUrl}/good`, secret });
    const wrong = await call('POST', '/app/faults/endpoint', {
      url: `${receiverUrl}/wrong`,
      secret: generateSecret(),
    });
    expect([good.status, wrong.status]).toEqual([201, 201]);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const sent = await call('POST', '/app/faults/msg', {
        eventType: 'receiver.test',
        payload: { n: i },
      });
      expect(sent.status).toBe(202);
      ids.push(sent.body.id);
    }
    await waitUntil(() => deliveryLines(receiver.output().stdout).length >= 16, 30_000, '16 deliveries');
    // A resend of a delivered message arrives with the same webhook-id: a duplicate.
    await waitUntil(
      async () =>
        (await call('POST', `/app/faults/msg/${ids[0]}/endpoint/${good.body.id}/resend`)).status === 202,
      30_000,
      'the resend to be accepted',
    );
    await waitUntil(() => / \(duplicate\) /.test(receiver.output().stdout), 30_000, 'the duplicate');
    const { stdout, code } = await receiver.stop('SIGINT');
    expect(code).toBe(0);
    const lines = deliveryLines(stdout);
    // A retry may still be waiting out its latency when the receiver stops: the totals say so.
    const pending = Number(/^received +\d+ \((\d+) not answered yet\)/m.exec(stdout)?.[1] ?? 0);
    expect(total(stdout, 'received')).toBe(lines.length + pending);
    // Every request to the endpoint with another secret fails its signature check, and is answered 400.
    const wrongLines = lines.filter((line) => line.includes('signature FAILED'));
    expect(wrongLines).toHaveLength(8);
    for (const line of wrongLines)
      expect(line).toMatch(/signature FAILED no_matching_signature {2}-> 400 \(signature\)/);
    expect(total(stdout, 'signature failures')).toBe(8);
    // Retries and the resend are duplicates by webhook-id.
    const duplicates = lines.filter((line) => line.includes('(duplicate)')).length;
    expect(duplicates).toBeGreaterThanOrEqual(1);
    expect(stdout).toMatch(
      new RegExp(
        `^duplicates +${duplicates} \\(by webhook-id; ${lines.length - duplicates} distinct\\)`,
        'm',
      ),
    );
    // Half the good requests (by the seed) fail with 500; the totals count each injected fault.
    const failed = lines.filter((line) => line.includes('-> 500 (fail)')).length;
    const ok = lines.filter((line) => / -> 200 after \d+ ms /.test(line)).length;
    expect(failed).toBeGreaterThan(0);
    expect(ok).toBeGreaterThan(0);
    expect(failed + ok + wrongLines.length).toBe(lines.length);
    expect(stdout).toMatch(
      new RegExp(`^faults injected +${failed}: ${failed} × status 500; delayed ${failed + ok}$`, 'm'),
    );
    // Herald's attempt log shows the answers the receiver printed.
    const attempts = await call('GET', `/app/faults/attempt/endpoint/${good.body.id}?limit=250`);
    const statuses = attempts.body.data.map(
      (attempt: { responseStatusCode: number }) => attempt.responseStatusCode,
    );
    expect(statuses.filter((status: number) => status === 500).length).toBeLessThanOrEqual(failed);
    expect(statuses.filter((status: number) => status === 200).length).toBeLessThanOrEqual(ok);
    // (0: no response: a retry cut off as the receiver stopped.)
    expect(statuses.filter((status: number) => ![0, 200, 500].includes(status))).toEqual([]);
  });

  it('checks Ed25519 (v1a) signatures with a whpk_ public key', async () => {
    await newApp('ed25519');
    const endpoint = await call('POST', '/app/ed25519/endpoint', {
      url: 'http://127.0.0.1:9/placeholder',
      signatureVersions: ['v1a'],
    });
    expect(endpoint.status).toBe(201);
    const publicKey = (await call('GET', `/app/ed25519/endpoint/${endpoint.body.id}/public-key`)).body.key;
    expect(publicKey).toMatch(/^whpk_/);
    const { receiver, url: receiverUrl } = await simulatedReceiver(['--secret', publicKey]);
    const moved = await call('PATCH', `/app/ed25519/endpoint/${endpoint.body.id}`, {
      url: `${receiverUrl}/ed`,
    });
    expect(moved.status).toBe(200);
    for (let i = 0; i < 3; i++)
      expect(
        (await call('POST', '/app/ed25519/msg', { eventType: 'receiver.test', payload: { n: i } })).status,
      ).toBe(202);
    await waitUntil(() => deliveryLines(receiver.output().stdout).length >= 3, 30_000, '3 deliveries');
    const { stdout } = await receiver.stop('SIGINT');
    for (const line of deliveryLines(stdout)) expect(line).toMatch(/signature ok {2}-> 200 /);
    expect(stdout).toMatch(/^signature failures {2}0$/m);
  });

  it('answers 410 after --gone-after requests, and Herald disables the endpoint', async () => {
    const { receiver, url: receiverUrl } = await simulatedReceiver(['--gone-after', '2', '--quiet']);
    await newApp('gone');
    const endpoint = await call('POST', '/app/gone/endpoint', { url: receiverUrl });
    for (let i = 0; i < 4; i++)
      expect(
        (
          await call('POST', '/app/gone/msg', {
            eventType: 'receiver.test',
            payload: { n: i },
          })
        ).status,
      ).toBe(202);
    await waitUntil(
      async () => (await call('GET', `/app/gone/endpoint/${endpoint.body.id}`)).body.disabled === true,
      30_000,
      'the endpoint to be disabled after a 410',
    );
    const { stdout } = await receiver.stop('SIGINT');
    expect(deliveryLines(stdout)).toEqual([]);
    const gone = Number(/^faults injected +(\d+): \1 × gone \(410\)/m.exec(stdout)?.[1]);
    expect(gone).toBeGreaterThanOrEqual(1);
    expect(stdout).toMatch(new RegExp(`^answered +2 × 200, ${gone} × 410$`, 'm'));
  });

  it('draws the same faults from the same --seed: status, Retry-After and hangs', async () => {
    const run = async (args: string[]) => {
      const { receiver, url: receiverUrl } = await simulatedReceiver(args);
      const answers: string[] = [];
      for (let i = 0; i < 20; i++) {
        try {
          const response = await fetch(receiverUrl, {
            method: 'POST',
            body: `{"n":${i}}`,
            signal: AbortSignal.timeout(1000),
          });
          answers.push(`${response.status} ${response.headers.get('retry-after') ?? '-'}`);
        } catch {
          answers.push('hang');
        }
      }
      const { stdout } = await receiver.stop('SIGINT');
      return { answers, stdout };
    };
    const profile = [
      '--fail-rate',
      '0.4',
      '--hang-rate',
      '0.15',
      '--status',
      '429',
      '--retry-after',
      '5',
      '--seed',
      '3',
    ];
    const first = await run(profile);
    expect(new Set(first.answers)).toEqual(new Set(['200 -', '429 5', 'hang']));
    expect((await run(profile)).answers).toEqual(first.answers);
    const hangs = first.answers.filter((a) => a === 'hang').length;
    const throttled = first.answers.filter((a) => a === '429 5').length;
    expect(first.stdout).toMatch(new RegExp(`^faults injected +${hangs + throttled}: `, 'm'));
    expect(first.stdout).toContain(`${throttled} × status 429`);
    expect(first.stdout).toContain(`${hangs} × hang`);
    expect(first.stdout).toMatch(/^signature failures {2}0$/m);
    // --status alone: every request gets it.
    const always = await run(['--status', '503']);
    expect(new Set(always.answers)).toEqual(new Set(['503 -']));
  });
});
