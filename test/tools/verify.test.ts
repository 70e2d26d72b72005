/**
 * Verification of any body, end to end: a real Herald (`herald serve` as a process) delivers one event as JSON,
 * XML and form encoding to receivers written as docs/receiving.md writes them, in Express, Fastify and
 * `node:http`, each verifying with `herald/verify`. Then `herald verify`, run as a real process, checks the
 * requests they saved, and says why a changed or unsigned one does not hold.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../../src/signing/secrets.js';
import { signWebhook } from '../../src/verify.js';
import { tempDir } from '../helpers/env.js';
import { runCli } from '../helpers/cli-process.js';
import { apiClient, killAllServes, startServe } from '../helpers/serve-process.js';
import { waitUntil } from '../helpers/tracking-receiver.js';
import {
  expressReceiver,
  fastifyReceiver,
  nodeHttpReceiver,
  type Delivery,
  type DocReceiver,
} from './doc-receivers.js';

const PAYLOAD = { invoiceId: 'inv_42', amount: 4200, customer: { name: 'Zoë & Co <ltd>' } };
const CONVERSIONS = ['none', 'xml', 'form'] as const;

/** Runs `herald verify <args>` as a process, with `input` on its standard input. */
function heraldVerify(args: string[], input: string | Buffer = '', env: Record<string, string> = {}) {
  return runCli(['verify', ...args], { input, env });
}

/** A saved request as a raw HTTP dump, the way a proxy or `nc -l` keeps it. */
function httpDump(delivery: Delivery, body: Buffer = delivery.raw): Buffer {
  const lines = Object.entries(delivery.headers).map(([name, value]) => `${name}: ${value}`);
  return Buffer.concat([Buffer.from(`POST /webhooks HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`), body]);
}

