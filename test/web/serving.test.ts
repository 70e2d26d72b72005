/** How Herald serves the dashboard: built files, index.html for the dashboard's own paths, the API's JSON 404. */
import fs from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_DIR, registerDashboard } from '../../src/api/dashboard.js';
import { tempDir } from '../helpers/env.js';
import { startTestHerald, type RunningHerald } from '../helpers/herald.js';

describe('serving the built dashboard', () => {
  let h: RunningHerald;
  beforeAll(async () => {
    if (!fs.existsSync(path.join(DASHBOARD_DIR, 'index.html')))
      throw new Error(`the dashboard is not built in ${DASHBOARD_DIR}; run \`npm run build\` first`);
    h = await startTestHerald();
  });
  afterAll(async () => h?.close());

  it('serves index.html at / and at every dashboard path, with a strict content security policy', async () => {
    for (const page of ['/', '/apps/app_1/endpoints/ep_2', '/portal', '/event-types']) {
      const res = await fetch(`${h.url}${page}`);
      expect(res.status, page).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await res.text()).toContain('<div id="root"></div>');
    }
  });

  it('serves the hashed assets as immutable', async () => {
    const html = await (await fetch(h.url)).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const res = await fetch(`${h.url}${script}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  });

  it('keeps the JSON 404 for unknown API paths and methods other than GET', async () => {
    for (const [method, page] of [
      ['GET', '/api/v1/nope'],
      ['GET', '/api'],
      ['POST', '/apps/whatever'],
    ] as const) {
      const res = await fetch(`${h.url}${page}`, { method });
      expect(res.status, `${method} ${page}`).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'not_found' });
    }
    expect((await fetch(`${h.url}/api/v1/health`)).status).toBe(204);
  });
});

describe('a Herald whose dashboard was not built', () => {
  const tmp = tempDir();
  const app = Fastify();
  beforeAll(async () => {
    const dashboard = await registerDashboard(app, tmp.dir);
    app.setNotFoundHandler((request, reply) =>
      dashboard.serves(request) ? dashboard.page(reply) : reply.status(404).send({ code: 'not_found' }),
    );
  });
  afterAll(async () => {
    await app.close();
    tmp.remove();
  });

  it('says how to build it instead of serving a blank page', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toMatch(/npm run build/);
    expect((await app.inject({ method: 'GET', url: '/api/v1/x' })).statusCode).toBe(404);
  });
});
