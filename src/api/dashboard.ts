/**
 * Serves the dashboard (the React app built from web/ into dist/web) at `/`. Any GET that is not an API route
 * or a built file gets index.html, so the dashboard's own paths (`/apps/…`, `/portal`) work on reload; paths
 * under /api/ keep the API's JSON 404. Unknown paths are left to the router's not-found handling rather than
 * caught by a wildcard route, so the router's own answers (414 for an over-long parameter) stay as they are.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `vite build` writes the dashboard; the same path from src/api (tests) and dist/api (built). */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../dist/web', import.meta.url));

/**
 * The dashboard loads only its own scripts and talks only to this origin. Framing stays allowed: platforms
 * embed the consumer portal in their own pages.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

function pageHeaders(reply: FastifyReply) {
  reply
    .header('cache-control', 'no-cache')
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    // The portal link carries its token in the fragment, which browsers never send; this is belt and braces.
    .header('referrer-policy', 'no-referrer');
}

const NOT_BUILT =
  'The Herald dashboard has not been built. Run `npm run build` (or `npm start`, which builds it) and ' +
  'restart Herald. The API is served under /api/v1.';

/** What the API's not-found handler asks of the dashboard. */
export interface Dashboard {
  /** True for a request the dashboard answers: a GET or HEAD outside /api/ that matched no route or file. */
  serves(request: FastifyRequest): boolean;
  /** Sends index.html, or says how to build the dashboard when it is not built. */
  page(reply: FastifyReply): FastifyReply;
}

const isApiPath = (url: string) => {
  const path = url.split('?')[0]!;
  return path === '/api' || path.startsWith('/api/');
};

/**
 * Serves the built files, one route each, so everything else reaches the API's not-found handler, which asks
 * the returned Dashboard whether to answer with index.html.
 */
export async function registerDashboard(app: FastifyInstance, dir = DASHBOARD_DIR): Promise<Dashboard> {
  const built = fs.existsSync(path.join(dir, 'index.html'));
  if (built)
    await app.register(fastifyStatic, {
      root: dir,
      wildcard: false,
      index: false,
      dotfiles: 'ignore',
      cacheControl: false,
      setHeaders: (reply, file) => {
        // Vite puts a content hash in every asset's name, so those never change.
        const immutable = file.includes(`${path.sep}assets${path.sep}`);
        reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
        reply.header('x-content-type-options', 'nosniff');
      },
    });
  return {
    serves: (request) => (request.method === 'GET' || request.method === 'HEAD') && !isApiPath(request.url),
    page(reply) {
      if (!built) return reply.status(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
      pageHeaders(reply);
      return reply.sendFile('index.html');
    },
  };
}
