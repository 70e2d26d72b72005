/**
 * Decoding a compressed webhook body on the receiving side, for `herald/verify`: Herald signs the uncompressed
 * body, so a receiver that holds the raw bytes of a request sent with `Content-Encoding: gzip` or `br` verifies
 * what they decode to. Depends on nothing but `node:zlib`.
 */
import zlib from 'node:zlib';

/** The largest body a compressed request may decode to here (a bound against decompression bombs). */
export const MAX_DECODED_BYTES = 64 * 1024 * 1024;

/**
 * The body that `raw` decodes to under `encoding` (gzip, x-gzip, br, deflate), or null when there is nothing to
 * decode: no such encoding, a body given as text, or bytes that are not in that encoding (a body the receiver's
 * framework already decoded, for one).
 */
export function decodeBody(encoding: string | undefined, raw: string | Buffer): Buffer | null {
  if (typeof raw === 'string' || encoding === undefined) return null;
  const options = { maxOutputLength: MAX_DECODED_BYTES };
  try {
    switch (encoding.trim().toLowerCase()) {
      case 'gzip':
      case 'x-gzip':
        return zlib.gunzipSync(raw, options);
      case 'br':
        return zlib.brotliDecompressSync(raw, options);
      case 'deflate':
        return zlib.inflateSync(raw, options);
      default:
        return null;
    }
  } catch {
    return null;
  }
}
