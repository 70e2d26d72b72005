/**
 * Delivery workers' heartbeats. Each running worker has a row, beaten every few seconds on the database's clock.
 * A worker whose heartbeat lapses (its process died, froze or lost the database) is taken over: its row is
 * deleted and every delivery it held goes back to the queue, in one transaction. A worker that comes back
 * finds its row gone, and so learns that what it held is no longer its own.
 */
import { sql } from 'kysely';
import type { Connection } from './dialect.js';
import { DeliveryStatus } from './types.js';

export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
}

export interface LiveWorker extends WorkerInfo {
  startedAt: number;
  /** How long ago its last heartbeat was, on the database's clock. */
  silentMs: number;
}

export interface WorkerTakeover {
  /** The workers presumed dead, whose rows were deleted. */
  workers: string[];
  /** Their deliveries put back in the queue. */
  deliveries: number;
}

export interface WorkerQueries {
  /** Records a running worker, its heartbeat beaten now; registering a worker that has a row beats it. */
  workerRegister(worker: WorkerInfo): Promise<void>;
  /**
   * Beats the worker's heartbeat. False when its row is gone: it was presumed dead and taken over, and it must
   * no longer send what it held.
   */
  workerHeartbeat(id: string): Promise<boolean>;
  /** Removes a worker that stopped cleanly (and gave back what it held). */
  workerDeregister(id: string): Promise<void>;
  /**
   * Takes over every worker silent for more than `silentMs`: deletes its row and puts the deliveries it holds
   * back in the queue, at once. A worker beating at the same moment either beats first (and is kept) or
   * finds its row gone.
   */
  workerTakeOverSilent(silentMs: number, now?: number): Promise<WorkerTakeover>;
  /** The workers with a row, most recently started first. */
  workerList(): Promise<LiveWorker[]>;
}

export function workerQueries({ db, profile }: Connection): WorkerQueries {
  const clock = sql.raw<number>(profile.clockMsSql);
  return {
    async workerRegister(worker) {
      await db
        .insertInto('herald_worker')
        .values({ ...worker, started_at: clock, heartbeat_at: clock })
        .onConflict((oc) => oc.column('id').doUpdateSet({ heartbeat_at: clock }))
        .execute();
    },

    async workerHeartbeat(id) {
      const result = await db
        .updateTable('herald_worker')
        .set({ heartbeat_at: clock })
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async workerDeregister(id) {
      await db.deleteFrom('herald_worker').where('id', '=', id).execute();
    },

    async workerTakeOverSilent(silentMs, now = Date.now()) {
      return db.transaction().execute(async (trx) => {
        // On PostgreSQL a heartbeat racing this delete holds the row: the delete waits, then checks the beaten
        // time again and keeps the worker.
        const dead = await trx
          .deleteFrom('herald_worker')
          .where('heartbeat_at', '<', sql<number>`${clock} - ${silentMs}`)
          .returning('id')
          .execute();
        if (dead.length === 0) return { workers: [], deliveries: 0 };
        const workers = dead.map((row) => row.id);
        const released = await trx
          .updateTable('delivery')
          .set({ status: DeliveryStatus.Pending, lease_expires_at: null, leased_by: null, updated_at: now })
          .where('status', '=', DeliveryStatus.Sending)
          .where('leased_by', 'in', workers)
          .executeTakeFirst();
        return { workers, deliveries: Number(released.numUpdatedRows) };
      });
    },

    async workerList() {
      const rows = await db
        .selectFrom('herald_worker')
        .select(['id', 'host', 'pid', 'started_at', sql<number>`${clock} - heartbeat_at`.as('silent_ms')])
        .orderBy('started_at', 'desc')
        .execute();
      return rows.map((row) => ({
        id: row.id,
        host: row.host,
        pid: Number(row.pid),
        startedAt: Number(row.started_at),
        silentMs: Math.max(0, Number(row.silent_ms)),
      }));
    },
  };
}
