/**
 * Runs of deployment-wide maintenance services. A service (the lease rescuer, the retention pruner, …) is checked
 * for in every process whose role needs it, but its work needs doing once per interval for the whole deployment:
 * each run first claims the interval here, and only the one caller that wins does the work.
 */
import type { Connection } from './dialect.js';

export interface ServiceRunQueries {
  /**
   * Claims the current run of the service `name` for `holder`. True when no run of `name` was claimed within
   * the last `intervalMs` (by anyone), and then records this claim (`holder`, `now`); false otherwise. One
   * statement decides, so of callers racing in any process or thread on the database, exactly one wins an
   * interval. A claim that is plainly too early is answered by a read, without taking a write lock.
   */
  serviceRunClaim(name: string, intervalMs: number, now: number, holder: string): Promise<boolean>;
}

export function serviceRunQueries({ db }: Connection): ServiceRunQueries {
  return {
    async serviceRunClaim(name, intervalMs, now, holder) {
      const last = await db
        .selectFrom('herald_service_run')
        .select('last_run_at')
        .where('name', '=', name)
        .executeTakeFirst();
      if (last !== undefined && Number(last.last_run_at) > now - intervalMs) return false;
      // The insert takes the row (or its unique key) before the condition is checked, so a racing caller waits
      // and then sees the winner's time: the update's condition fails and nothing is returned.
      const claimed = await db
        .insertInto('herald_service_run')
        .values({ name, holder, last_run_at: now })
        .onConflict((oc) =>
          oc
            .column('name')
            .doUpdateSet({ holder, last_run_at: now })
            .where('herald_service_run.last_run_at', '<=', now - intervalMs),
        )
        .returning('name')
        .executeTakeFirst();
      return claimed !== undefined;
    },
  };
}