describe('verification of any body, end to end', { timeout: 120_000 }, () => {
  const secret = generateSecret();
  const data = tempDir();
  const files = tempDir();
  let receivers: DocReceiver[] = [];
  let call: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    receivers = [
      await nodeHttpReceiver(secret),
      await expressReceiver(secret),
      await fastifyReceiver(secret),
    ];
    const served = await startServe(['--data-dir', data.dir], {
      HERALD_LOG_LEVEL: 'error',
      HERALD_SSRF_ALLOW_CIDRS: '127.0.0.1/32',
      HERALD_POLL_INTERVAL_MS: '50',
    });
    call = apiClient(served.url!, served.token!);
    expect((await call('POST', '/app', { name: 'Receivers', uid: 'receivers' })).status).toBe(201);
    for (const receiver of receivers)
      for (const conversion of CONVERSIONS) {
        const created = await call('POST', '/app/receivers/endpoint', {
          url: `${receiver.url}?format=${conversion}`,
          secret,
          conversion,
        });
        expect(created.status).toBe(201);
      }
  });

  afterAll(async () => {
    await killAllServes();
    for (const receiver of receivers) await receiver.close();
    data.remove();
    files.remove();
  });

  it('delivers JSON, XML and form bodies that Express, Fastify and node:http receivers verify and parse', async () => {
    expect(
      (await call('POST', '/app/receivers/msg', { eventType: 'invoice.paid', payload: PAYLOAD })).status,
    ).toBe(202);
    await waitUntil(
      () => receivers.every((receiver) => receiver.deliveries.length >= CONVERSIONS.length),
      30_000,
      'every receiver to get the three formats',
    );
    for (const receiver of receivers) {
      const byType = new Map(
        receiver.deliveries.map((delivery) => [delivery.headers['content-type']!.split(';')[0], delivery]),
      );
      expect([...byType.keys()].sort()).toEqual([
        'application/json',
        'application/x-www-form-urlencoded',
        'application/xml',
      ]);
      for (const delivery of receiver.deliveries) expect(delivery.failure).toBeNull();
      expect(byType.get('application/json')!.event).toEqual(PAYLOAD);
      expect(byType.get('application/xml')!.event).toEqual({
        payload: { invoiceId: 'inv_42', amount: 4200, customer: { name: 'Zoë & Co <ltd>' } },
      });
      expect(byType.get('application/x-www-form-urlencoded')!.event).toEqual({
        invoiceId: 'inv_42',
        amount: '4200',
        'customer[name]': 'Zoë & Co <ltd>',
      });
    }
  });

  it('answers 400 for a body changed on the way, which Herald records as the attempt', async () => {
    const tampered = await nodeHttpReceiver(generateSecret());
    receivers.push(tampered);
    // In an application of its own, so that the receivers above get nothing more.
    expect((await call('POST', '/app', { name: 'Other secret', uid: 'other' })).status).toBe(201);
    const endpoint = await call('POST', '/app/other/endpoint', { url: tampered.url, conversion: 'xml' });
    expect(endpoint.status).toBe(201);
    const sent = await call('POST', '/app/other/msg', { eventType: 'invoice.paid', payload: PAYLOAD });
    expect(sent.status).toBe(202);
    await waitUntil(
      () => tampered.deliveries.length >= 1,
      30_000,
      'the delivery to the receiver with another secret',
    );
    expect(tampered.deliveries[0]!.failure).toBe('no_matching_signature');
    await waitUntil(
      async () => {
        const attempts = await call('GET', `/app/other/attempt/endpoint/${endpoint.body.id}`);
        return attempts.body.data.length > 0 && attempts.body.data[0].responseStatusCode === 400;
      },
      30_000,
      'the attempt recorded with the 400',
    );
  });

  it('herald verify checks saved requests of every format from a file, in either form, and from stdin', async () => {
    const saved = receivers.slice(0, 3).flatMap((receiver) => receiver.deliveries);
    expect(saved).toHaveLength(9);
    for (const [index, delivery] of saved.entries()) {
      const dump = path.join(files.dir, `request-${index}.http`);
      fs.writeFileSync(dump, httpDump(delivery));
      const fromDump = await heraldVerify([dump, '--secret', secret]);
      expect(fromDump.stdout).toMatch(/^verified: the v1 \(HMAC-SHA256\) signature holds/);
      expect(fromDump.stdout).toContain(delivery.headers['webhook-id']);
      expect(fromDump.stdout).toContain(`${delivery.raw.length} bytes, ${delivery.headers['content-type']}`);
      expect(fromDump.code).toBe(0);
    }
    const xml = saved.find((delivery) => delivery.headers['content-type']!.startsWith('application/xml'))!;
    // A JSON document {headers, body}.
    const json = path.join(files.dir, 'request.json');
    fs.writeFileSync(json, JSON.stringify({ headers: xml.headers, body: xml.raw.toString('utf8') }));
    expect((await heraldVerify([json, '--secret', secret])).code).toBe(0);
    // Headers and body in two files; the key from WEBHOOK_SECRET, and a second, wrong key first.
    const headersFile = path.join(files.dir, 'headers.txt');
    const bodyFile = path.join(files.dir, 'body.xml');
    fs.writeFileSync(
      headersFile,
      Object.entries(xml.headers)
        .map(([n, v]) => `${n}: ${v}`)
        .join('\n'),
    );
    fs.writeFileSync(bodyFile, xml.raw);
    const twoFiles = await heraldVerify(['--headers-file', headersFile, '--body-file', bodyFile], '', {
      WEBHOOK_SECRET: secret,
    });
    expect(twoFiles.code).toBe(0);
    const secondKey = await heraldVerify([json, '--secret', generateSecret(), '--secret', secret]);
    expect(secondKey.stdout).toMatch(/signature holds with key 2 of 2/);
    // Standard input.
    const piped = await heraldVerify(['--secret', secret], httpDump(xml));
    expect(piped.code).toBe(0);
  });

  it('herald verify says why a signature does not hold, with exit status 1, and 2 for unreadable input', async () => {
    const xml = receivers[0]!.deliveries.find((d) =>
      d.headers['content-type']!.startsWith('application/xml'),
    )!;
    const write = (name: string, content: Buffer | string) => {
      const file = path.join(files.dir, name);
      fs.writeFileSync(file, content);
      return file;
    };
    const dump = write('good.http', httpDump(xml));

    const wrongKey = await heraldVerify([dump, '--secret', generateSecret()]);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stdout).toMatch(/^not verified \(no_matching_signature\)/);
    expect(wrongKey.stdout).toMatch(/the key is not the one that signed/);

    // A body saved with a final line break it was not sent with (no Content-Length to cut it).
    const { 'content-length': _length, ...unframed } = xml.headers;
    const withNewline = write(
      'newline.http',
      httpDump({ ...xml, headers: unframed }, Buffer.concat([xml.raw, Buffer.from('\n')])),
    );
    const newline = await heraldVerify([withNewline, '--secret', secret]);
    expect(newline.code).toBe(1);
    expect(newline.stdout).toMatch(/holds for the body without its final line break/);

    const { 'webhook-signature': _signature, ...unsigned } = xml.headers;
    const missing = await heraldVerify([
      write('unsigned.http', httpDump({ ...xml, headers: unsigned })),
      '--secret',
      secret,
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/^not verified \(missing_header\): missing header webhook-signature/);

    const publicKey = await heraldVerify([
      dump,
      '--secret',
      `whpk_${Buffer.alloc(32, 7).toString('base64')}`,
    ]);
    expect(publicKey.code).toBe(1);
    expect(publicKey.stdout).toMatch(/only v1 \(HMAC\) signatures: pass the endpoint's whsec_ secret/);

    // A request signed an hour ago: the signature holds, the timestamp does not, unless told to ignore it.
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    const old = write(
      'old.http',
      httpDump({
        ...xml,
        headers: {
          ...xml.headers,
          'webhook-timestamp': String(hourAgo),
          'webhook-signature': signWebhook(secret, xml.headers['webhook-id']!, hourAgo, xml.raw),
        },
      }),
    );
    const tooOld = await heraldVerify([old, '--secret', secret]);
    expect(tooOld.code).toBe(1);
    expect(tooOld.stdout).toMatch(
      /^not verified \(timestamp_too_old\): the v1 \(HMAC-SHA256\) signature holds, but the timestamp is too old/,
    );
    expect(tooOld.stdout).toMatch(/60 min ago/);
    expect((await heraldVerify([old, '--secret', secret, '--ignore-timestamp'])).code).toBe(0);

    // A JSON body that was parsed and written again, indented, before it was saved.
    const json = receivers[0]!.deliveries.find((d) =>
      d.headers['content-type']!.startsWith('application/json'),
    )!;
    const reformatted = write(
      'reformatted.json',
      JSON.stringify({
        headers: json.headers,
        body: JSON.stringify(JSON.parse(json.raw.toString()), null, 2),
      }),
    );
    const reserialised = await heraldVerify([reformatted, '--secret', secret]);
    expect(reserialised.code).toBe(1);
    expect(reserialised.stdout).toMatch(/holds for the same JSON written compactly/);

    const usage = await heraldVerify([dump, '--secret', secret, '--tolerance', 'soon']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--tolerance must be a whole number of seconds/);
    expect((await heraldVerify([dump, '--no-such-option'])).code).toBe(2);

    const noKey = await heraldVerify([dump]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/no key: pass --secret whsec_/);
    const absent = await heraldVerify([path.join(files.dir, 'absent.http'), '--secret', secret]);
    expect(absent.code).toBe(2);
    expect(absent.stderr).toMatch(/cannot read .*absent\.http/);
    const parsedBody = await heraldVerify([
      write('parsed.json', JSON.stringify({ headers: xml.headers, body: { a: 1 } })),
      '--secret',
      secret,
    ]);
    expect(parsedBody.code).toBe(2);
    expect(parsedBody.stderr).toMatch(/"body" must be the body exactly as received/);
  });
});
