/**
 * SQLite checkpoints on a thread of their own. In WAL mode, commits append to the write-ahead log and a
 * checkpoint copies the log back into the database file. By default the connection that commits runs it when
 * the log reaches 1,000 pages, and with `synchronous = NORMAL` the checkpoint syncs both files: on the
 * machines we measured, 30 to 60 ms during which that connection's thread (Herald's event loop) stands still,
 * once every few hundred deliveries. Here a separate connection on a worker thread runs a PASSIVE checkpoint
 * every `intervalMs` instead, which never waits for (or blocks) the writers, and the writers' connections turn
 * their own checkpoints off.
 *
 * The thread's code is plain JavaScript evaluated in the worker, so it runs the same from the TypeScript
 * sources (tests) as from the build.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the background connection checkpoints: the log holds about this much writing at most. */
export const CHECKPOINT_INTERVAL_MS = 100;
const STOP_TIMEOUT_MS = 2_000;
/** Checkpoints in a row that may fail before the thread gives up and hands checkpoints back to the writers. */
const MAX_FAILURES = 50;

const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
let timer = null;
let failures = 0;
const run = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    failures = 0;
  } catch (error) {
    // A checkpoint that cannot run now (another one is running) is tried again next time; one that keeps
    // failing ends the thread, so that the writers checkpoint on commit again.
    if (++failures >= workerData.maxFailures) throw error;
  }
  timer = setTimeout(run, workerData.intervalMs);
};
timer = setTimeout(run, workerData.intervalMs);
parentPort.once('message', () => {
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Starts checkpointing `file` in the background. `onFailure` is called if the thread ends by itself, so that
 * the caller can turn its own checkpoints back on rather than let the log grow.
 */
export function startCheckpointer(
  file: string,
  onFailure: () => void,
  intervalMs = CHECKPOINT_INTERVAL_MS,
): Checkpointer {
  const worker = new Worker(THREAD, {
    eval: true,
    name: 'herald-sqlite-checkpoints',
    workerData: {
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      file,
      intervalMs,
      maxFailures: MAX_FAILURES,
    },
  });
  // It must not keep a process alive that has nothing else to do.
  worker.unref();
  let stopping = false;
  // An error (the file cannot be opened, say) is followed by 'exit', which is where it is reported.
  worker.on('error', () => undefined);
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      if (!stopping) onFailure();
      resolve();
    }),
  );
  return {
    async stop() {
      if (stopping) return;
      stopping = true;
      worker.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, STOP_TIMEOUT_MS)))]);
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}
