/**
 * Herald under test, in its own process: `node dist/cli/main.js serve` on 127.0.0.1 with a system-chosen port,
 * SQLite in a temporary data directory (or a fresh PostgreSQL database), HERALD_SSRF_ALLOW_CIDRS=127.0.0.1/32
 * so it may deliver to the receiver, and HERALD_LOG_LEVEL=warn. Everything else is Herald's default.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sleep } from './clock.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/**
 * The compiled Herald the bench runs. `npm run bench` compiles src/ into .bench-dist/ (beside dist/, so paths
 * relative to the compiled files resolve the same) rather than dist/: on a machine where others rebuild dist/
 * while a run is going, every Herald process of one run must still be the same code.
 */
export const HERALD_DIST = path.resolve(ROOT, process.env.BENCH_HERALD_DIST ?? '.bench-dist');
const CLI = path.join(HERALD_DIST, 'cli', 'main.js');
const SERVING = /Herald is serving (http:\/\/127\.0\.0\.1:\d+)/;
const ADMIN_TOKEN = /hk_admin_[A-Za-z0-9_-]{20,}/;
/** Long enough for a start on a shared machine whose cores are taken by others (tracing on loads the SDK too). */
const START_TIMEOUT_MS = 180_000;
const OUTPUT_KEPT = 64 * 1024;

export type Database = 'sqlite' | 'postgres';

/** Where one scenario's Herald keeps its data: a temporary directory, and for PostgreSQL a fresh database. */
export class Storage {
  private constructor(
    readonly dataDir: string,
    readonly databaseUrl: string | undefined,
    private readonly drop: () => Promise<void>,
  ) {}

  static async create(database: Database, adminUrl: string | undefined): Promise<Storage> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-bench-'));
    if (database === 'sqlite')
      return new Storage(dataDir, undefined, async () =>
        fs.rmSync(dataDir, { recursive: true, force: true }),
      );
    if (adminUrl === undefined) throw new Error('PostgreSQL runs need HERALD_BENCH_DATABASE_URL');
    const name = `herald_bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return new Storage(dataDir, url.toString(), async () => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    });
  }

  dispose(): Promise<void> {
    return this.drop();
  }
}

export class HeraldProcess {
  #output = '';
  readonly exited: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    readonly token: string | null,
  ) {
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
  }

  /** Starts `herald serve`, resolving once it says where it serves. */
  static async start(
    storage: Storage,
    options: { role?: 'all' | 'api'; env?: Record<string, string>; profileDir?: string } = {},
  ): Promise<HeraldProcess> {
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing; npm run bench compiles it`);
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env))
      if (!name.startsWith('HERALD_') && name !== 'DATABASE_URL' && name !== 'PORT') env[name] = value;
    Object.assign(env, {
      HERALD_SSRF_ALLOW_CIDRS: '127.0.0.1/32',
      HERALD_LOG_LEVEL: 'warn',
      ...(storage.databaseUrl !== undefined && {
        HERALD_DATABASE_URL: storage.databaseUrl,
        HERALD_MASTER_KEY: masterKeyFor(storage),
      }),
      ...options.env,
    });
    // BENCH_HERALD_CPU_PROF=<dir> writes a V8 CPU profile of every Herald process there when it exits; a
    // scenario may ask for one of a single process.
    const profileDir = options.profileDir ?? process.env.BENCH_HERALD_CPU_PROF;
    const profile = profileDir ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(profileDir)] : [];
    const args = [
      ...profile,
      CLI,
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--data-dir',
      storage.dataDir,
    ];
    if (options.role) args.push('--role', options.role);
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: string) => {
      output = (output + chunk).slice(-OUTPUT_KEPT);
    };
    child.stdout!.setEncoding('utf8').on('data', keep);
    child.stderr!.setEncoding('utf8').on('data', keep);
    let exited = false;
    child.once('close', () => (exited = true));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!SERVING.test(output)) {
      if (exited || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`herald serve did not start:\n${output}`);
      }
      await sleep(20);
    }
    const herald = new HeraldProcess(child, SERVING.exec(output)![1]!, ADMIN_TOKEN.exec(output)?.[0] ?? null);
    herald.#output = output;
    child.stdout!.on(
      'data',
      (chunk: string) => (herald.#output = (herald.#output + chunk).slice(-OUTPUT_KEPT)),
    );
    child.stderr!.on(
      'data',
      (chunk: string) => (herald.#output = (herald.#output + chunk).slice(-OUTPUT_KEPT)),
    );
    return herald;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** What Herald printed (its warnings and errors), the last 64 KiB. */
  output(): string {
    return this.#output;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** PostgreSQL needs a master key from the environment; one per storage, so a restart can read its secrets. */
const masterKeys = new WeakMap<Storage, string>();
function masterKeyFor(storage: Storage): string {
  let key = masterKeys.get(storage);
  if (key === undefined) {
    key = randomBytes(32).toString('hex');
    masterKeys.set(storage, key);
  }
  return key;
}
