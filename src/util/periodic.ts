/**
 * Runs a small background job every `intervalMs`: never two runs at once, errors logged rather than thrown,
 * and `stop()` waits for a run in progress to finish.
 */
import type { Logger } from 'pino';

export interface Periodic {
  stop(): Promise<void>;
}

export function runPeriodically(
  name: string,
  intervalMs: number,
  job: () => Promise<unknown>,
  logger: Logger,
) {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = job()
      .then(
        () => undefined,
        (error: unknown) => logger.error({ err: error, job: name }, 'background job failed'),
      )
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  } satisfies Periodic;
}
