/**
 * Matrix unpadded base64, the encoding of every key and signature.
 *
 * Spec: Matrix Specification v1.16, "Appendices / Unpadded Base64":
 * https://spec.matrix.org/v1.16/appendices/#unpadded-base64
 * (source: matrix-org/matrix-spec `content/appendices.md`)
 *
 * Written: RFC 4648 standard alphabet without `=` padding. Read: with or
 * without padding ("implementations SHOULD accept input with or without
 * padding"), and in the URL-safe alphabet too, as Synapse does through
 * matrix-org/python-unpaddedbase64 `decode_base64` (`b64decode(…, altchars=b"-_")`).
 * Unlike that function, characters outside both alphabets are refused, not skipped.
 */

/** Encode bytes as unpadded standard base64 (`Zm9v`, never `Zm9v=`). */
export function encodeUnpaddedBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64').replace(/=+$/, '');
}

/** Standard or URL-safe alphabet, then at most two `=`. */
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * Decode standard or URL-safe base64, padded or not.
 *
 * Trailing bits of the last character are not required to be zero: the
 * spec's own test seed `YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1` has
 * non-zero trailing bits, and Synapse accepts it.
 *
 * @param maxChars longest input accepted, checked before any decoding.
 * @returns the bytes, or null when `text` is not base64 or is longer than `maxChars`.
 */
export function decodeBase64(text: string, maxChars: number): Buffer | null {
  if (typeof text !== 'string' || text.length > maxChars || !BASE64.test(text)) return null;
  const body = text.replace(/=+$/, '');
  // A padded input must be padded to a multiple of 4; a length of 4n+1 characters carries no whole byte.
  if (body.length !== text.length && text.length % 4 !== 0) return null;
  if (body.length % 4 === 1) return null;
  return Buffer.from(body.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}
