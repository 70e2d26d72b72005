/**
 * The receivers of docs/receiving.md, in Express, Fastify and plain `node:http`, as the docs write them: each
 * verifies the raw body with `herald/verify` (the published export, so `npm run build` must have run) and then
 * parses it by its content type: JSON, XML or form encoding. Each also records what it got, for the test.
 */
import express from 'express';
import Fastify from 'fastify';
import { XMLParser } from 'fast-xml-parser';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as VerifyModule from '../../src/verify.js';

// By its published name, as a receiver imports it.
const specifier = 'herald/verify';
const { verifyWebhookBody, WebhookVerificationError } = (await import(specifier)) as typeof VerifyModule;

export interface Delivery {
  framework: string;
  headers: Record<string, string>;
  raw: Buffer;
  /** The parsed event, or null when verification failed. */
  event: unknown;
  /** Why verification failed, when it did. */
  failure: string | null;
}

/** From docs/receiving.md: the body, verified, parsed by its content type. */
function parseEvent(contentType: string | undefined, body: string): unknown {
  const type = (contentType ?? '').split(';')[0]!.trim();
  if (type === 'application/xml') return new XMLParser({ ignoreDeclaration: true }).parse(body);
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(body));
  return JSON.parse(body);
}

function flat(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

export interface DocReceiver {
  framework: string;
  url: string;
  deliveries: Delivery[];
  close(): Promise<void>;
}

/** What the test keeps of one request: the parsed event, or why it did not verify. */
function recorder(framework: string, deliveries: Delivery[]) {
  return (
    headers: http.IncomingHttpHeaders,
    raw: Buffer,
    outcome: { event: unknown } | { failure: string },
  ) =>
    deliveries.push({
      framework,
      headers: flat(headers),
      raw,
      event: 'event' in outcome ? outcome.event : null,
      failure: 'failure' in outcome ? outcome.failure : null,
    });
}

async function listening(framework: string, server: http.Server, deliveries: Delivery[], path = '') {
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    framework,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    deliveries,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export async function nodeHttpReceiver(secret: string): Promise<DocReceiver> {
  const deliveries: Delivery[] = [];
  const record = recorder('node:http', deliveries);
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    let body: string;
    try {
      body = verifyWebhookBody(secret, req.headers, raw);
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      record(req.headers, raw, { failure: error.reason });
      res.writeHead(400).end(error.message);
      return;
    }
    record(req.headers, raw, { event: parseEvent(req.headers['content-type'], body) });
    res.writeHead(204).end();
  });
  return listening('node:http', server, deliveries);
}

export async function expressReceiver(secret: string): Promise<DocReceiver> {
  const deliveries: Delivery[] = [];
  const record = recorder('express', deliveries);
  const app = express();
  // The raw bytes of every content type: no JSON, text or form parser may run before the signature is checked.
  app.post('/webhooks', express.raw({ type: () => true }), (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let body: string;
    try {
      body = verifyWebhookBody(secret, req.headers, raw);
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      record(req.headers, raw, { failure: error.reason });
      res.status(400).send(error.message);
      return;
    }
    record(req.headers, raw, { event: parseEvent(req.headers['content-type'], body) });
    res.sendStatus(204);
  });
  const server = await new Promise<http.Server>((resolve) => {
    const started: http.Server = app.listen(0, '127.0.0.1', () => resolve(started));
  });
  return listening('express', server, deliveries, '/webhooks');
}

export async function fastifyReceiver(secret: string): Promise<DocReceiver> {
  const deliveries: Delivery[] = [];
  const record = recorder('fastify', deliveries);
  const app = Fastify();
  // In a plugin of its own, so the raw-body parser applies to the webhook route only.
  await app.register(async (webhooks) => {
    webhooks.removeAllContentTypeParsers();
    webhooks.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, raw, done) => done(null, raw));
    webhooks.post('/webhooks', async (request, reply) => {
      const raw = (request.body as Buffer | undefined) ?? Buffer.alloc(0);
      let body: string;
      try {
        body = verifyWebhookBody(secret, request.headers, raw);
      } catch (error) {
        if (!(error instanceof WebhookVerificationError)) throw error;
        record(request.headers, raw, { failure: error.reason });
        return reply.code(400).send(error.message);
      }
      record(request.headers, raw, { event: parseEvent(request.headers['content-type'], body) });
      return reply.code(204).send();
    });
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { framework: 'fastify', url: `${address}/webhooks`, deliveries, close: () => app.close() };
}
