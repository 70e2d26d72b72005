/** loadConfig(): defaults, precedence, validation and freezing; and the vault that holds secrets at rest. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULT_API_KEY_CACHE_SECONDS,
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_DB_POOL_SIZE,
  DEFAULT_IDEMPOTENCY_TTL_SECONDS,
  DEFAULT_POLLER_SETTLE_MS,
  DEFAULT_PORT,
  loadConfig,
  type ConfigFlags,
} from '../src/config/config.js';
import { blockedHostReason, blockedReason } from '../src/security/ssrf.js';
import { loadMasterKey, MASTER_KEY_FILE, Vault } from '../src/security/vault.js';

type Env = Record<string, string | undefined>;

/** The ConfigError that loading this configuration throws. */
function configError(env: Env, flags: ConfigFlags = {}): ConfigError {
  try {
    loadConfig(env, flags);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify({ env, flags })}`);
}

describe('loadConfig', () => {
  it('has documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      role: 'all',
      host: 'localhost',
      port: DEFAULT_PORT,
      dataDir: path.resolve('./data'),
      databaseUrl: undefined,
      dbPoolSize: DEFAULT_DB_POOL_SIZE,
      masterKey: undefined,
      logLevel: 'info',
      bodyLimitBytes: DEFAULT_BODY_LIMIT_BYTES,
      apiKeyCacheSeconds: DEFAULT_API_KEY_CACHE_SECONDS,
      idempotencyTtlSeconds: DEFAULT_IDEMPOTENCY_TTL_SECONDS,
      pollerSettleMs: DEFAULT_POLLER_SETTLE_MS,
      publicUrl: `http://localhost:${DEFAULT_PORT}`,
      deliveryHeaderStyle: 'standard',
      idempotencyKeyReuse: 'reject',
      endpointHttpsOnly: false,
      defaultSignatureType: 'hmac',
      appKeyAccess: 'herald',
    });
    expect(DEFAULT_PORT).toBe(8071);
    expect(config.ssrfAllow).toEqual([]);
  });

  it('reads every setting from the environment, trimming whitespace', () => {
    const key = randomBytes(32);
    const config = loadConfig({
      HERALD_ROLE: ' worker ',
      HERALD_HOST: '0.0.0.0',
      HERALD_PORT: ' 9000 ',
      HERALD_DATA_DIR: '/var/lib/herald',
      DATABASE_URL: 'postgres://herald@db:5432/herald',
      HERALD_DB_POOL_SIZE: '25',
      HERALD_MASTER_KEY: key.toString('hex'),
      HERALD_LOG_LEVEL: 'debug',
      HERALD_BODY_LIMIT_BYTES: '2048',
      HERALD_API_KEY_CACHE_SECONDS: '0',
      HERALD_IDEMPOTENCY_TTL_SECONDS: '3600',
      HERALD_POLLER_SETTLE_MS: '500',
      HERALD_METRICS_ENDPOINT_LABELS: '0',
      HERALD_PUBLIC_URL: 'https://hooks.example.com/',
      HERALD_SSRF_ALLOW_CIDRS: '127.0.0.1/32',
    });
    expect(config).toMatchObject({
      role: 'worker',
      host: '0.0.0.0',
      port: 9000,
      dataDir: '/var/lib/herald',
      databaseUrl: 'postgres://herald@db:5432/herald',
      dbPoolSize: 25,
      logLevel: 'debug',
      bodyLimitBytes: 2048,
      apiKeyCacheSeconds: 0,
      idempotencyTtlSeconds: 3600,
      pollerSettleMs: 500,
      metricsEndpointLabels: 0,
      // A trailing slash is dropped, so links can be built by appending paths.
      publicUrl: 'https://hooks.example.com',
    });
    expect(config.masterKey?.equals(key)).toBe(true);
    expect(config.ssrfAllow).toHaveLength(1);
  });

  it('treats empty and blank variables as unset', () => {
    const config = loadConfig({
      HERALD_ROLE: '',
      HERALD_PORT: '   ',
      HERALD_LOG_LEVEL: '',
      DATABASE_URL: ' ',
    });
    expect(config).toMatchObject({
      role: 'all',
      port: DEFAULT_PORT,
      logLevel: 'info',
      databaseUrl: undefined,
    });
  });

  it('lets flags override the environment', () => {
    const config = loadConfig(
      {
        HERALD_ROLE: 'worker',
        HERALD_HOST: '0.0.0.0',
        HERALD_PORT: '9000',
        HERALD_DATA_DIR: '/from/env',
        DATABASE_URL: 'postgres://env@db/herald',
      },
      {
        role: 'api',
        host: '127.0.0.1',
        port: '9100',
        dataDir: '/from/flag',
        databaseUrl: 'postgres://flag@db/herald',
      },
    );
    expect(config).toMatchObject({
      role: 'api',
      host: '127.0.0.1',
      port: 9100,
      dataDir: '/from/flag',
      databaseUrl: 'postgres://flag@db/herald',
      publicUrl: 'http://127.0.0.1:9100',
    });
    expect(loadConfig({}, { port: 0 }).port).toBe(0);
  });

  it('prefers HERALD_PORT to PORT, and falls back to PORT when HERALD_PORT is empty', () => {
    expect(loadConfig({ PORT: '3000' }).port).toBe(3000);
    expect(loadConfig({ HERALD_PORT: '4000', PORT: '3000' }).port).toBe(4000);
    expect(loadConfig({ HERALD_PORT: '', PORT: '3000' }).port).toBe(3000);
  });

  it('prefers HERALD_DATABASE_URL to DATABASE_URL, and falls back when it is empty', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://a@db/x' }).databaseUrl).toBe('postgres://a@db/x');
    expect(
      loadConfig({ HERALD_DATABASE_URL: 'postgresql://b@db/x', DATABASE_URL: 'postgres://a@db/x' })
        .databaseUrl,
    ).toBe('postgresql://b@db/x');
    // An empty HERALD_DATABASE_URL (an unset variable passed through by compose, say) must not silently switch
    // a PostgreSQL deployment to the embedded SQLite file.
    expect(loadConfig({ HERALD_DATABASE_URL: '', DATABASE_URL: 'postgres://a@db/x' }).databaseUrl).toBe(
      'postgres://a@db/x',
    );
  });

  it('derives the public URL from host and port', () => {
    expect(loadConfig({ HERALD_HOST: '0.0.0.0', HERALD_PORT: '80' }).publicUrl).toBe('http://localhost:80');
    expect(loadConfig({ HERALD_HOST: '::', HERALD_PORT: '80' }).publicUrl).toBe('http://localhost:80');
    expect(loadConfig({ HERALD_HOST: '::1', HERALD_PORT: '80' }).publicUrl).toBe('http://[::1]:80');
    expect(loadConfig({ HERALD_HOST: 'herald.internal' }).publicUrl).toBe(
      `http://herald.internal:${DEFAULT_PORT}`,
    );
  });

  it('resolves a relative data directory against the working directory', () => {
    expect(loadConfig({ HERALD_DATA_DIR: 'var/herald' }).dataDir).toBe(path.resolve('var/herald'));
  });

  describe('validation', () => {
    const invalid: Array<{ env?: Env; flags?: ConfigFlags; variable: string; says?: RegExp }> = [
      { env: { HERALD_ROLE: 'nope' }, variable: 'HERALD_ROLE', says: /all, api, worker/ },
      { flags: { role: 'nope' }, variable: '--role', says: /all, api, worker/ },
      { env: { HERALD_PORT: 'abc' }, variable: 'HERALD_PORT', says: /whole number from 0 to 65535/ },
      { env: { HERALD_PORT: '65536' }, variable: 'HERALD_PORT', says: /65535/ },
      { env: { HERALD_PORT: '-1' }, variable: 'HERALD_PORT' },
      { env: { HERALD_PORT: '80.5' }, variable: 'HERALD_PORT' },
      { env: { PORT: 'abc' }, variable: 'PORT' },
      { flags: { port: 'abc' }, variable: '--port' },
      { env: { DATABASE_URL: 'mysql://x' }, variable: 'DATABASE_URL', says: /postgres:\/\// },
      { env: { DATABASE_URL: 'not a url' }, variable: 'DATABASE_URL', says: /postgres:\/\// },
      { env: { HERALD_DATABASE_URL: 'mysql://x' }, variable: 'HERALD_DATABASE_URL' },
      { flags: { databaseUrl: 'sqlite://x' }, variable: '--database-url' },
      { env: { HERALD_DB_POOL_SIZE: '0' }, variable: 'HERALD_DB_POOL_SIZE', says: /1 to 500/ },
      { env: { HERALD_DB_POOL_SIZE: 'ten' }, variable: 'HERALD_DB_POOL_SIZE' },
      { env: { HERALD_MASTER_KEY: 'short' }, variable: 'HERALD_MASTER_KEY', says: /32 random bytes/ },
      { env: { HERALD_LOG_LEVEL: 'loud' }, variable: 'HERALD_LOG_LEVEL', says: /silent/ },
      { env: { HERALD_LOG_LEVEL: 'INFO' }, variable: 'HERALD_LOG_LEVEL' },
      { env: { HERALD_BODY_LIMIT_BYTES: '100' }, variable: 'HERALD_BODY_LIMIT_BYTES' },
      { env: { HERALD_BODY_LIMIT_BYTES: '1mb' }, variable: 'HERALD_BODY_LIMIT_BYTES' },
      { env: { HERALD_API_KEY_CACHE_SECONDS: '-1' }, variable: 'HERALD_API_KEY_CACHE_SECONDS' },
      { env: { HERALD_API_KEY_CACHE_SECONDS: '3601' }, variable: 'HERALD_API_KEY_CACHE_SECONDS' },
      { env: { HERALD_IDEMPOTENCY_TTL_SECONDS: '59' }, variable: 'HERALD_IDEMPOTENCY_TTL_SECONDS' },
      { env: { HERALD_POLLER_SETTLE_MS: '60001' }, variable: 'HERALD_POLLER_SETTLE_MS' },
      { env: { HERALD_METRICS_ENDPOINT_LABELS: '10001' }, variable: 'HERALD_METRICS_ENDPOINT_LABELS' },
      {
        env: { HERALD_DELIVERY_HEADER_STYLE: 'webhook' },
        variable: 'HERALD_DELIVERY_HEADER_STYLE',
        says: /svix/,
      },
      {
        env: { HERALD_IDEMPOTENCY_KEY_REUSE: 'allow' },
        variable: 'HERALD_IDEMPOTENCY_KEY_REUSE',
        says: /replay/,
      },
      {
        env: { HERALD_ENDPOINT_HTTPS_ONLY: 'yes' },
        variable: 'HERALD_ENDPOINT_HTTPS_ONLY',
        says: /true or false/,
      },
      {
        env: { HERALD_DEFAULT_SIGNATURE_TYPE: 'rsa' },
        variable: 'HERALD_DEFAULT_SIGNATURE_TYPE',
        says: /ed25519/,
      },
      { env: { HERALD_APP_KEY_ACCESS: 'strict' }, variable: 'HERALD_APP_KEY_ACCESS', says: /svix/ },
      {
        env: { HERALD_OPERATIONAL_EVENT_TYPES: 'listed' },
        variable: 'HERALD_OPERATIONAL_EVENT_TYPES',
        says: /catalogue/,
      },
      {
        env: { HERALD_PUBLIC_URL: 'ftp://hooks.example.com' },
        variable: 'HERALD_PUBLIC_URL',
        says: /https?:\/\//,
      },
      { env: { HERALD_PUBLIC_URL: 'hooks.example.com' }, variable: 'HERALD_PUBLIC_URL' },
      { env: { HERALD_SSRF_ALLOW_CIDRS: 'nonsense' }, variable: 'HERALD_SSRF_ALLOW_CIDRS', says: /CIDR/ },
      {
        env: { HERALD_REDACTION_RULES: 'a..b' },
        variable: 'HERALD_REDACTION_RULES',
        says: /"a\.\.b" has an empty segment/,
      },
      { env: { HERALD_WORKER_CONCURRENCY: 'abc' }, variable: 'HERALD_WORKER_CONCURRENCY' },
      { env: { HERALD_ENDPOINT_CONCURRENCY: 'abc' }, variable: 'HERALD_ENDPOINT_CONCURRENCY' },
      { env: { HERALD_POLL_INTERVAL_MS: 'abc' }, variable: 'HERALD_POLL_INTERVAL_MS' },
      { env: { HERALD_WORKER_THREADS: '0' }, variable: 'HERALD_WORKER_THREADS' },
      { env: { HERALD_WORKER_THREADS: '65' }, variable: 'HERALD_WORKER_THREADS' },
      {
        env: { HERALD_WORKER_THREADS: '4', HERALD_ENDPOINT_CONCURRENCY: '3' },
        variable: 'HERALD_WORKER_THREADS',
        says: /more than HERALD_ENDPOINT_CONCURRENCY \(3\)/,
      },
      { env: { HERALD_DELIVERY_TIMEOUT_SECONDS: 'abc' }, variable: 'HERALD_DELIVERY_TIMEOUT_SECONDS' },
    ];

    it.each(invalid)('names $variable for $env $flags', ({ env = {}, flags = {}, variable, says }) => {
      const error = configError(env, flags);
      expect(error.variable).toBe(variable);
      expect(error.message.startsWith(`${variable}: `)).toBe(true);
      if (says) expect(error.message).toMatch(says);
      // The message quotes what was given, so the operator can find it; but never a value that holds a secret.
      const given = Object.values(env)[0] ?? Object.values(flags)[0];
      if (!/MASTER_KEY|DATABASE_URL|database-url|_URL$/.test(variable))
        expect(error.message).toContain(String(given).trim());
    });

    it('does not echo a master key or database password it rejects', () => {
      const secretish = 'c2VjcmV0LWJ1dC10b28tc2hvcnQ=';
      expect(configError({ HERALD_MASTER_KEY: secretish }).message).not.toContain(secretish);
      expect(configError({ DATABASE_URL: 'mysql://herald:hunter2@db/herald' }).message).not.toContain(
        'hunter2',
      );
      expect(configError({ DATABASE_URL: 'postgres//herald:hunter2@db/herald' }).message).not.toContain(
        'hunter2',
      );
    });

    it.each([
      ['HERALD_OPERATOR_WEBHOOK_URL', 'ftp://ops:hunter2@ops.example.com/hook?token=hunter2'],
      ['HERALD_OPERATOR_WEBHOOK_URL', 'https//ops:hunter2@ops.example.com'],
      ['HERALD_PUBLIC_URL', 'ftp://user:hunter2@hooks.example.com'],
    ])('does not echo a rejected %s, which may hold credentials', (variable, value) => {
      const error = configError({ [variable]: value });
      expect(error.variable).toBe(variable);
      expect(error.message).not.toContain('hunter2');
    });
  });

  it('returns a frozen object, down to the SSRF allow-list', () => {
    for (const config of [loadConfig({}), loadConfig({ HERALD_SSRF_ALLOW_CIDRS: '127.0.0.1/32' })]) {
      expect(Object.isFrozen(config)).toBe(true);
      expect(Object.isFrozen(config.ssrfAllow)).toBe(true);
      expect(() => {
        (config as { port: number }).port = 1;
      }).toThrow(TypeError);
      expect(() => {
        (config.ssrfAllow as unknown[]).push('10.0.0.0/8');
      }).toThrow(TypeError);
      expect(config.ssrfAllow.length).toBeLessThan(2);
    }
  });

  describe('HERALD_MASTER_KEY', () => {
    const key = randomBytes(32);

    it.each([
      ['64 hex characters', key.toString('hex')],
      ['64 upper-case hex characters', key.toString('hex').toUpperCase()],
      ['base64', key.toString('base64')],
      ['base64 without padding', key.toString('base64').replace(/=+$/, '')],
      ['base64url', key.toString('base64url')],
      ['base64 with surrounding whitespace', `  ${key.toString('base64')}\n`],
    ])('accepts %s', (_name, raw) => {
      expect(loadConfig({ HERALD_MASTER_KEY: raw }).masterKey?.equals(key)).toBe(true);
    });

    it.each([
      ['63 hex characters', key.toString('hex').slice(1)],
      ['66 hex characters', key.toString('hex') + 'ab'],
      ['base64 of 31 bytes', randomBytes(31).toString('base64')],
      ['base64 of 33 bytes', randomBytes(33).toString('base64')],
      ['base64 of 16 bytes', randomBytes(16).toString('base64')],
      ['64 characters that are not hex', 'g'.repeat(64)],
      ['44 characters that are not base64', '!'.repeat(43) + '='],
      ['a passphrase', 'correct horse battery staple'],
    ])('rejects %s', (_name, raw) => {
      expect(configError({ HERALD_MASTER_KEY: raw }).variable).toBe('HERALD_MASTER_KEY');
    });
  });

  describe('HERALD_SSRF_ALLOW_CIDRS', () => {
    const ranges = (raw: string) =>
      loadConfig({ HERALD_SSRF_ALLOW_CIDRS: raw }).ssrfAllow.map(
        ([address, bits]) => `${address.toString()}/${bits}`,
      );

    it('parses a comma-separated list of IPv4 and IPv6 ranges, ignoring blanks', () => {
      expect(ranges(' 127.0.0.1/32 , 10.0.0.0/8,,fd00::/8, ')).toEqual([
        '127.0.0.1/32',
        '10.0.0.0/8',
        'fd00::/8',
      ]);
    });

    it('reads a bare address as a single host', () => {
      expect(ranges('127.0.0.1,::1')).toEqual(['127.0.0.1/32', '::1/128']);
    });

    it('is empty when unset or blank', () => {
      expect(ranges(' , ')).toEqual([]);
      expect(loadConfig({}).ssrfAllow).toEqual([]);
    });

    it.each(['10.0.0.0/33', '300.1.2.3/8', 'localhost', '127.0.0.1/32;10.0.0.0/8', 'fd00::/129'])(
      'rejects %s',
      (raw) => {
        expect(configError({ HERALD_SSRF_ALLOW_CIDRS: raw }).variable).toBe('HERALD_SSRF_ALLOW_CIDRS');
      },
    );

    it('opens exactly the listed ranges to the SSRF guard', () => {
      const allow = loadConfig({ HERALD_SSRF_ALLOW_CIDRS: '127.0.0.1/32,10.1.0.0/16' }).ssrfAllow;
      expect(blockedReason('127.0.0.1', allow)).toBeNull();
      expect(blockedReason('10.1.2.3', allow)).toBeNull();
      expect(blockedReason('127.0.0.2', allow)).not.toBeNull();
      expect(blockedReason('10.2.0.1', allow)).not.toBeNull();
      expect(blockedReason('127.0.0.1', loadConfig({}).ssrfAllow)).not.toBeNull();
      // IPv6 addresses that embed an IPv4 address are opened by the IPv4 ranges, as the address inside.
      expect(blockedReason('::127.0.0.1', allow)).toBeNull();
      expect(blockedReason('64:ff9b::a01:203', allow)).toBeNull();
      expect(blockedReason('::127.0.0.2', allow)).toMatch(/^loopback \(embedded in IPv6: 127\.0\.0\.2/);
      expect(blockedReason('2002:a02:1::', allow)).toMatch(/^private \(embedded in IPv6: 10\.2\.0\.1/);
    });
  });

  describe('local host names (blockedHostReason)', () => {
    const allow = (raw: string) => loadConfig({ HERALD_SSRF_ALLOW_CIDRS: raw }).ssrfAllow;
    const loopback = [
      'localhost',
      'LOCALHOST',
      'localhost.',
      'localhost..',
      'api.localhost',
      'a.b.Localhost.',
    ];
    const privateNames = [
      'service.internal',
      'metadata.google.internal',
      'printer.local',
      'db.localdomain',
      'localhost.localdomain',
      'INTERNAL',
      'x.internal.',
      'x.local...',
    ];
    const publicNames = [
      'example.com',
      'localhost.example.com',
      'internal.example.com',
      'mylocal',
      'xlocalhost',
    ];

    it('refuses all of them when nothing is allowed', () => {
      for (const host of [...loopback, ...privateNames])
        expect(blockedHostReason(host, []), host).not.toBeNull();
    });

    it('opens localhost only when 127.0.0.1 is allowed', () => {
      for (const raw of ['127.0.0.1/32', '127.0.0.0/8', '10.0.0.0/8,127.0.0.1'])
        for (const host of loopback) expect(blockedHostReason(host, allow(raw)), `${host} ${raw}`).toBeNull();
      for (const raw of ['10.0.0.0/8', '127.0.0.2/32', '::1/128', '192.168.0.0/16'])
        for (const host of loopback)
          expect(blockedHostReason(host, allow(raw)), `${host} ${raw}`).toMatch(/loopback/);
    });

    it('opens private-network names whenever the allow-list is not empty, leaving their addresses to DNS time', () => {
      for (const raw of ['10.0.0.0/8', '127.0.0.1/32', 'fd00::/8'])
        for (const host of privateNames)
          expect(blockedHostReason(host, allow(raw)), `${host} ${raw}`).toBeNull();
      for (const host of privateNames) expect(blockedHostReason(host, []), host).toMatch(/private network/);
    });

    it('leaves public names to the DNS-time guard, and judges IP literals by the address policy', () => {
      for (const host of publicNames) expect(blockedHostReason(host, []), host).toBeNull();
      expect(blockedHostReason('127.0.0.1', [])).toBe('loopback');
      expect(blockedHostReason('[::1]', [])).toBe('loopback');
      expect(blockedHostReason('127.0.0.1', allow('127.0.0.1/32'))).toBeNull();
      expect(blockedHostReason('10.0.0.1', allow('127.0.0.1/32'))).toBe('private');
      expect(blockedHostReason('93.184.215.14', [])).toBeNull();
    });
  });
});

describe('Vault', () => {
  const vault = new Vault(randomBytes(32));

  it('round-trips text, including empty and non-ASCII text', () => {
    for (const text of ['whsec_abc', '', 'ünïcødé ✓ 日本', 'x'.repeat(100_000)])
      expect(vault.open(vault.seal(text))).toBe(text);
  });

  it('round-trips JSON', () => {
    const value = { authorization: 'Bearer t', nested: [1, null, { a: true }] };
    expect(vault.openJson(vault.sealJson(value))).toEqual(value);
  });

  it('seals to a versioned value that never contains the plaintext and differs every time', () => {
    const first = vault.seal('the secret');
    const second = vault.seal('the secret');
    expect(first).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(first).not.toContain('the secret');
    expect(first).not.toBe(second);
  });

  it('refuses to open a value sealed under another key', () => {
    expect(() => new Vault(randomBytes(32)).open(vault.seal('secret'))).toThrow();
  });

  describe('refuses a tampered value', () => {
    const sealed = vault.seal('a signing secret');
    const [version, iv, tag, body] = sealed.split('.') as [string, string, string, string];
    const flip = (part: string, at = 0) => {
      const bytes = Buffer.from(part, 'base64url');
      bytes[at] = bytes[at]! ^ 0x01;
      return bytes.toString('base64url');
    };

    it.each([
      ['ciphertext', [version, iv, tag, flip(body)].join('.')],
      [
        'last ciphertext byte',
        [version, iv, tag, flip(body, Buffer.from(body, 'base64url').length - 1)].join('.'),
      ],
      ['iv', [version, flip(iv), tag, body].join('.')],
      ['tag', [version, iv, flip(tag), body].join('.')],
      [
        'truncated tag',
        [version, iv, Buffer.from(tag, 'base64url').subarray(0, 4).toString('base64url'), body].join('.'),
      ],
      [
        'truncated ciphertext',
        [version, iv, tag, Buffer.from(body, 'base64url').subarray(1).toString('base64url')].join('.'),
      ],
      ['another version', ['v2', iv, tag, body].join('.')],
      ['missing parts', [version, iv, tag].join('.')],
      ['not a sealed value', 'whsec_plaintext'],
    ])('%s', (_name, tampered) => {
      expect(tampered).not.toBe(sealed);
      expect(() => vault.open(tampered)).toThrow();
    });

    it('but opens the untouched value', () => {
      expect(vault.open(sealed)).toBe('a signing secret');
    });
  });

  it('needs a 32-byte key', () => {
    expect(() => new Vault(randomBytes(16))).toThrow(/32 bytes/);
    expect(() => new Vault(randomBytes(33))).toThrow(/32 bytes/);
  });
});

describe('loadMasterKey', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-config-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates data/master.key with mode 0600 in embedded mode, then reuses it', () => {
    const dataDir = path.join(tempDir(), 'not', 'yet', 'there');
    const config = loadConfig({ HERALD_DATA_DIR: dataDir });
    const key = loadMasterKey(config);
    expect(key).toHaveLength(32);

    const file = path.join(dataDir, MASTER_KEY_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const content = fs.readFileSync(file, 'utf8');
    expect(Buffer.from(content.trim(), 'base64').equals(key)).toBe(true);

    const again = loadMasterKey(loadConfig({ HERALD_DATA_DIR: dataDir }));
    expect(again.equals(key)).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe(content);

    // What one start sealed, the next start opens.
    expect(new Vault(again).open(new Vault(key).seal('endpoint secret'))).toBe('endpoint secret');
  });

  it('gives each data directory its own key', () => {
    const first = loadMasterKey(loadConfig({ HERALD_DATA_DIR: tempDir() }));
    const second = loadMasterKey(loadConfig({ HERALD_DATA_DIR: tempDir() }));
    expect(first.equals(second)).toBe(false);
  });

  it('uses HERALD_MASTER_KEY when it is set, and writes no key file', () => {
    const dataDir = tempDir();
    const key = randomBytes(32);
    const loaded = loadMasterKey(
      loadConfig({ HERALD_DATA_DIR: dataDir, HERALD_MASTER_KEY: key.toString('base64') }),
    );
    expect(loaded.equals(key)).toBe(true);
    expect(fs.existsSync(path.join(dataDir, MASTER_KEY_FILE))).toBe(false);
  });

  it('refuses to run with a database URL and no master key, and writes no key file', () => {
    const dataDir = tempDir();
    const config = loadConfig({
      HERALD_DATA_DIR: dataDir,
      DATABASE_URL: 'postgres://herald@127.0.0.1:5432/herald',
    });
    let error: unknown;
    try {
      loadMasterKey(config);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('HERALD_MASTER_KEY');
    expect((error as ConfigError).message).toMatch(/required with DATABASE_URL/);
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it('accepts a database URL together with a master key', () => {
    const key = randomBytes(32);
    const config = loadConfig({
      HERALD_DATA_DIR: tempDir(),
      DATABASE_URL: 'postgres://herald@127.0.0.1:5432/herald',
      HERALD_MASTER_KEY: key.toString('hex'),
    });
    expect(loadMasterKey(config).equals(key)).toBe(true);
  });

  it('refuses a key file that does not hold 32 bytes', () => {
    const dataDir = tempDir();
    fs.writeFileSync(path.join(dataDir, MASTER_KEY_FILE), Buffer.from('too short').toString('base64'), {
      mode: 0o600,
    });
    const error = (() => {
      try {
        loadMasterKey(loadConfig({ HERALD_DATA_DIR: dataDir }));
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(MASTER_KEY_FILE);
  });
});
