/**
 * Helper processes (receiver, raw-ceiling client, hello-world server) are forked with an IPC channel. The parent
 * calls a named command and awaits its answer; the child registers one handler per command.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface Call {
  id: number;
  command: string;
  args: unknown;
}
type Answer = { id: number; result: unknown } | { id: number; error: string };

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** In a child: answers the parent's calls with `handlers`, then says it is ready. */
export function serveCalls(handlers: Record<string, (args: never) => unknown>): void {
  process.on('message', (call: Call) => {
    const handler = handlers[call.command];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${call.command}`);
        return handler(call.args as never);
      })
      .then(
        (result) => process.send!({ id: call.id, result } satisfies Answer),
        (error: unknown) => process.send!({ id: call.id, error: String(error) } satisfies Answer),
      );
  });
  // The parent going away ends the child: nothing a benchmark starts may outlive it.
  process.on('disconnect', () => process.exit(0));
}

export class Helper {
  readonly #child: ChildProcess;
  readonly #waiting = new Map<number, { resolve: (value: unknown) => void; reject: (e: Error) => void }>();
  #next = 1;
  readonly exited: Promise<void>;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (answer: Answer) => {
      const waiter = this.#waiting.get(answer.id);
      if (!waiter) return;
      this.#waiting.delete(answer.id);
      if ('error' in answer) waiter.reject(new Error(answer.error));
      else waiter.resolve(answer.result);
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        for (const waiter of this.#waiting.values()) waiter.reject(new Error('helper process exited'));
        this.#waiting.clear();
        resolve();
      }),
    );
  }

  /** Forks `bench/dist/<script>` with an IPC channel. */
  static start(script: string, execArgv: string[] = []): Helper {
    const child = fork(path.join(HERE, script), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv,
    });
    return new Helper(child);
  }

  get pid(): number {
    return this.#child.pid!;
  }

  call<T>(command: string, args: unknown = {}): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#child.send({ id, command, args } satisfies Call);
    });
  }

  /** Asks the child to leave and waits; kills it if it does not within a few seconds. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.disconnect();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}
