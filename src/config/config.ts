/**
 * The one place that reads configuration. Environment variables give the base, command-line flags override
 * them, everything is validated once, and the result is frozen. A bad value stops the start with a message
 * that names the variable and says what is allowed.
 */
import path from 'node:path';
import { parseCidrList, type Cidr } from '../util/cidr.js';
import { MAX_REDACTION_RULES, redactionRuleProblem } from '../util/redaction.js';

export const ROLES = ['all', 'api', 'worker'] as const;
export type Role = (typeof ROLES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The names a delivery's id, timestamp and signature headers take: `webhook-*` or Svix's `svix-*`. */
export const HEADER_STYLES = ['standard', 'svix'] as const;
/** What a repeated Idempotency-Key with a different request gets: a 422, or the first answer (Svix). */
export const IDEMPOTENCY_KEY_REUSE = ['reject', 'replay'] as const;
/** The signatures an endpoint created without `signatureVersions` gets: HMAC (`v1`) or Ed25519 (`v1a`). */
export const SIGNATURE_TYPES = ['hmac', 'ed25519'] as const;
/**
 * How an application-scoped key is answered outside its application: `herald` lists its own application at
 * GET /app and answers 403 for another; `svix` answers 403 at GET /app and 404 for another, as Svix does.
 */
export const APP_KEY_ACCESS = ['herald', 'svix'] as const;
/** Whether the operational event types are listed in the event-type catalogue (`catalogue`, as Svix does). */
export const OPERATIONAL_EVENT_TYPE_LISTING = ['hidden', 'catalogue'] as const;

export const DEFAULT_PORT = 8071;
export const DEFAULT_HOST = 'localhost';
export const DEFAULT_DATA_DIR = './data';
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
export const DEFAULT_DB_POOL_SIZE = 10;
/** The longest one PostgreSQL statement of Herald's may run; migrations are exempt. */
export const DEFAULT_DB_STATEMENT_TIMEOUT_MS = 60_000;
/** The longest one PostgreSQL statement of Herald's may wait for a lock; migrations are exempt. */
export const DEFAULT_DB_LOCK_TIMEOUT_MS = 10_000;
export const DEFAULT_API_KEY_CACHE_SECONDS = 10;
export const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/**
 * How old a message must be before a poller reads it: the time its accepting write has to commit, so that a
 * poller's iterator never passes a message that commits after younger ones.
 */
export const DEFAULT_POLLER_SETTLE_MS = 2_000;
export const DEFAULT_WORKER_CONCURRENCY = 256;
export const DEFAULT_ENDPOINT_CONCURRENCY = 10;
export const DEFAULT_POLL_INTERVAL_MS = 500;
export const DEFAULT_WORKER_THREADS = 1;
export const DEFAULT_DELIVERY_TIMEOUT_SECONDS = 15;
/** A worker silent this long is taken over: its deliveries go to the others within about 15 s of its death. */
export const DEFAULT_WORKER_TAKEOVER_MS = 10_000;
export const DEFAULT_CIRCUIT_THRESHOLD = 10;
/** Endpoints with metric labels of their own, per process; past it they are counted as `other`. */
export const DEFAULT_METRICS_ENDPOINT_LABELS = 100;
export const DEFAULT_AUTO_DISABLE_HOURS = 5 * 24;
export const DEFAULT_RETENTION_DAYS = 90;
/** How often SLAs are evaluated: a breach is reported within about this long of the rollups showing it. */
export const DEFAULT_SLA_EVALUATE_MS = 60_000;
/** Off: one ingest key of a busy platform may rightly send thousands of requests a second. */
export const DEFAULT_API_RATE_LIMIT = 0;

export interface Config {
  readonly role: Role;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** PostgreSQL connection string; `undefined` means the embedded SQLite file under `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly dbPoolSize: number;
  /** PostgreSQL `statement_timeout` of Herald's connections, in milliseconds; 0 means none. */
  readonly dbStatementTimeoutMs: number;
  /** PostgreSQL `lock_timeout` of Herald's connections, in milliseconds; 0 means none. */
  readonly dbLockTimeoutMs: number;
  /** 32-byte key for AES-256-GCM encryption of secrets at rest; `undefined` means "use or create the key file". */
  readonly masterKey: Buffer | undefined;
  readonly logLevel: LogLevel;
  readonly bodyLimitBytes: number;
  readonly apiKeyCacheSeconds: number;
  readonly idempotencyTtlSeconds: number;
  /** How old a message must be before the poller API reads it. */
  readonly pollerSettleMs: number;
  /** Public base URL of this server, used in links Herald hands out. */
  readonly publicUrl: string;
  /** Destination ranges the SSRF guard lets through although they are private (for example 127.0.0.1/32). */
  readonly ssrfAllow: readonly Cidr[];
  /** Requests a worker process keeps in flight at most. */
  readonly workerConcurrency: number;
  /** Requests in flight to one endpoint at most, per worker process. */
  readonly endpointConcurrency: number;
  /** Delivery workers in the process: one on the main thread and the rest on worker threads. */
  readonly workerThreads: number;
  /** How often an idle worker looks for due deliveries it was not woken for. */
  readonly pollIntervalMs: number;
  /** How long one delivery request may take. */
  readonly deliveryTimeoutMs: number;
  /** How long a delivery worker's heartbeat may lapse before the others take its deliveries over. */
  readonly workerTakeoverMs: number;
  /** Consecutive failures that open an endpoint's circuit breaker. */
  readonly circuitThreshold: number;
  /** Endpoints (and applications) with metric labels of their own; the rest are counted as `other`. */
  readonly metricsEndpointLabels: number;
  /** An endpoint that fails without a success for this long is disabled; 0 turns auto-disable off. */
  readonly autoDisableAfterMs: number;
  /** Where operational events (endpoint.disabled, message.attempt.exhausted, …) are delivered, if anywhere. */
  readonly operatorWebhookUrl: string | undefined;
  /** Message payloads and attempt bodies older than this are deleted; 0 keeps them for ever. */
  readonly retentionMs: number;
  /** How often the SLA evaluator works out compliance and reports breaches and recoveries. */
  readonly slaEvaluateMs: number;
  /** The redaction rules of applications that set none (see util/redaction.ts); empty: none. */
  readonly redactionRules: readonly string[];
  /** Requests per second each API key may make (its bucket holds two seconds' worth); 0 means no limit. */
  readonly apiRateLimit: number;
  /** The header style of endpoints created without one: `standard` (webhook-*) or `svix` (svix-*). */
  readonly deliveryHeaderStyle: (typeof HEADER_STYLES)[number];
  /** `reject` answers 422 to a reused Idempotency-Key with a different request; `replay` replays the first answer. */
  readonly idempotencyKeyReuse: (typeof IDEMPOTENCY_KEY_REUSE)[number];
  /** Whether endpoint URLs must be https:// (Svix's endpoint_https_only). */
  readonly endpointHttpsOnly: boolean;
  /** What new endpoints sign with unless they choose: `hmac` (v1) or `ed25519` (v1a), Svix's default_signature_type. */
  readonly defaultSignatureType: (typeof SIGNATURE_TYPES)[number];
  /** How an application key is answered outside its application: Herald's way, or Svix's (see APP_KEY_ACCESS). */
  readonly appKeyAccess: (typeof APP_KEY_ACCESS)[number];
  readonly operationalEventTypes: (typeof OPERATIONAL_EVENT_TYPE_LISTING)[number];
}

/** Flags from the command line. Each one overrides its environment variable. */
export interface ConfigFlags {
  role?: string;
  host?: string;
  port?: string | number;
  dataDir?: string;
  databaseUrl?: string;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * A setting's raw value and the name it came from, so an error names what the operator actually set: the flag
 * when it is given, otherwise the first of the environment variables that is set and not empty.
 */
function setting(
  env: Env,
  flag: { name: string; value: string | number | undefined },
  ...names: [string, ...string[]]
): { variable: string; value: string | undefined } {
  if (flag.value !== undefined) return { variable: flag.name, value: String(flag.value) };
  for (const name of names) {
    const value = nonEmpty(env[name]);
    if (value !== undefined) return { variable: name, value };
  }
  return { variable: names[0], value: undefined };
}

function integer(
  variable: string,
  raw: string | number | undefined,
  fallback: number,
  min: number,
  max: number,
) {
  if (raw === undefined) return fallback;
  const text = String(raw).trim();
  if (!/^\d+$/.test(text))
    throw new ConfigError(variable, `must be a whole number from ${min} to ${max}, got "${text}"`);
  const value = Number(text);
  if (value < min || value > max)
    throw new ConfigError(variable, `must be a whole number from ${min} to ${max}, got ${value}`);
  return value;
}

function oneOf<T extends string>(
  variable: string,
  raw: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (raw === undefined) return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new ConfigError(variable, `must be one of ${allowed.join(', ')}, got "${raw}"`);
}

function boolean(variable: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(variable, `must be true or false, got "${raw}"`);
}

function databaseUrl({ variable, value: raw }: { variable: string; value: string | undefined }) {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(variable, 'must be a URL such as postgres://user@host:5432/herald');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new ConfigError(variable, `must start with postgres:// or postgresql://, got "${url.protocol}//"`);
  return raw;
}

function masterKey(raw: string | undefined): Buffer | undefined {
  if (raw === undefined) return undefined;
  const hex = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : undefined;
  const key = hex ?? Buffer.from(raw, 'base64');
  if (key.length !== 32 || (hex === undefined && !/^[A-Za-z0-9+/_-]{43}=?$/.test(raw)))
    throw new ConfigError(
      'HERALD_MASTER_KEY',
      'must be 32 random bytes, as 64 hex characters or base64 (try: openssl rand -base64 32)',
    );
  return key;
}

function publicUrl(raw: string | undefined, host: string, port: number): string {
  if (raw === undefined) {
    const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
    return `http://${shown}:${port}`;
  }
  httpUrl('HERALD_PUBLIC_URL', raw);
  return raw.replace(/\/+$/, '');
}

/**
 * The error never quotes the value: a URL may carry a password or a token in its userinfo or query, and the
 * message is printed at start-up. Only a scheme, which holds no secret, is named.
 */
function httpUrl(variable: string, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(variable, 'must be an http:// or https:// URL, and this value is not a URL');
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') return url.toString();
  throw new ConfigError(variable, `must be an http:// or https:// URL, got a ${url.protocol}// URL`);
}

function cidrList(variable: string, raw: string | undefined): readonly Cidr[] {
  if (raw === undefined) return Object.freeze([]);
  try {
    return Object.freeze(parseCidrList(raw));
  } catch {
    throw new ConfigError(
      variable,
      `must be a comma-separated list of CIDRs such as 127.0.0.1/32,10.0.0.0/8, got "${raw}"`,
    );
  }
}

function redactionRules(variable: string, raw: string | undefined): readonly string[] {
  if (raw === undefined) return Object.freeze([]);
  const rules = raw.split(',').map((rule) => rule.trim());
  if (rules.length > MAX_REDACTION_RULES)
    throw new ConfigError(variable, `may hold at most ${MAX_REDACTION_RULES} rules, got ${rules.length}`);
  for (const rule of rules) {
    const problem = redactionRuleProblem(rule);
    if (problem !== null)
      throw new ConfigError(
        variable,
        `must be a comma-separated list of rules such as payload.customer.email,*.card_number; "${rule}" ${problem}`,
      );
  }
  return Object.freeze(rules);
}

/** Reads, validates and freezes the configuration. Throws `ConfigError` naming the offending variable. */
export function loadConfig(env: Env = process.env, flags: ConfigFlags = {}): Config {
  const roleSetting = setting(env, { name: '--role', value: flags.role }, 'HERALD_ROLE');
  const role = oneOf(roleSetting.variable, roleSetting.value, ROLES, 'all');
  const host = flags.host ?? nonEmpty(env.HERALD_HOST) ?? DEFAULT_HOST;
  const portSetting = setting(env, { name: '--port', value: flags.port }, 'HERALD_PORT', 'PORT');
  const port = integer(portSetting.variable, portSetting.value, DEFAULT_PORT, 0, 65535);
  const dataDir = path.resolve(flags.dataDir ?? nonEmpty(env.HERALD_DATA_DIR) ?? DEFAULT_DATA_DIR);
  const config: Config = {
    role,
    host,
    port,
    dataDir,
    databaseUrl: databaseUrl(
      setting(
        env,
        { name: '--database-url', value: flags.databaseUrl },
        'HERALD_DATABASE_URL',
        'DATABASE_URL',
      ),
    ),
    dbPoolSize: integer(
      'HERALD_DB_POOL_SIZE',
      nonEmpty(env.HERALD_DB_POOL_SIZE),
      DEFAULT_DB_POOL_SIZE,
      1,
      500,
    ),
    dbStatementTimeoutMs: integer(
      'HERALD_DB_STATEMENT_TIMEOUT_MS',
      nonEmpty(env.HERALD_DB_STATEMENT_TIMEOUT_MS),
      DEFAULT_DB_STATEMENT_TIMEOUT_MS,
      0,
      24 * 60 * 60_000,
    ),
    dbLockTimeoutMs: integer(
      'HERALD_DB_LOCK_TIMEOUT_MS',
      nonEmpty(env.HERALD_DB_LOCK_TIMEOUT_MS),
      DEFAULT_DB_LOCK_TIMEOUT_MS,
      0,
      24 * 60 * 60_000,
    ),
    masterKey: masterKey(nonEmpty(env.HERALD_MASTER_KEY)),
    logLevel: oneOf('HERALD_LOG_LEVEL', nonEmpty(env.HERALD_LOG_LEVEL), LOG_LEVELS, 'info'),
    bodyLimitBytes: integer(
      'HERALD_BODY_LIMIT_BYTES',
      nonEmpty(env.HERALD_BODY_LIMIT_BYTES),
      DEFAULT_BODY_LIMIT_BYTES,
      1024,
      64 * 1024 * 1024,
    ),
    apiKeyCacheSeconds: integer(
      'HERALD_API_KEY_CACHE_SECONDS',
      nonEmpty(env.HERALD_API_KEY_CACHE_SECONDS),
      DEFAULT_API_KEY_CACHE_SECONDS,
      0,
      3600,
    ),
    idempotencyTtlSeconds: integer(
      'HERALD_IDEMPOTENCY_TTL_SECONDS',
      nonEmpty(env.HERALD_IDEMPOTENCY_TTL_SECONDS),
      DEFAULT_IDEMPOTENCY_TTL_SECONDS,
      60,
      7 * 24 * 60 * 60,
    ),
    pollerSettleMs: integer(
      'HERALD_POLLER_SETTLE_MS',
      nonEmpty(env.HERALD_POLLER_SETTLE_MS),
      DEFAULT_POLLER_SETTLE_MS,
      0,
      60_000,
    ),
    publicUrl: publicUrl(nonEmpty(env.HERALD_PUBLIC_URL), host, port),
    ssrfAllow: cidrList('HERALD_SSRF_ALLOW_CIDRS', nonEmpty(env.HERALD_SSRF_ALLOW_CIDRS)),
    workerConcurrency: integer(
      'HERALD_WORKER_CONCURRENCY',
      nonEmpty(env.HERALD_WORKER_CONCURRENCY),
      DEFAULT_WORKER_CONCURRENCY,
      1,
      10_000,
    ),
    endpointConcurrency: integer(
      'HERALD_ENDPOINT_CONCURRENCY',
      nonEmpty(env.HERALD_ENDPOINT_CONCURRENCY),
      DEFAULT_ENDPOINT_CONCURRENCY,
      1,
      1000,
    ),
    workerThreads: integer(
      'HERALD_WORKER_THREADS',
      nonEmpty(env.HERALD_WORKER_THREADS),
      DEFAULT_WORKER_THREADS,
      1,
      64,
    ),
    pollIntervalMs: integer(
      'HERALD_POLL_INTERVAL_MS',
      nonEmpty(env.HERALD_POLL_INTERVAL_MS),
      DEFAULT_POLL_INTERVAL_MS,
      10,
      60_000,
    ),
    deliveryTimeoutMs:
      1000 *
      integer(
        'HERALD_DELIVERY_TIMEOUT_SECONDS',
        nonEmpty(env.HERALD_DELIVERY_TIMEOUT_SECONDS),
        DEFAULT_DELIVERY_TIMEOUT_SECONDS,
        1,
        60,
      ),
    workerTakeoverMs: integer(
      'HERALD_WORKER_TAKEOVER_MS',
      nonEmpty(env.HERALD_WORKER_TAKEOVER_MS),
      DEFAULT_WORKER_TAKEOVER_MS,
      500,
      600_000,
    ),
    circuitThreshold: integer(
      'HERALD_CIRCUIT_THRESHOLD',
      nonEmpty(env.HERALD_CIRCUIT_THRESHOLD),
      DEFAULT_CIRCUIT_THRESHOLD,
      1,
      10_000,
    ),
    metricsEndpointLabels: integer(
      'HERALD_METRICS_ENDPOINT_LABELS',
      nonEmpty(env.HERALD_METRICS_ENDPOINT_LABELS),
      DEFAULT_METRICS_ENDPOINT_LABELS,
      0,
      10_000,
    ),
    autoDisableAfterMs:
      3_600_000 *
      integer(
        'HERALD_AUTO_DISABLE_HOURS',
        nonEmpty(env.HERALD_AUTO_DISABLE_HOURS),
        DEFAULT_AUTO_DISABLE_HOURS,
        0,
        24 * 365,
      ),
    operatorWebhookUrl: httpUrl('HERALD_OPERATOR_WEBHOOK_URL', nonEmpty(env.HERALD_OPERATOR_WEBHOOK_URL)),
    retentionMs:
      86_400_000 *
      integer(
        'HERALD_RETENTION_DAYS',
        nonEmpty(env.HERALD_RETENTION_DAYS),
        DEFAULT_RETENTION_DAYS,
        0,
        36_500,
      ),
    slaEvaluateMs: integer(
      'HERALD_SLA_EVALUATE_MS',
      nonEmpty(env.HERALD_SLA_EVALUATE_MS),
      DEFAULT_SLA_EVALUATE_MS,
      1000,
      3_600_000,
    ),
    redactionRules: redactionRules('HERALD_REDACTION_RULES', nonEmpty(env.HERALD_REDACTION_RULES)),
    apiRateLimit: integer(
      'HERALD_API_RATE_LIMIT',
      nonEmpty(env.HERALD_API_RATE_LIMIT),
      DEFAULT_API_RATE_LIMIT,
      0,
      1_000_000,
    ),
    deliveryHeaderStyle: oneOf(
      'HERALD_DELIVERY_HEADER_STYLE',
      nonEmpty(env.HERALD_DELIVERY_HEADER_STYLE),
      HEADER_STYLES,
      'standard',
    ),
    idempotencyKeyReuse: oneOf(
      'HERALD_IDEMPOTENCY_KEY_REUSE',
      nonEmpty(env.HERALD_IDEMPOTENCY_KEY_REUSE),
      IDEMPOTENCY_KEY_REUSE,
      'reject',
    ),
    endpointHttpsOnly: boolean('HERALD_ENDPOINT_HTTPS_ONLY', nonEmpty(env.HERALD_ENDPOINT_HTTPS_ONLY), false),
    defaultSignatureType: oneOf(
      'HERALD_DEFAULT_SIGNATURE_TYPE',
      nonEmpty(env.HERALD_DEFAULT_SIGNATURE_TYPE),
      SIGNATURE_TYPES,
      'hmac',
    ),
    appKeyAccess: oneOf(
      'HERALD_APP_KEY_ACCESS',
      nonEmpty(env.HERALD_APP_KEY_ACCESS),
      APP_KEY_ACCESS,
      'herald',
    ),
    operationalEventTypes: oneOf(
      'HERALD_OPERATIONAL_EVENT_TYPES',
      nonEmpty(env.HERALD_OPERATIONAL_EVENT_TYPES),
      OPERATIONAL_EVENT_TYPE_LISTING,
      'hidden',
    ),
  };
  // Each delivery worker of the process gets a share of the process's limits, at least one request each.
  for (const [name, limit] of [
    ['HERALD_ENDPOINT_CONCURRENCY', config.endpointConcurrency],
    ['HERALD_WORKER_CONCURRENCY', config.workerConcurrency],
  ] as const)
    if (config.workerThreads > limit)
      throw new ConfigError(
        'HERALD_WORKER_THREADS',
        `${config.workerThreads} is more than ${name} (${limit}): every delivery thread needs at least one of ` +
          `the process's requests; lower HERALD_WORKER_THREADS or raise ${name}`,
      );
  return Object.freeze(config);
}
