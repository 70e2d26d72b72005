/**
 * The `herald` command as an operator runs it: `node dist/cli/main.js …` in a child process (so `npm run build`
 * must have run), on throwaway data directories and PostgreSQL databases. Every server listens on 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshPgDatabase, PG_URL } from './helpers/env.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
const RUN_TIMEOUT_MS = 20_000;
const SERVING = /Herald is serving (http:\/\/127\.0\.0\.1:(\d+))\b/;
const ADMIN_TOKEN = /hk_admin_[A-Za-z0-9_-]{20,}/g;

/** The parent's environment without any Herald setting, so only what a test sets reaches the CLI. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!name.startsWith('HERALD_') && name !== 'DATABASE_URL' && name !== 'PORT') env[name] = value;
  return { ...env, ...extra };
}

const children = new Set<ChildProcess>();

function spawnCli(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function waitForExit(child: ChildProcess, output: () => { stdout: string; stderr: string }): Promise<Result> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`herald did not exit within ${RUN_TIMEOUT_MS} ms; output: ${JSON.stringify(output())}`),
      );
    }, RUN_TIMEOUT_MS);
    const done = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      resolve({ code, signal, ...output() });
    };
    if (child.exitCode !== null || child.signalCode !== null) done(child.exitCode, child.signalCode);
    else child.once('exit', done);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function collect(child: ChildProcess) {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return () => ({ stdout, stderr });
}

/** Runs `herald <args>` to completion. */
async function herald(args: string[], env: Record<string, string> = {}): Promise<Result> {
  const child = spawnCli(args, env);
  const output = collect(child);
  // Wait for 'close' too, so all output has been read.
  const closed = new Promise((resolve) => child.once('close', resolve));
  const result = await waitForExit(child, output);
  await closed;
  return { ...result, ...output() };
}

interface Served {
  url: string;
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  /** Sends SIGTERM and waits for the exit. */
  stop(): Promise<Result>;
}

/** Starts `herald serve` on 127.0.0.1 with a system-chosen port and waits until it says where it listens. */
async function serve(dataDir: string, env: Record<string, string> = {}): Promise<Served> {
  const child = spawnCli(['serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], {
    HERALD_API_KEY_CACHE_SECONDS: '0',
    ...env,
  });
  const output = collect(child);
  const closed = new Promise((resolve) => child.once('close', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`herald serve did not start within ${RUN_TIMEOUT_MS} ms: ${JSON.stringify(output())}`),
      );
    }, RUN_TIMEOUT_MS);
    const check = () => {
      const match = SERVING.exec(output().stdout);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`herald serve exited with ${code} before serving: ${JSON.stringify(output())}`));
    });
  });
  return {
    url,
    child,
    output,
    async stop() {
      child.kill('SIGTERM');
      const result = await waitForExit(child, output);
      await closed;
      return { ...result, ...output() };
    },
  };
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-cli-'));
  dirs.push(dir);
  return dir;
}

