/**
 * Encryption at rest for endpoint secrets, custom headers and outbound credentials: AES-256-GCM under the
 * master key. A sealed value is `v1.<iv>.<tag>.<ciphertext>` in base64url, so the format can evolve and a
 * tampered value fails to open instead of decrypting to garbage.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, type Config } from '../config/config.js';

const ALGORITHM = 'aes-256-gcm';
const VERSION = 'v1';
const TAG_BYTES = 16;
export const MASTER_KEY_FILE = 'master.key';

export class Vault {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the master key must be 32 bytes');
    this.#key = key;
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv(ALGORITHM, this.#key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), body].map((part) => part.toString('base64url'));
    return `${VERSION}.${parts.join('.')}`;
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || iv === undefined || tag === undefined || body === undefined)
      throw new Error('not a sealed value');
    // The tag length is fixed: by default Node accepts a truncated tag and checks only the bytes it has.
    const decipher = createDecipheriv(ALGORITHM, this.#key, Buffer.from(iv, 'base64url'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }

  sealJson(value: unknown): string {
    return this.seal(JSON.stringify(value));
  }

  openJson<T>(sealed: string): T {
    return JSON.parse(this.open(sealed)) as T;
  }
}

/**
 * The master key comes from HERALD_MASTER_KEY. In embedded mode (SQLite) it may instead live in the data
 * directory, created with mode 0600 on first start. Cluster mode must share one key, so there it is required.
 */
export function loadMasterKey(config: Config): Buffer {
  if (config.masterKey !== undefined) return config.masterKey;
  if (config.databaseUrl !== undefined)
    throw new ConfigError(
      'HERALD_MASTER_KEY',
      'is required with DATABASE_URL, so that every process shares it (create one with: openssl rand -base64 32)',
    );
  const file = path.join(config.dataDir, MASTER_KEY_FILE);
  fs.mkdirSync(config.dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32)
    throw new ConfigError('HERALD_MASTER_KEY', `the key file ${file} does not hold 32 bytes`);
  return key;
}
