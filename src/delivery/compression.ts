/**
 * Compressing a request body for an endpoint that asks for it. The body is signed before it is compressed: the
 * signature covers the uncompressed body, which is what a receiver's framework hands to its verifier once it has
 * decoded the request. Compression runs on libuv's thread pool (zlib's asynchronous calls), off the event loop.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Compression } from '../store/index.js';

/** Bodies of at least this many bytes are compressed unless the endpoint sets its own threshold. */
export const DEFAULT_COMPRESSION_THRESHOLD = 1024;
/**
 * Brotli quality: 5 of 11 compresses JSON nearly as well as the maximum at a fraction of its cost. Gzip uses
 * zlib's default level (6).
 */
const BROTLI_QUALITY = 5;

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

export interface CompressionSetting {
  compression: Compression;
  /** Null: the default threshold. */
  compressionThreshold: number | null;
  /** Set once the endpoint answered 415 to a compressed request: its bodies go plain. */
  compressionRefusedAt: number | null;
}

/** A compressed body: its encoding, the bytes sent, and the size before. */
export interface Compressed {
  encoding: 'gzip' | 'br';
  bytes: Buffer;
  uncompressedBytes: number;
}

/** The body compressed as the endpoint asks, or null when it goes plain (no compression, too small, refused). */
export async function compressBody(body: string, setting: CompressionSetting): Promise<Compressed | null> {
  if (setting.compression === 'none' || setting.compressionRefusedAt !== null) return null;
  const plain = Buffer.from(body, 'utf8');
  if (plain.length < (setting.compressionThreshold ?? DEFAULT_COMPRESSION_THRESHOLD)) return null;
  const bytes =
    setting.compression === 'gzip'
      ? await gzip(plain)
      : await brotli(plain, {
          params: {
            [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
            [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
            [zlib.constants.BROTLI_PARAM_SIZE_HINT]: plain.length,
          },
        });
  return { encoding: setting.compression, bytes, uncompressedBytes: plain.length };
}