function listApps(url: string, token: string) {
  return fetch(`${url}/api/v1/app`, { headers: { authorization: `Bearer ${token}` } });
}

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing; run npm run build first`);
});

afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
});

afterAll(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('herald migrate', { timeout: 60_000 }, () => {
  it('applies the migrations to a fresh data directory, and then says the schema is up to date', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const first = await herald(['migrate', '--data-dir', dataDir]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const applied = /applied migrations ([\d, ]+); the schema is at (\d+)/.exec(first.stdout);
    expect(applied).not.toBeNull();
    expect(applied![1]!.split(', ')[0]).toBe('1');
    expect(fs.existsSync(path.join(dataDir, 'herald.db'))).toBe(true);

    const second = await herald(['migrate', '--data-dir', dataDir]);
    expect(second.code).toBe(0);
    expect(second.stdout.trim()).toBe(`the schema is up to date (${applied![2]})`);
  });

  it('takes the data directory from HERALD_DATA_DIR too', async () => {
    const dataDir = tempDir();
    const result = await herald(['migrate'], { HERALD_DATA_DIR: dataDir });
    expect(result.code).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'herald.db'))).toBe(true);
  });

  it('lets two processes migrate one fresh SQLite data directory at the same moment', async () => {
    for (let round = 0; round < 3; round++) {
      const dataDir = tempDir();
      const results = await Promise.all([
        herald(['migrate', '--data-dir', dataDir]),
        herald(['migrate', '--data-dir', dataDir]),
      ]);
      for (const result of results) {
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
      }
      // Exactly one of them did the work; the other found it done.
      const outputs = results.map((result) => result.stdout).sort();
      expect(outputs[0]).toMatch(/^applied migrations /);
      expect(outputs[1]).toMatch(/^the schema is up to date /);
    }
  });

  describe.skipIf(!PG_URL)('on PostgreSQL', () => {
    let database: Awaited<ReturnType<typeof freshPgDatabase>>;
    beforeAll(async () => {
      database = await freshPgDatabase();
    });
    afterAll(async () => database?.drop());

    it('lets two processes migrate one fresh database at the same moment, without a master key', async () => {
      const results = await Promise.all([
        herald(['migrate', '--database-url', database.url]),
        herald(['migrate', '--database-url', database.url]),
      ]);
      for (const result of results) {
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
      }
      const outputs = results.map((result) => result.stdout).sort();
      expect(outputs[0]).toMatch(/^applied migrations /);
      expect(outputs[1]).toMatch(/^the schema is up to date /);

      const third = await herald(['migrate'], { DATABASE_URL: database.url });
      expect(third.code).toBe(0);
      expect(third.stdout).toMatch(/^the schema is up to date /);
    });

    it('manages keys in the database', async () => {
      const created = await herald(['keys', 'create', '--name', 'pg key', '--database-url', database.url]);
      expect(created.code).toBe(0);
      const id = /created (key_\S+)/.exec(created.stdout)![1]!;
      const listed = await herald(['keys', 'list', '--database-url', database.url]);
      expect(listed.stdout).toContain(id);
    });
  });
});

describe('herald keys', { timeout: 60_000 }, () => {
  it('creates a key that authenticates, lists keys without tokens, and revokes once', async () => {
    const dataDir = tempDir();
    const created = await herald(['keys', 'create', '--name', 'deploy bot', '--data-dir', dataDir]);
    expect(created.code).toBe(0);
    const id = /^created (key_\S+) \(admin\)$/m.exec(created.stdout)?.[1];
    const token = /^token \(shown only now\): (hk_admin_\S+)$/m.exec(created.stdout)?.[1];
    expect(id).toBeDefined();
    expect(token).toBeDefined();

    const listed = await herald(['keys', 'list', '--data-dir', dataDir]);
    expect(listed.code).toBe(0);
    const line = listed.stdout.split('\n').find((entry) => entry.startsWith(id!));
    expect(line?.split('\t')).toEqual([
      id,
      expect.stringMatching(/^hk_admin_.{1,8}…$/),
      'admin',
      'active',
      'deploy bot',
    ]);
    expect(listed.stdout).not.toContain(token!);
    // Not even most of it.
    expect(listed.stdout).not.toContain(token!.slice(9, 29));

    const server = await serve(dataDir);
    try {
      // An admin key existed before the first start, so serve creates and prints none.
      expect(server.output().stdout).not.toMatch(ADMIN_TOKEN);
      const ok = await listApps(server.url, token!);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ data: [], done: true });
      expect((await listApps(server.url, token!.slice(0, -2) + 'xx')).status).toBe(401);

      const revoked = await herald(['keys', 'revoke', id!, '--data-dir', dataDir]);
      expect(revoked.code).toBe(0);
      expect(revoked.stdout.trim()).toBe(`revoked ${id}`);
      expect((await listApps(server.url, token!)).status).toBe(401);
    } finally {
      expect((await server.stop()).code).toBe(0);
    }

    const listedAfter = await herald(['keys', 'list', '--data-dir', dataDir]);
    expect(listedAfter.stdout.split('\n').find((entry) => entry.startsWith(id!))).toContain('\trevoked\t');

    const again = await herald(['keys', 'revoke', id!, '--data-dir', dataDir]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(new RegExp(`${id}.*already revoked`));

    const unknown = await herald(['keys', 'revoke', 'key_does_not_exist', '--data-dir', dataDir]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('there is no key "key_does_not_exist"');
    expect(unknown.stderr).toContain('herald keys list');
  });

  it('creates application-scoped keys, and refuses an unknown application', async () => {
    const dataDir = tempDir();
    const admin = await herald(['keys', 'create', '--data-dir', dataDir]);
    const adminToken = /(hk_admin_\S+)/.exec(admin.stdout)![1]!;

    const server = await serve(dataDir);
    try {
      const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
      for (const uid of ['acme', 'globex']) {
        const res = await fetch(`${server.url}/api/v1/app`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ name: uid, uid }),
        });
        expect(res.status).toBe(201);
      }

      const scoped = await herald(['keys', 'create', '--app', 'acme', '--data-dir', dataDir]);
      expect(scoped.code).toBe(0);
      expect(scoped.stdout).toMatch(/\(application app_\S+\)/);
      const appToken = /(hk_app_\S+)/.exec(scoped.stdout)![1]!;
      const res = await listApps(server.url, appToken);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data: Array<{ uid: string }> };
      expect(body.data.map((app) => app.uid)).toEqual(['acme']);
    } finally {
      await server.stop();
    }

    const missing = await herald(['keys', 'create', '--app', 'initech', '--data-dir', dataDir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('there is no application "initech"');
    expect(missing.stdout).not.toMatch(/hk_/);
  });

  it('creates keys limited to client networks and a rate, and refuses bad limits', async () => {
    const dataDir = tempDir();
    const admin = await herald(['keys', 'create', '--data-dir', dataDir]);
    const adminToken = /(hk_admin_\S+)/.exec(admin.stdout)![1]!;
    const elsewhere = await herald(['keys', 'create', '--allow-cidr', '10.0.0.0/8', '--data-dir', dataDir]);
    expect(elsewhere.code).toBe(0);
    const limitedToken = /(hk_admin_\S+)/.exec(elsewhere.stdout)![1]!;
    const server = await serve(dataDir);
    try {
      // Tests reach the server from 127.0.0.1, which is outside 10.0.0.0/8.
      expect((await listApps(server.url, limitedToken)).status).toBe(403);
      const keys = await fetch(`${server.url}/api/v1/api-key`, {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      const listed = ((await keys.json()) as { data: Array<{ allowedClientCidrs: string[] | null }> }).data;
      expect(listed.map((key) => key.allowedClientCidrs)).toContainEqual(['10.0.0.0/8']);
    } finally {
      await server.stop();
    }
    for (const args of [
      ['--allow-cidr', '10.0.0.0/40'],
      ['--rate-limit', '0'],
      ['--rate-limit', 'fast'],
    ]) {
      const refused = await herald(['keys', 'create', ...args, '--data-dir', dataDir]);
      expect(refused.code, args.join(' ')).toBe(1);
      expect(refused.stderr).toContain(args[0]);
      expect(refused.stdout).not.toMatch(/hk_/);
    }
  });
});

describe('herald serve', { timeout: 60_000 }, () => {
  it('prints the first admin key once, on the first start of a data directory', async () => {
    const dataDir = tempDir();
    const first = await serve(dataDir);
    let token: string;
    try {
      const stdout = first.output().stdout;
      const tokens = new Set(stdout.match(ADMIN_TOKEN));
      expect(tokens.size).toBe(1);
      token = [...tokens][0]!;
      expect(stdout).toContain('Herald created its first admin API key');
      // The curl example works as printed: it has the real port, not the 0 it was started with.
      expect(stdout).toContain(`curl -H "Authorization: Bearer ${token}" ${first.url}/api/v1/app`);
      // The token goes to the terminal only, never into a JSON log line.
      for (const line of stdout.split('\n').filter((entry) => entry.startsWith('{')))
        expect(line).not.toContain(token);

      const res = await listApps(first.url, token);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ data: [], iterator: null, prevIterator: null, done: true });
      expect((await listApps(first.url, 'hk_admin_wrong')).status).toBe(401);
      expect((await fetch(`${first.url}/api/v1/app`)).status).toBe(401);

      // Embedded mode keeps its generated master key beside the database, readable by the owner only.
      expect(fs.statSync(path.join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
    } finally {
      const stopped = await first.stop();
      expect(stopped.signal).toBeNull();
      expect(stopped.code).toBe(0);
    }

    const second = await serve(dataDir);
    try {
      expect(second.output().stdout).not.toMatch(ADMIN_TOKEN);
      expect(second.output().stdout).not.toContain('first admin API key');
      expect((await listApps(second.url, token)).status).toBe(200);
    } finally {
      expect((await second.stop()).code).toBe(0);
    }
  });

  it('exits 0 on SIGTERM and on SIGINT, and stops listening', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const server = await serve(tempDir());
      expect((await fetch(`${server.url}/api/v1/health`)).status).toBe(204);
      server.child.kill(signal);
      const result = await waitForExit(server.child, server.output);
      expect(result.signal).toBeNull();
      expect(result.code).toBe(0);
      await expect(fetch(`${server.url}/api/v1/health`)).rejects.toThrow();
    }
  });

  describe('refuses a bad configuration with exit code 1 and a message naming the setting', () => {
    const cases: Array<{ name: string; args?: string[]; env?: Record<string, string>; says: RegExp }> = [
      { name: 'HERALD_PORT=abc', env: { HERALD_PORT: 'abc' }, says: /HERALD_PORT: .*whole number/ },
      { name: 'PORT=70000', env: { HERALD_PORT: '', PORT: '70000' }, says: /\bPORT: .*65535/ },
      { name: '--port abc', args: ['--port', 'abc'], says: /--port: .*whole number/ },
      { name: '--role nope', args: ['--role', 'nope'], says: /--role.*nope/ },
      { name: 'HERALD_ROLE=nope', env: { HERALD_ROLE: 'nope' }, says: /HERALD_ROLE: .*all, api, worker/ },
      {
        name: 'DATABASE_URL=mysql://x',
        env: { DATABASE_URL: 'mysql://x' },
        says: /DATABASE_URL: .*postgres:\/\//,
      },
      { name: 'HERALD_LOG_LEVEL=loud', env: { HERALD_LOG_LEVEL: 'loud' }, says: /HERALD_LOG_LEVEL: / },
      { name: 'HERALD_MASTER_KEY=short', env: { HERALD_MASTER_KEY: 'short' }, says: /HERALD_MASTER_KEY: / },
      {
        name: 'a database URL without HERALD_MASTER_KEY',
        // Nothing listens on port 1: the start must stop before it connects anywhere.
        args: ['--database-url', 'postgres://herald@127.0.0.1:1/herald'],
        says: /HERALD_MASTER_KEY: is required with DATABASE_URL/,
      },
    ];

    it.each(cases)('$name', async ({ args = [], env = {}, says }) => {
      const dataDir = tempDir();
      const result = await herald(['serve', '--host', '127.0.0.1', '--data-dir', dataDir, ...args], {
        HERALD_PORT: '0',
        ...env,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(says);
      expect(result.stdout).not.toMatch(/Herald is serving/);
      expect(result.stdout).not.toMatch(ADMIN_TOKEN);
    });

    it('for migrate and keys too', async () => {
      const dataDir = tempDir();
      for (const args of [['migrate'], ['keys', 'list'], ['keys', 'create']]) {
        const result = await herald([...args, '--data-dir', dataDir], { DATABASE_URL: 'mysql://x' });
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/DATABASE_URL: must start with postgres:\/\//);
      }
      expect(fs.readdirSync(dataDir)).toEqual([]);
    });
  });
});
