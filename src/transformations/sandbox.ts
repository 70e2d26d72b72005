/**
 * The sandbox that runs transformations: QuickJS compiled to WebAssembly (`quickjs-emscripten`), not Node's
 * `vm`, which shares the host's heap and prototypes and so is no boundary. Code in the sandbox has no I/O at all:
 * no `require`, no timers, no network, no file system; only the language and its built-ins.
 *
 * Each code version is evaluated once into its own QuickJS runtime (with a memory and a stack limit) and kept,
 * so that a delivery only calls its `handler`, with a time limit that interrupts it. A run that fails (throws,
 * times out, runs out of memory) throws its runtime away, since its globals may be left half-changed. The
 * WebAssembly module is loaded on first use only: a process whose endpoints use no transformation never loads it.
 */
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten';

/** The heap one code version may use. */
export const MEMORY_LIMIT_BYTES = 16 * 1024 * 1024;
const STACK_LIMIT_BYTES = 256 * 1024;
/** How long one run of a handler (or the first evaluation of its code) may take. */
export const TIME_LIMIT_MS = 100;
/** Code versions kept evaluated per process; the least recently used one goes first. */
const CACHED_VERSIONS = 64;

/** What a handler run gave: its return value as JSON text, or why it failed. */
export type RunResult = { ok: true; json: string } | { ok: false; error: string };

let loading: Promise<QuickJSWASMModule> | null = null;

function quickJs(): Promise<QuickJSWASMModule> {
  loading ??= import('quickjs-emscripten').then(async ({ getQuickJS }) => {
    const module = await getQuickJS();
    // The first code run compiles the interpreter's WebAssembly, which can take longer than a time limit: do it
    // here, unlimited, so that no transformation pays for it.
    const context = module.newContext();
    context.evalCode('JSON.stringify(JSON.parse("{}"))').dispose();
    context.dispose();
    return module;
  });
  return loading;
}

/** Calls the handler with the input (JSON text) and returns its result as JSON text, in the sandbox. */
const CALLER = `(function (handler) {
  return function (input) {
    var result = handler(JSON.parse(input));
    return result === undefined ? undefined : JSON.stringify(result);
  };
})`;

/** One code version, evaluated: its runtime and the function that calls its handler. */
class Loaded {
  constructor(
    readonly runtime: QuickJSRuntime,
    readonly context: QuickJSContext,
    readonly call: QuickJSHandle,
  ) {}

  dispose(): void {
    // A runtime that ran out of memory may refuse to free cleanly; the process must go on either way.
    try {
      this.call.dispose();
      this.context.dispose();
      this.runtime.dispose();
    } catch {
      /* dropped */
    }
  }
}

function withDeadline(runtime: QuickJSRuntime): { timedOut: () => boolean } {
  const deadline = Date.now() + TIME_LIMIT_MS;
  let interrupted = false;
  runtime.setInterruptHandler(() => {
    if (Date.now() <= deadline) return false;
    interrupted = true;
    return true;
  });
  return { timedOut: () => interrupted };
}

/** The error a failed evaluation or call reports, as one line a person can act on. */
function describe(context: QuickJSContext, error: QuickJSHandle, timedOut: boolean): string {
  let dumped: unknown;
  try {
    dumped = context.dump(error);
  } catch {
    dumped = undefined;
  } finally {
    error.dispose();
  }
  if (timedOut) return `the transformation ran longer than ${TIME_LIMIT_MS} ms and was stopped`;
  if (dumped !== null && typeof dumped === 'object') {
    const { name, message } = dumped as { name?: unknown; message?: unknown };
    const text = `${typeof name === 'string' ? name : 'Error'}: ${typeof message === 'string' ? message : ''}`;
    if (/out of memory/i.test(text))
      return `the transformation used more than ${MEMORY_LIMIT_BYTES / (1024 * 1024)} MB of memory`;
    return text;
  }
  return `the transformation threw ${JSON.stringify(dumped) ?? String(dumped)}`;
}

