/**
 * The official `svix` npm SDK, unchanged, against a real Herald listening on 127.0.0.1. This is the
 * compatibility promise of the API: what the SDK sends, Herald accepts; what Herald answers, the SDK parses.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AutoConfigConsumer, Ordering, Svix, type ValidationError } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBodyText } from '../src/api/problems.js';
import { loadConfig } from '../src/config/config.js';
import { apiError } from './helpers/sdk.js';
import { startHerald, type Herald } from '../src/herald.js';

/** Every endpoint URL points at this machine; nothing in this file sends a webhook anywhere else. */
const HOOK = 'http://127.0.0.1:9/hooks';
const SECRET = 'whsec_' + Buffer.alloc(24, 7).toString('base64');
const OTHER_SECRET = 'whsec_' + Buffer.alloc(32, 9).toString('base64');

interface Running {
  herald: Herald;
  token: string;
  serverUrl: string;
  dataDir: string;
  stop(): Promise<void>;
}

async function runHerald(env: Record<string, string> = {}): Promise<Running> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-sdk-'));
  const config = loadConfig({
    HERALD_HOST: '127.0.0.1',
    HERALD_PORT: '0',
    HERALD_DATA_DIR: dataDir,
    HERALD_LOG_LEVEL: 'silent',
    HERALD_SSRF_ALLOW_CIDRS: '127.0.0.1/32',
    HERALD_API_KEY_CACHE_SECONDS: '0',
    ...env,
  });
  let token: string | undefined;
  const herald = await startHerald(config, { onFirstAdminKey: (created) => (token = created) });
  const address = herald.api!.server.address();
  if (token === undefined || address === null || typeof address !== 'object')
    throw new Error('Herald did not start as expected');
  return {
    herald,
    token,
    serverUrl: `http://127.0.0.1:${address.port}`,
    dataDir,
    async stop() {
      await herald.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

type ErrorBody = { code: string; detail: string };

describe('svix SDK against Herald', () => {
  let run: Running;
  let svix: Svix;

  beforeAll(async () => {
    run = await runHerald();
    // No retries: a 5xx must surface as an error here, not be papered over.
    svix = new Svix(run.token, { serverUrl: run.serverUrl, retryScheduleInMs: [] });
  });
  afterAll(async () => run?.stop());

  it('hands out an admin key on first start and answers health', async () => {
    expect(run.token).toMatch(/^hk_admin_/);
    await expect(svix.health.get()).resolves.toBeUndefined();
  });

  describe('applications', () => {
    it('creates, reads by id and uid, lists, updates, patches and deletes', async () => {
      const created = await svix.application.create({
        name: 'Acme',
        uid: 'sdk-acme',
        metadata: { plan: 'pro' },
        throttleRate: 50,
      });
      expect(created.id).toMatch(/^app_/);
      expect(created).toMatchObject({ name: 'Acme', uid: 'sdk-acme', metadata: { plan: 'pro' } });
      expect(created.throttleRate).toBe(50);
      expect(created.createdAt).toBeInstanceOf(Date);
      expect(Number.isNaN(created.createdAt.getTime())).toBe(false);
      expect(Number.isNaN(created.updatedAt.getTime())).toBe(false);

      const byId = await svix.application.get(created.id);
      const byUid = await svix.application.get('sdk-acme');
      expect(byId).toEqual(created);
      expect(byUid).toEqual(created);

      const listed = await svix.application.list({ limit: 250 });
      expect(listed.data.map((app) => app.id)).toContain(created.id);
      expect(listed.done).toBe(true);

      const updated = await svix.application.update('sdk-acme', {
        name: 'Acme Inc',
        uid: 'sdk-acme',
        metadata: { plan: 'team' },
      });
      expect(updated).toMatchObject({
        id: created.id,
        name: 'Acme Inc',
        uid: 'sdk-acme',
        metadata: { plan: 'team' },
      });
      // PUT replaces: the throttle rate that was not sent is back to its default.
      expect(updated.throttleRate ?? null).toBeNull();
      expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());

      const patched = await svix.application.patch(created.id, { name: 'Acme Patched' });
      expect(patched).toMatchObject({ id: created.id, name: 'Acme Patched', metadata: { plan: 'team' } });

      await svix.application.delete('sdk-acme');
      const gone = await apiError(() => svix.application.get(created.id));
      expect(gone.code).toBe(404);
      expect((gone.body as ErrorBody).code).toBe('not_found');
    });

    it('sets the throttle rate through rateLimit, the newer SDK name, and reads it back under both names', async () => {
      const created = await svix.application.create({ name: 'Limited', uid: 'sdk-rate', rateLimit: 25 });
      expect(created.rateLimit).toBe(25);
      expect(created.throttleRate).toBe(25);
      expect((await svix.application.get('sdk-rate')).rateLimit).toBe(25);

      const updated = await svix.application.update('sdk-rate', {
        name: 'Limited',
        uid: 'sdk-rate',
        rateLimit: 30,
      });
      expect(updated).toMatchObject({ rateLimit: 30, throttleRate: 30, uid: 'sdk-rate' });

      const patched = await svix.application.patch('sdk-rate', { rateLimit: 35 });
      expect(patched).toMatchObject({ rateLimit: 35, throttleRate: 35, name: 'Limited' });
      const cleared = await svix.application.patch('sdk-rate', { rateLimit: null });
      expect(cleared.rateLimit ?? null).toBeNull();
      expect(cleared.throttleRate ?? null).toBeNull();

      const conflicting = await apiError(() =>
        svix.application.create({ name: 'Conflict', throttleRate: 1, rateLimit: 2 }),
      );
      expect(conflicting.code).toBe(422);
      expect(errorBodyText(conflicting.body)).toMatch(/rateLimit/);
    });

    it('update without a uid removes it, as in Svix', async () => {
      const created = await svix.application.create({ name: 'Loses uid', uid: 'sdk-keep-uid' });
      const updated = await svix.application.update(created.id, { name: 'Renamed' });
      expect(updated).toMatchObject({ id: created.id, uid: null, name: 'Renamed' });
    });

    it('update of an unknown uid creates the application with that uid', async () => {
      const created = await svix.application.update('sdk-upserted', { name: 'Upserted' });
      expect(created).toMatchObject({ uid: 'sdk-upserted', name: 'Upserted' });
      expect((await svix.application.get('sdk-upserted')).id).toBe(created.id);
    });

    it('getOrCreate creates once and then returns the existing application unchanged', async () => {
      const first = await svix.application.getOrCreate({ name: 'Globex', uid: 'sdk-globex' });
      const second = await svix.application.getOrCreate({ name: 'Another name', uid: 'sdk-globex' });
      expect(second.id).toBe(first.id);
      expect(second.name).toBe('Globex');
      const all = await svix.application.list({ limit: 250 });
      expect(all.data.filter((app) => app.uid === 'sdk-globex')).toHaveLength(1);
    });

    it('replays a create that reuses an idempotency key instead of creating twice', async () => {
      const key = `sdk-idem-${Date.now()}`;
      const first = await svix.application.create({ name: 'Once' }, { idempotencyKey: key });
      const again = await svix.application.create({ name: 'Once' }, { idempotencyKey: key });
      expect(again.id).toBe(first.id);
    });
  });

  describe('event types', () => {
    const schemas = {
      '1': {
        type: 'object',
        properties: { invoiceId: { type: 'string' } },
        required: ['invoiceId'],
      },
    };

    it('creates, reads, lists, updates, patches, archives and expunges', async () => {
      const created = await svix.eventType.create({
        name: 'sdk.invoice.paid',
        description: 'An invoice was paid',
        schemas,
      });
      expect(created).toMatchObject({
        name: 'sdk.invoice.paid',
        description: 'An invoice was paid',
        archived: false,
        deprecated: false,
        schemas,
      });
      expect(Number.isNaN(created.createdAt.getTime())).toBe(false);

      expect(await svix.eventType.get('sdk.invoice.paid')).toEqual(created);

      const withContent = await svix.eventType.list({ withContent: true, limit: 250 });
      expect(withContent.data.find((type) => type.name === 'sdk.invoice.paid')?.schemas).toEqual(schemas);

      const updated = await svix.eventType.update('sdk.invoice.paid', {
        description: 'Paid in full',
        deprecated: true,
      });
      expect(updated).toMatchObject({ description: 'Paid in full', deprecated: true, archived: false });
      // PUT replaces: the schemas that were not sent are gone.
      expect(updated.schemas ?? null).toBeNull();

      const patched = await svix.eventType.patch('sdk.invoice.paid', { description: 'Patched', schemas });
      expect(patched).toMatchObject({ description: 'Patched', deprecated: true, schemas });

      await svix.eventType.delete('sdk.invoice.paid');
      expect((await svix.eventType.get('sdk.invoice.paid')).archived).toBe(true);
      const visible = await svix.eventType.list({ limit: 250 });
      expect(visible.data.map((type) => type.name)).not.toContain('sdk.invoice.paid');
      const archived = await svix.eventType.list({ limit: 250, includeArchived: true });
      expect(archived.data.map((type) => type.name)).toContain('sdk.invoice.paid');

      await svix.eventType.delete('sdk.invoice.paid', { expunge: true });
      expect((await apiError(() => svix.eventType.get('sdk.invoice.paid'))).code).toBe(404);
    });

    it('update of an unknown event type creates it', async () => {
      const created = await svix.eventType.update('sdk.user.created', { description: 'A user signed up' });
      expect(created).toMatchObject({ name: 'sdk.user.created', description: 'A user signed up' });
    });

    it('stores featureFlags and groupName, and hides flagged event types from keys without a flag', async () => {
      const created = await svix.eventType.create({
        name: 'sdk.flags',
        description: 'With the newer fields',
        featureFlags: ['beta', 'eu'],
        groupName: 'billing',
      });
      expect(created).toMatchObject({
        featureFlag: 'beta',
        featureFlags: ['beta', 'eu'],
        groupName: 'billing',
      });
      const updated = await svix.eventType.update('sdk.flags', {
        description: 'Updated',
        featureFlags: ['eu'],
        groupName: 'billing',
      });
      expect(updated).toMatchObject({ description: 'Updated', featureFlags: ['eu'] });
      expect((await svix.eventType.get('sdk.flags')).groupName).toBe('billing');
      const app = await svix.application.create({ name: 'flags' });
      const portal = async (featureFlags: string[]) => {
        const access = await svix.authentication.appPortalAccess(app.id, { featureFlags });
        return new Svix(access.token, { serverUrl: run.serverUrl, retryScheduleInMs: [] });
      };
      const names = async (client: Svix) =>
        (await client.eventType.list({ limit: 250 })).data.map((eventType) => eventType.name);
      expect(await names(await portal(['eu']))).toContain('sdk.flags');
      expect(await names(await portal(['beta']))).not.toContain('sdk.flags');
      const patched = await svix.eventType.patch('sdk.flags', { featureFlags: null, groupName: 'other' });
      expect(patched).toMatchObject({ description: 'Updated', featureFlags: null, groupName: 'other' });
      expect(await names(await portal([]))).toContain('sdk.flags');
    });

    it('refuses a duplicate name with 409', async () => {
      await svix.eventType.create({ name: 'sdk.dup', description: 'first' });
      const error = await apiError(() => svix.eventType.create({ name: 'sdk.dup', description: 'second' }));
      expect(error.code).toBe(409);
      expect((error.body as ErrorBody).detail).toMatch(/already exists/);
    });
  });

  describe('endpoints', () => {
    let appId: string;

    beforeAll(async () => {
      appId = (await svix.application.create({ name: 'Endpoint owner', uid: 'sdk-ep-owner' })).id;
      await svix.eventType.create({ name: 'sdk.order.created', description: 'An order was created' });
      await svix.eventType.create({ name: 'sdk.order.shipped', description: 'An order was shipped' });
    });

    it('creates, reads, lists, updates, patches and deletes', async () => {
      const created = await svix.endpoint.create(appId, {
        url: HOOK,
        uid: 'sdk-ep-1',
        description: 'Orders',
        channels: ['eu'],
        metadata: { team: 'ops' },
        secret: SECRET,
      });
      expect(created.id).toMatch(/^ep_/);
      expect(created).toMatchObject({
        url: HOOK,
        uid: 'sdk-ep-1',
        description: 'Orders',
        disabled: false,
        channels: ['eu'],
        metadata: { team: 'ops' },
      });
      expect(typeof created.version).toBe('number');
      expect(Number.isNaN(created.createdAt.getTime())).toBe(false);

      expect(await svix.endpoint.get('sdk-ep-owner', 'sdk-ep-1')).toEqual(created);
      const listed = await svix.endpoint.list(appId);
      expect(listed.data.map((endpoint) => endpoint.id)).toEqual([created.id]);
      expect(listed.done).toBe(true);

      const updated = await svix.endpoint.update(appId, created.id, {
        url: 'http://127.0.0.1:9/hooks/v2',
        uid: 'sdk-ep-1',
        description: 'Orders v2',
      });
      expect(updated).toMatchObject({
        id: created.id,
        url: 'http://127.0.0.1:9/hooks/v2',
        description: 'Orders v2',
      });
      // PUT replaces: channels and metadata that were not sent return to their defaults.
      expect(updated.channels ?? null).toBeNull();
      expect(updated.metadata).toEqual({});

      const patched = await svix.endpoint.patch(appId, 'sdk-ep-1', { disabled: true });
      expect(patched).toMatchObject({ id: created.id, disabled: true, description: 'Orders v2' });

      await svix.endpoint.delete(appId, created.id);
      const gone = await apiError(() => svix.endpoint.get(appId, created.id));
      expect(gone.code).toBe(404);
    });

    it('round-trips the event-type filter the SDK sends as filterTypes', async () => {
      const created = await svix.endpoint.create(appId, { url: HOOK, filterTypes: ['sdk.order.created'] });
      expect(created.filterTypes).toEqual(['sdk.order.created']);
      expect((await svix.endpoint.get(appId, created.id)).filterTypes).toEqual(['sdk.order.created']);

      const patched = await svix.endpoint.patch(appId, created.id, {
        filterTypes: ['sdk.order.created', 'sdk.order.shipped'],
      });
      expect(patched.filterTypes).toEqual(['sdk.order.created', 'sdk.order.shipped']);

      const updated = await svix.endpoint.update(appId, created.id, {
        url: HOOK,
        filterTypes: ['sdk.order.shipped'],
      });
      expect(updated.filterTypes).toEqual(['sdk.order.shipped']);

      const cleared = await svix.endpoint.patch(appId, created.id, { filterTypes: null });
      expect(cleared.filterTypes ?? null).toBeNull();

      const unknown = await apiError(() =>
        svix.endpoint.create(appId, { url: HOOK, filterTypes: ['sdk.nope'] }),
      );
      expect(unknown.code).toBe(422);
      // Svix's HTTPValidationError, as the SDK types it, naming the field the SDK sent.
      expect((unknown.body as { detail: ValidationError[] }).detail).toEqual([
        expect.objectContaining({ loc: ['body', 'filterTypes'], msg: expect.stringContaining('sdk.nope') }),
      ]);
    });

    it('accepts the contract name eventTypes too, and refuses both names with different values', async () => {
      const post = (body: unknown) =>
        fetch(`${run.serverUrl}/api/v1/app/${appId}/endpoint`, {
          method: 'POST',
          headers: { authorization: `Bearer ${run.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const viaContract = await post({ url: HOOK, eventTypes: ['sdk.order.created'] });
      expect(viaContract.status).toBe(201);
      const { id } = (await viaContract.json()) as { id: string };
      expect((await svix.endpoint.get(appId, id)).filterTypes).toEqual(['sdk.order.created']);

      const agreeing = await post({
        url: HOOK,
        eventTypes: ['sdk.order.created'],
        filterTypes: ['sdk.order.created'],
      });
      expect(agreeing.status).toBe(201);
      const conflicting = await post({
        url: HOOK,
        eventTypes: ['sdk.order.created'],
        filterTypes: ['sdk.order.shipped'],
      });
      expect(conflicting.status).toBe(422);
      expect(errorBodyText(await conflicting.json())).toMatch(/filterTypes/);
    });

    it('gets, replaces and patches custom headers, hiding sensitive values', async () => {
      const endpoint = await svix.endpoint.create(appId, { url: HOOK });
      expect(await svix.endpoint.getHeaders(appId, endpoint.id)).toEqual({ headers: {}, sensitive: [] });

      await svix.endpoint.updateHeaders(appId, endpoint.id, {
        headers: { 'X-Tenant': 'acme', Authorization: 'Bearer receiver-secret' },
      });
      const afterPut = await svix.endpoint.getHeaders(appId, endpoint.id);
      expect(afterPut.headers).toEqual({ 'X-Tenant': 'acme' });
      expect(afterPut.sensitive).toEqual(['Authorization']);
      expect(JSON.stringify(afterPut)).not.toContain('receiver-secret');

      await svix.endpoint.patchHeaders(appId, endpoint.id, {
        headers: { 'X-Tenant': 'globex', 'X-Extra': '1' },
      });
      const afterPatch = await svix.endpoint.getHeaders(appId, endpoint.id);
      expect(afterPatch.headers).toEqual({ 'X-Tenant': 'globex', 'X-Extra': '1' });
      expect(afterPatch.sensitive).toEqual(['Authorization']);

      // PUT replaces the whole set.
      await svix.endpoint.updateHeaders(appId, endpoint.id, { headers: { 'X-Only': 'this' } });
      expect(await svix.endpoint.getHeaders(appId, endpoint.id)).toEqual({
        headers: { 'X-Only': 'this' },
        sensitive: [],
      });

      const reserved = await apiError(() =>
        svix.endpoint.updateHeaders(appId, endpoint.id, { headers: { 'webhook-id': 'forged' } }),
      );
      expect(reserved.code).toBe(422);
    });

    it('sets the throttle rate through rateLimit on create, update and patch', async () => {
      const created = await svix.endpoint.create(appId, { url: HOOK, rateLimit: 15 });
      expect(created).toMatchObject({ rateLimit: 15, throttleRate: 15 });
      const updated = await svix.endpoint.update(appId, created.id, { url: HOOK, rateLimit: 16 });
      expect(updated).toMatchObject({ rateLimit: 16, throttleRate: 16 });
      const patched = await svix.endpoint.patch(appId, created.id, { rateLimit: 17 });
      expect(patched).toMatchObject({ rateLimit: 17, throttleRate: 17 });
      expect((await svix.endpoint.get(appId, created.id)).rateLimit).toBe(17);
      const conflicting = await apiError(() =>
        svix.endpoint.patch(appId, created.id, { throttleRate: 1, rateLimit: 2 }),
      );
      expect(conflicting.code).toBe(422);
    });

    it('stores the headers given on create, and deletes headers named in deleteHeaders', async () => {
      const endpoint = await svix.endpoint.create(appId, {
        url: HOOK,
        headers: { 'X-Tenant': 'acme', 'X-Region': 'eu', Authorization: 'Bearer from-create' },
      });
      const stored = await svix.endpoint.getHeaders(appId, endpoint.id);
      expect(stored).toEqual({
        headers: { 'X-Tenant': 'acme', 'X-Region': 'eu' },
        sensitive: ['Authorization'],
      });
      expect(JSON.stringify(stored)).not.toContain('from-create');

      await svix.endpoint.patchHeaders(appId, endpoint.id, {
        headers: { 'X-Tier': 'gold' },
        deleteHeaders: ['X-Region', 'authorization'],
      });
      expect(await svix.endpoint.getHeaders(appId, endpoint.id)).toEqual({
        headers: { 'X-Tenant': 'acme', 'X-Tier': 'gold' },
        sensitive: [],
      });

      const reserved = await apiError(() =>
        svix.endpoint.create(appId, { url: HOOK, headers: { 'svix-signature': 'forged' } }),
      );
      expect(reserved.code).toBe(422);
    });

    it('update without a uid removes it, as in Svix', async () => {
      const created = await svix.endpoint.create(appId, { url: HOOK, uid: 'sdk-ep-keep' });
      const updated = await svix.endpoint.update(appId, created.id, { url: HOOK, description: 'Replaced' });
      expect(updated).toMatchObject({ id: created.id, uid: null, description: 'Replaced' });
    });

    it('reveals and rotates the signing secret', async () => {
      const endpoint = await svix.endpoint.create(appId, { url: HOOK, secret: SECRET });
      expect(await svix.endpoint.getSecret(appId, endpoint.id)).toEqual({ key: SECRET });

      await svix.endpoint.rotateSecret(appId, endpoint.id);
      const generated = (await svix.endpoint.getSecret(appId, endpoint.id)).key;
      expect(generated).toMatch(/^whsec_[A-Za-z0-9+/=]{32,}$/);
      expect(generated).not.toBe(SECRET);

      await svix.endpoint.rotateSecret(appId, endpoint.id, { key: OTHER_SECRET });
      expect((await svix.endpoint.getSecret(appId, endpoint.id)).key).toBe(OTHER_SECRET);

      const generatedWhenOmitted = await svix.endpoint.create(appId, { url: HOOK });
      expect((await svix.endpoint.getSecret(appId, generatedWhenOmitted.id)).key).toMatch(/^whsec_/);
    });
  });

  describe('pagination', () => {
    it('pages through more than one page with iterator until done, in order, without repeats', async () => {
      const owner = await svix.application.create({ name: 'Paged', uid: 'sdk-paged' });
      const created: string[] = [];
      for (let i = 0; i < 7; i++)
        created.push((await svix.endpoint.create(owner.id, { url: `${HOOK}/${i}` })).id);

      const seen: string[] = [];
      const pages: number[] = [];
      let iterator: string | null | undefined;
      for (let guard = 0; guard < 20; guard++) {
        const page = await svix.endpoint.list(owner.id, { limit: 3, iterator });
        expect(page.data.length).toBeLessThanOrEqual(3);
        pages.push(page.data.length);
        seen.push(...page.data.map((endpoint) => endpoint.id));
        if (page.done) break;
        expect(page.iterator).toEqual(expect.any(String));
        iterator = page.iterator;
      }
      expect(pages).toEqual([3, 3, 1]);
      // Endpoints list newest first, as in Svix.
      expect(seen).toEqual([...created].reverse());

      const ascending = await svix.endpoint.list(owner.id, { limit: 250, order: Ordering.Ascending });
      expect(ascending.data.map((endpoint) => endpoint.id)).toEqual(created);
    });

    it('pages through applications the same way', async () => {
      for (let i = 0; i < 5; i++) await svix.application.create({ name: `Paged app ${i}` });
      const total = (await svix.application.list({ limit: 250 })).data.length;
      expect(total).toBeGreaterThan(4);

      const seen = new Set<string>();
      let pages = 0;
      let iterator: string | null | undefined;
      for (;;) {
        const page = await svix.application.list({ limit: 2, iterator });
        pages++;
        for (const app of page.data) {
          expect(seen.has(app.id)).toBe(false);
          seen.add(app.id);
        }
        if (page.done) break;
        iterator = page.iterator;
        expect(pages).toBeLessThan(100);
      }
      expect(pages).toBeGreaterThan(1);
      expect(seen.size).toBe(total);
    });
  });

  describe('errors', () => {
    it('is a 404 ApiException for a missing application', async () => {
      const error = await apiError(() => svix.application.get('app_does_not_exist'));
      expect(error.code).toBe(404);
      expect((error.body as ErrorBody).detail).toContain('app_does_not_exist');
      expect((await apiError(() => svix.endpoint.list('no-such-app'))).code).toBe(404);
    });

    it('is a 422 ApiException for invalid input, saying what to fix', async () => {
      const emptyName = await apiError(() => svix.application.create({ name: '' }));
      expect(emptyName.code).toBe(422);
      expect(errorBodyText(emptyName.body)).toContain('body.name');

      const badUid = await apiError(() => svix.application.create({ name: 'x', uid: 'has spaces' }));
      expect(badUid.code).toBe(422);

      const app = await svix.application.create({ name: 'Validation' });
      const badUrl = await apiError(() => svix.endpoint.create(app.id, { url: 'not a url' }));
      expect(badUrl.code).toBe(422);
      expect(errorBodyText(badUrl.body)).toContain('body.url');

      const badSecret = await apiError(() => svix.endpoint.create(app.id, { url: HOOK, secret: 'short' }));
      expect(badSecret.code).toBe(422);
    });

    it('is a 409 ApiException for a uid that is taken', async () => {
      await svix.application.create({ name: 'First', uid: 'sdk-taken' });
      const error = await apiError(() => svix.application.create({ name: 'Second', uid: 'sdk-taken' }));
      expect(error.code).toBe(409);
    });

    it('is a 401 ApiException for a bad token', async () => {
      const stranger = new Svix('hk_admin_this-is-not-a-real-key', { serverUrl: run.serverUrl });
      const error = await apiError(() => stranger.application.list());
      expect(error.code).toBe(401);
      expect((error.body as ErrorBody).code).toBe('authentication_failed');
    });
  });
});

describe('svix SDK: the message poller', () => {
  let run: Running;
  let svix: Svix;
  beforeAll(async () => {
    run = await runHerald({ HERALD_POLLER_SETTLE_MS: '0' });
    svix = new Svix(run.token, { serverUrl: run.serverUrl, retryScheduleInMs: [] });
  });
  afterAll(async () => run?.stop());

  it('polls, polls as a consumer, and seeks', async () => {
    const app = await svix.application.create({ name: 'Poller', uid: 'sdk-poller' });
    await svix.eventType.create({ name: 'order.placed', description: 'An order was placed' });
    const sink = await svix.endpoint.create(app.id, {
      uid: 'orders',
      url: 'poll://orders',
      filterTypes: ['order.placed'],
    });
    expect(sink.url).toBe('poll://orders');
    const sent: string[] = [];
    for (const n of [1, 2, 3])
      sent.push((await svix.message.create(app.id, { eventType: 'order.placed', payload: { n } })).id);
    await svix.message.create(app.id, { eventType: 'other.thing', payload: {} });

    const first = await svix.message.poller.poll(app.id, sink.id, { limit: 2 });
    expect(first.data.map((m) => m.id)).toEqual(sent.slice(0, 2));
    expect(first.data[0]!.payload).toEqual({ n: 1 });
    expect(first.data[0]!.timestamp).toBeInstanceOf(Date);
    expect(first.done).toBe(false);
    const rest = await svix.message.poller.poll(app.id, sink.id, { iterator: first.iterator });
    expect(rest.data.map((m) => m.id)).toEqual(sent.slice(2));
    expect(rest.done).toBe(true);

    const page = await svix.message.poller.consumerPoll(app.id, 'orders', 'worker', { limit: 2 });
    expect(page.data.map((m) => m.id)).toEqual(sent.slice(0, 2));
    // Not acknowledged yet: the same page again.
    const again = await svix.message.poller.consumerPoll(app.id, 'orders', 'worker', { limit: 2 });
    expect(again.data.map((m) => m.id)).toEqual(sent.slice(0, 2));
    const next = await svix.message.poller.consumerPoll(app.id, 'orders', 'worker', {
      iterator: page.iterator,
    });
    expect(next.data.map((m) => m.id)).toEqual(sent.slice(2));

    const seek = await svix.message.poller.consumerSeek(app.id, 'orders', 'worker', { after: new Date(0) });
    expect(typeof seek.iterator).toBe('string');
    const fromStart = await svix.message.poller.consumerPoll(app.id, 'orders', 'worker');
    expect(fromStart.data.map((m) => m.id)).toEqual(sent);
  });

  it("receives with a lease and commits through the SDK's AutoConfigConsumer (poller v2)", async () => {
    const app = await svix.application.create({ name: 'Poller v2', uid: 'sdk-poller-v2' });
    const sink = await svix.endpoint.create(app.id, { uid: 'leased', url: 'poll://leased' });
    const sent: string[] = [];
    for (const n of [1, 2, 3])
      sent.push((await svix.message.create(app.id, { eventType: 'e', payload: { n } })).id);
    // The consumer's token names the application, the endpoint, Herald's URL and a key.
    const content = { aid: app.id, eid: sink.id, surl: run.serverUrl, esec: '', tok: run.token };
    const token = `auto_v1_${Buffer.from(JSON.stringify(content)).toString('base64')}`;
    const consumer = new AutoConfigConsumer(token, {});
    const first = await consumer.receive('worker', { limit: 2 });
    expect(first.data.map((m) => [m.id, m.offset])).toEqual([
      [sent[0], 0],
      [sent[1], 1],
    ]);
    await consumer.commit('worker', 1);
    // The lease lapses at once: what was not committed comes again, with a new offset.
    const second = await consumer.receive('worker', { leaseDurationMs: 0 });
    expect(second.data.map((m) => [m.id, m.offset])).toEqual([[sent[2], 2]]);
    const again = await consumer.receive('worker');
    expect(again.data.map((m) => [m.id, m.offset])).toEqual([[sent[2], 3]]);
    await consumer.commit('worker', 3);
    expect((await consumer.receive('worker')).data).toEqual([]);
  });
});

describe('startHerald', () => {
  it('creates the first admin key only on the first start of a data directory', async () => {
    const first = await runHerald();
    const dataDir = first.dataDir;
    try {
      await first.herald.close();
      const config = loadConfig({
        HERALD_HOST: '127.0.0.1',
        HERALD_PORT: '0',
        HERALD_DATA_DIR: dataDir,
        HERALD_LOG_LEVEL: 'silent',
      });
      let again: string | undefined;
      const second = await startHerald(config, { onFirstAdminKey: (token) => (again = token) });
      try {
        expect(again).toBeUndefined();
        // The key from the first start still works against the second.
        const svix = new Svix(first.token, { serverUrl: second.url! });
        await expect(svix.application.list()).resolves.toMatchObject({ data: [] });
      } finally {
        await second.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('reports the port it listens on when started on port 0', async () => {
    const run = await runHerald();
    try {
      const port = (run.herald.api!.server.address() as { port: number }).port;
      expect(port).toBeGreaterThan(0);
      expect(run.herald.url).toBe(`http://127.0.0.1:${port}`);
    } finally {
      await run.stop();
    }
  });

  it('keeps a configured public URL as it is', async () => {
    const run = await runHerald({ HERALD_PUBLIC_URL: 'https://hooks.example.test:8443' });
    try {
      expect(run.herald.url).toBe('https://hooks.example.test:8443');
    } finally {
      await run.stop();
    }
  });
});
