/**
 * `herald serve` as a child process (`node dist/cli/main.js`, so `npm run build` must have run), for tests that
 * kill, stop and restart real processes. Every process is started with a clean environment: only what the test
 * passes reaches it. Tests call `killAllServes()` afterwards so that no process outlives its test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
const SERVING = /Herald is serving (http:\/\/127\.0\.0\.1:\d+)/;
const ADMIN_TOKEN = /hk_admin_[A-Za-z0-9_-]{20,}/;
const START_TIMEOUT_MS = 20_000;

export interface ServeProcess {
  child: ChildProcess;
  /** Where the API listens, once it said so (null for `--role worker`). */
  url: string | null;
  /** The first admin key's token, when this start created it. */
  token: string | null;
  output(): { stdout: string; stderr: string };
  /** Resolves when the process has exited (and its output is read). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();

/** The parent's environment without any Herald setting. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!name.startsWith('HERALD_') && name !== 'DATABASE_URL' && name !== 'PORT') env[name] = value;
  return { ...env, ...extra };
}

/**
 * Starts `herald serve <args>` on 127.0.0.1 with a system-chosen port. With `waitForUrl` (the default) it
 * resolves once the API says where it listens; a worker-only process resolves at once.
 */
export async function startServe(
  args: string[],
  env: Record<string, string>,
  options: { waitForUrl?: boolean } = {},
): Promise<ServeProcess> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing; run npm run build first`);
  const child = spawn(process.execPath, [CLI, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    cwd: ROOT,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const output = () => ({ stdout, stderr });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const served: ServeProcess = { child, url: null, token: null, output, exited };
  if (options.waitForUrl === false) return served;

  const deadline = Date.now() + START_TIMEOUT_MS;
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));
  while (!SERVING.test(stdout)) {
    if (exitedEarly || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`herald serve did not start: ${JSON.stringify(output())}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  served.url = SERVING.exec(stdout)![1]!;
  served.token = ADMIN_TOKEN.exec(stdout)?.[0] ?? null;
  return served;
}

/** Sends `signal` and waits for the exit, up to `timeoutMs` (then SIGKILL and throw). */
export async function stopServe(
  served: ServeProcess,
  signal: NodeJS.Signals,
  timeoutMs = 20_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const started = Date.now();
  served.child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      served.child.kill('SIGKILL');
      reject(new Error(`herald did not exit within ${timeoutMs} ms after ${signal}`));
    }, timeoutMs);
  });
  try {
    const result = await Promise.race([served.exited, timeout]);
    return { ...result, ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** Kills every process started here that is still running, and waits for them to go. */
export async function killAllServes(): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('close', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** An API client for a spawned Herald, with the given bearer token. */
export function apiClient(url: string, token: string) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test code reads arbitrary JSON bodies
  return async (method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const response = await fetch(`${url}/api/v1${route}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? null : JSON.parse(text) };
  };
}
