/**
 * PostgreSQL LISTEN on a connection of its own, kept up for as long as the subscription lives. Wake-ups are a
 * shortcut (every worker also polls), so a lost LISTEN connection loses no delivery, only speed: without it,
 * latency falls to the poll interval. So the listener reconnects by itself after any failure, however long the
 * database is away, and then wakes its subscriber once, because whatever was announced meanwhile went unheard.
 */
import pg from 'pg';

/** What the store logs through. pino's `Logger` fits; without one the store says nothing. */
export interface StoreLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export const silentLogger: StoreLogger = { info: () => undefined, warn: () => undefined };

/** The first wait before reconnecting, doubled after every failed attempt up to `LISTENER_RETRY_MAX_MS`. */
const LISTENER_RETRY_FIRST_MS = 100;
/** The longest wait between attempts: after an outage, wake-ups resume at most this long after the database. */
const LISTENER_RETRY_MAX_MS = 5000;

/**
 * The wait before reconnect attempt `attempt` (0 for the first): 100 ms doubling to 5 s, of which the upper half
 * is random, so that the listeners of many processes do not all knock at the same instant when the database
 * comes back. `random` is injectable so that tests can pin it.
 */
export function listenerRetryDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(LISTENER_RETRY_MAX_MS, LISTENER_RETRY_FIRST_MS * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export interface ListenerOptions {
  databaseUrl: string;
  channel: string;
  onNotify: () => void;
  logger: StoreLogger;
}

/**
 * One subscription. Its states: listening (`#live` set), waiting to retry (`#retryTimer` set), connecting
 * (`#connecting` set) and closed. Only the live connection's failure starts an outage; a connection that fails
 * while connecting is an attempt that failed, and is retried from the outage already under way.
 */
class PostgresListener {
  readonly #options: ListenerOptions;
  #live: pg.Client | null = null;
  #connecting: pg.Client | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  #closed = false;
  /** When the live connection was last lost, for the recovery's log line. */
  #downSince = 0;
  #failedAttempts = 0;

  constructor(options: ListenerOptions) {
    this.#options = options;
  }

  /** Opens the first connection; its failure is the caller's (a process that cannot reach its database at start stops). */
  async start(): Promise<void> {
    await this.#open();
    this.#options.onNotify();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    const clients = [this.#live, this.#connecting];
    this.#live = this.#connecting = null;
    await Promise.all(clients.map((client) => client?.end().catch(() => undefined)));
  }

  /** Connects and LISTENs; on success the new connection is the live one (unless the listener closed meanwhile). */
  async #open(): Promise<void> {
    const { databaseUrl, channel, onNotify } = this.#options;
    // The application name tells an operator's pg_stat_activity which connection this is; TCP keep-alive lets a
    // connection whose peer vanished without a word (a failover, a dropped network) fail rather than hang.
    const client = new pg.Client({
      connectionString: databaseUrl,
      application_name: 'herald listener',
      keepAlive: true,
    });
    client.on('notification', () => onNotify());
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, new Error('the connection ended')));
    this.#connecting = client;
    try {
      await client.connect();
      await client.query(`listen ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    } finally {
      if (this.#connecting === client) this.#connecting = null;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#live = client;
  }

  /** The live connection failed (it may report twice: the server's message, then the socket's end). */
  #lost(client: pg.Client, cause: unknown): void {
    if (client !== this.#live) return;
    this.#live = null;
    void client.end().catch(() => undefined);
    this.#downSince = Date.now();
    this.#failedAttempts = 0;
    this.#options.logger.warn(
      { err: cause, channel: this.#options.channel },
      'the PostgreSQL LISTEN connection was lost; reconnecting, and wake-ups wait for the poll meanwhile',
    );
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.#closed) return;
    const delay = listenerRetryDelayMs(this.#failedAttempts);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      void this.#retry();
    }, delay);
    // The wait must not keep a process alive that has nothing else to do.
    this.#retryTimer.unref();
  }

  async #retry(): Promise<void> {
    try {
      await this.#open();
    } catch {
      // Each failure is one more of the outage already logged; the recovery is logged with how long it took.
      this.#failedAttempts += 1;
      this.#scheduleRetry();
      return;
    }
    if (this.#closed) return;
    this.#options.logger.info(
      {
        channel: this.#options.channel,
        downMs: Date.now() - this.#downSince,
        attempts: this.#failedAttempts + 1,
      },
      'the PostgreSQL LISTEN connection is back; catching up with a claim',
    );
    this.#options.onNotify();
  }
}

/** Subscribes until the returned function is called; rejects if the first connection cannot be made. */
export async function postgresListen(options: ListenerOptions): Promise<() => Promise<void>> {
  const listener = new PostgresListener(options);
  await listener.start();
  return () => listener.close();
}