function load(module: QuickJSWASMModule, code: string): Loaded | { error: string } {
  const runtime = module.newRuntime();
  runtime.setMemoryLimit(MEMORY_LIMIT_BYTES);
  runtime.setMaxStackSize(STACK_LIMIT_BYTES);
  const context = runtime.newContext();
  const fail = (error: string) => {
    new Loaded(runtime, context, context.undefined).dispose();
    return { error };
  };
  const clock = withDeadline(runtime);
  const evaluated = context.evalCode(code, 'transformation.js');
  if (evaluated.error) return fail(describe(context, evaluated.error, clock.timedOut()));
  evaluated.value.dispose();
  const handler = context.getProp(context.global, 'handler');
  const kind = context.typeof(handler);
  if (kind !== 'function') {
    handler.dispose();
    return fail('the code must declare a function named handler');
  }
  const caller = context.evalCode(CALLER);
  if (caller.error) {
    handler.dispose();
    return fail(describe(context, caller.error, clock.timedOut()));
  }
  const call = context.callFunction(caller.value, context.undefined, handler);
  caller.value.dispose();
  handler.dispose();
  if (call.error) return fail(describe(context, call.error, clock.timedOut()));
  return new Loaded(runtime, context, call.value);
}

/**
 * Runs transformation code in QuickJS, keeping each code version evaluated between runs. One per process (the
 * delivery path and the API's simulate share it).
 */
export class Sandbox {
  readonly #loaded = new Map<string, Loaded>();

  /** Runs `code`'s `handler` on `input` (a JSON-serialisable value). */
  async run(code: string, input: unknown): Promise<RunResult> {
    const module = await quickJs();
    try {
      return this.runLoaded(module, code, input);
    } catch (error) {
      // The interpreter itself failed (its WebAssembly stack overflowed, or it aborted): nothing of this module
      // can be trusted any more, so the next run loads a new one.
      this.#loaded.clear();
      loading = null;
      const reason = error instanceof RangeError ? 'it recursed too deeply' : 'the sandbox failed';
      return { ok: false, error: `the transformation was stopped: ${reason}` };
    }
  }

  /** Evaluates `code` as a delivery would first, without calling its handler: the error, or null when it loads. */
  async check(code: string): Promise<string | null> {
    const module = await quickJs();
    try {
      const made = load(module, code);
      if ('error' in made) return made.error;
      made.dispose();
      return null;
    } catch {
      this.#loaded.clear();
      loading = null;
      return 'the transformation was stopped: the sandbox failed';
    }
  }

  /** Whether QuickJS is loaded in this process (for tests that check it stays unloaded). */
  static get loaded(): boolean {
    return loading !== null;
  }

  private runLoaded(module: QuickJSWASMModule, code: string, input: unknown): RunResult {
    let loaded = this.#loaded.get(code);
    if (loaded === undefined) {
      const made = load(module, code);
      if ('error' in made) return { ok: false, error: made.error };
      loaded = made;
      if (this.#loaded.size >= CACHED_VERSIONS) {
        const [oldestCode, oldest] = this.#loaded.entries().next().value!;
        this.#loaded.delete(oldestCode);
        oldest.dispose();
      }
    } else this.#loaded.delete(code);
    this.#loaded.set(code, loaded);
    const { context, runtime } = loaded;
    const clock = withDeadline(runtime);
    const argument = context.newString(JSON.stringify(input));
    const result = context.callFunction(loaded.call, context.undefined, argument);
    argument.dispose();
    if (result.error) {
      const error = describe(context, result.error, clock.timedOut());
      this.#loaded.delete(code);
      loaded.dispose();
      return { ok: false, error };
    }
    const value = result.value;
    const json = context.typeof(value) === 'string' ? context.getString(value) : null;
    value.dispose();
    runtime.removeInterruptHandler();
    if (json === null) return { ok: false, error: 'the handler must return the webhook object' };
    return { ok: true, json };
  }

  /** Frees every runtime (at shutdown, and in tests). */
  close(): void {
    for (const loaded of this.#loaded.values()) loaded.dispose();
    this.#loaded.clear();
  }
}
