/**
 * Ids are a prefix plus a ULID: 48 bits of milliseconds then 80 random bits, in Crockford base32. They sort
 * bytewise in creation order (monotonic within one millisecond in one process), so lists page by id.
 */
import { randomBytes } from 'node:crypto';
import { decodeTime, encodeTime, monotonicFactory } from 'ulid';

/** Random bytes drawn from the OS in blocks: ulid's default asks for them one character at a time. */
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let offset = 0;

function randomFraction(): number {
  if (offset === POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  return pool[offset++]! / 256;
}

const next = monotonicFactory(randomFraction);

export const ID_PREFIX = {
  application: 'app',
  endpoint: 'ep',
  template: 'tmpl',
  message: 'msg',
  delivery: 'dlv',
  attempt: 'atmpt',
  apiKey: 'key',
  audit: 'audit',
  task: 'qtask',
  sla: 'sla',
  relay: 'rly',
  /** A request carrying several messages to a batching endpoint (its webhook-id); never stored on its own. */
  batch: 'batch',
} as const;

export type IdKind = keyof typeof ID_PREFIX;

export function newId(kind: IdKind, now = Date.now()): string {
  return `${ID_PREFIX[kind]}_${next(now)}`;
}

/** The smallest possible id of `kind` created at `time`: ids below it were all created earlier. */
export function idFloor(kind: IdKind, time: number): string {
  return `${ID_PREFIX[kind]}_${encodeTime(Math.max(0, Math.floor(time)), 10)}${'0'.repeat(16)}`;
}

/** The creation time (ms) an id carries, or undefined when `id` is not an id of `kind`. */
export function idTime(kind: IdKind, id: string): number | undefined {
  const prefix = `${ID_PREFIX[kind]}_`;
  if (!id.startsWith(prefix) || !ID_BODY.test(id.slice(prefix.length))) return undefined;
  return decodeTime(id.slice(prefix.length));
}

const ID_BODY = /^[0-9A-HJKMNP-TV-Z]{26}$/;
