/**
 * Sealing with a passphrase instead of the master key, for documents that leave this Herald (the environment
 * export): scrypt turns the passphrase and a random salt into a 256-bit key, and values are sealed under it as
 * the vault seals at rest (AES-256-GCM). A known text sealed beside them tells a wrong passphrase from a
 * damaged document.
 */
import { randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { Vault } from './vault.js';

/** scrypt's cost: 2^15 × 8 × 128 bytes = 32 MiB and about a tenth of a second per derivation. */
export const SCRYPT_COST = 2 ** 15;
export const SCRYPT_BLOCK_SIZE = 8;
export const SCRYPT_PARALLELIZATION = 1;
const CHECK_TEXT = 'herald-environment';

export interface PassphraseSealing {
  kdf: 'scrypt';
  salt: string;
  cost: number;
  blockSize: number;
  parallelization: number;
  check: string;
}

/** The passphrase does not open the document's sealed values. */
export class WrongPassphrase extends Error {
  constructor() {
    super('the passphrase does not open the sealed values');
    this.name = 'WrongPassphrase';
  }
}

function deriveKey(
  passphrase: string,
  salt: Buffer,
  params: Omit<PassphraseSealing, 'salt' | 'check' | 'kdf'>,
) {
  const options: ScryptOptions = {
    N: params.cost,
    r: params.blockSize,
    p: params.parallelization,
    maxmem: 256 * params.cost * params.blockSize + 1024 * 1024,
  };
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(passphrase.normalize('NFC'), salt, 32, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** A new key for `passphrase`, with the description a reader needs to derive it again. */
export async function sealingFor(passphrase: string): Promise<{ vault: Vault; sealing: PassphraseSealing }> {
  const salt = randomBytes(16);
  const params = { cost: SCRYPT_COST, blockSize: SCRYPT_BLOCK_SIZE, parallelization: SCRYPT_PARALLELIZATION };
  const vault = new Vault(await deriveKey(passphrase, salt, params));
  return {
    vault,
    sealing: { kdf: 'scrypt', salt: salt.toString('base64url'), ...params, check: vault.seal(CHECK_TEXT) },
  };
}

/** The key `sealing` describes, derived from `passphrase`; throws `WrongPassphrase` if it is not the one. */
export async function openSealing(passphrase: string, sealing: PassphraseSealing): Promise<Vault> {
  const vault = new Vault(await deriveKey(passphrase, Buffer.from(sealing.salt, 'base64url'), sealing));
  let check: string;
  try {
    check = vault.open(sealing.check);
  } catch {
    throw new WrongPassphrase();
  }
  if (check !== CHECK_TEXT) throw new WrongPassphrase();
  return vault;
}
