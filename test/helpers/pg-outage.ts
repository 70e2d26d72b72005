/**
 * A PostgreSQL database taken away and brought back as in an operator's outage: it refuses new connections and
 * its connections are ended. The commands run from the server's own test database, which stays up.
 */
import pg from 'pg';
import { PG_URL } from './env.js';

export interface DatabaseOutage {
  /** Refuses new connections to the database and ends the ones it has. */
  takeAway(): Promise<void>;
  /** Ends the database's connections (but the caller's own), without refusing new ones. */
  endConnections(): Promise<void>;
  /** Accepts connections again; harmless when the database was never taken away. */
  bringBack(): Promise<void>;
  /** The database's LISTEN connections open right now (Herald names them `herald listener`). */
  listenerConnections(): Promise<number>;
}

async function onServer(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

export function databaseOutage(databaseUrl: string): DatabaseOutage {
  const name = new URL(databaseUrl).pathname.slice(1);
  const endConnections = async () => {
    await onServer(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [name],
    );
  };
  return {
    async takeAway() {
      await onServer(`alter database ${pg.escapeIdentifier(name)} allow_connections false`);
      await endConnections();
    },
    endConnections,
    async bringBack() {
      await onServer(`alter database ${pg.escapeIdentifier(name)} allow_connections true`);
    },
    async listenerConnections() {
      const result = await onServer(
        `select count(*)::int as n from pg_stat_activity where datname = $1 and application_name = 'herald listener'`,
        [name],
      );
      return (result.rows[0] as { n: number }).n;
    },
  };
}
