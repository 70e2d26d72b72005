/**
 * Maintenance services: small background jobs that keep the deployment tidy (the lease rescuer, the retention
 * and idempotency pruners, the auto-disabler), one file each beside this one. Each runs at most once per its
 * interval across the whole deployment, however many processes share the database: every process that may run
 * it checks a few times per interval, and only the one whose claim on the store wins does the work. If that
 * process stops, another takes over within an interval and a quarter. A run that fails is not tried again before
 * the next interval, by this process or another; its error is logged.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import type { Store } from '../store/index.js';
import { runPeriodically, type Periodic } from '../util/periodic.js';

export interface MaintenanceService {
  /** Unique across services: the key of its runs in the store. */
  name: string;
  intervalMs: number;
  run(now: number): Promise<void>;
}

/** Checks per interval: a run is at most this fraction of an interval late after the last one's process stops. */
const CHECKS_PER_INTERVAL = 4;

export class Maintenance {
  /** This process, as its claims record it. */
  readonly holder = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  readonly #periodics: Periodic[] = [];

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly services: readonly MaintenanceService[],
  ) {}

  /** Starts checking. As before a process shared its services, none runs until an interval after the start. */
  start(): void {
    const startedAt = Date.now();
    for (const service of this.services)
      this.#periodics.push(
        runPeriodically(
          service.name,
          Math.max(1, Math.floor(service.intervalMs / CHECKS_PER_INTERVAL)),
          async () => {
            const now = Date.now();
            if (now - startedAt >= service.intervalMs) await this.runIfDue(service, now);
          },
          this.logger,
        ),
      );
  }

  /** Runs the service if no process has run it within its interval; returns whether this call ran it. */
  async runIfDue(service: MaintenanceService, now = Date.now()): Promise<boolean> {
    if (!(await this.store.serviceRunClaim(service.name, service.intervalMs, now, this.holder))) return false;
    await service.run(now);
    return true;
  }

  /** Stops every service, after the runs in progress. */
  async stop(): Promise<void> {
    await Promise.all(this.#periodics.splice(0).map((periodic) => periodic.stop()));
  }
}
