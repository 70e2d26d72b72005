/**
 * The `herald` command run as a real process (`node dist/cli/main.js …`, so `npm run build` must have run),
 * for the developer tools: `runCli` runs one to completion, `startCli` keeps one running (a simulated receiver)
 * until the test signals it. Every process gets only PATH and what the test passes in its environment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './serve-process.js';

const RUN_TIMEOUT_MS = 60_000;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  /** Resolves with the first match of `pattern` in standard output; rejects if the process exits first or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Sends `signal` and resolves once the process has exited and its output is read. */
  stop(signal?: NodeJS.Signals): Promise<CliResult>;
}

const running = new Set<ChildProcess>();

export function startCli(
  args: string[],
  options: { env?: Record<string, string>; input?: string | Buffer } = {},
) {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const closed = new Promise<CliResult>((resolve) =>
    child.once('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  void closed.then(() => clearTimeout(timer));
  child.stdin!.end(options.input ?? '');
  const cli: RunningCli & { closed: Promise<CliResult> } = {
    child,
    closed,
    output: () => ({ stdout, stderr }),
    async waitFor(pattern, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let exited = false;
      void closed.then(() => (exited = true));
      for (;;) {
        const match = pattern.exec(stdout);
        if (match) return match;
        if (exited || Date.now() > deadline)
          throw new Error(
            `herald ${args[0]} did not print ${pattern}: ${JSON.stringify({ stdout, stderr })}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async stop(signal = 'SIGINT') {
      child.kill(signal);
      return closed;
    },
  };
  return cli;
}

/** Runs `herald <args>` to completion, with `input` on its standard input. */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; input?: string | Buffer } = {},
): Promise<CliResult> {
  return startCli(args, options).closed;
}

/** Kills every process started here that is still running. */
export async function killAllClis(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('close', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}
