/**
 * Opaque, signed paging cursors: `base64url(tag ‖ JSON)` where `tag` is the
 * first 16 bytes of HMAC-SHA256(key, JSON). One base64url token, so it fits
 * the `cursor` schema of site/lib/params.ts (`[A-Za-z0-9_-]*`). Clients cannot
 * read meaning into it or forge one that makes the store seek to an arbitrary
 * place, and a tampered or truncated cursor is a clean 400.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';

/** Length of the truncated HMAC-SHA256 tag, bytes (128 bits). */
const TAG_BYTES = 16;
/** Longest cursor accepted, characters (the shared schema allows 600). */
export const MAX_CURSOR_LENGTH = 600;

function tag(key: Uint8Array, json: Buffer): Buffer {
  return createHmac('sha256', key).update(json).digest().subarray(0, TAG_BYTES);
}

/** Encode `value` as a signed cursor. */
export function encodeCursor(value: unknown, key: Uint8Array): string {
  const json = Buffer.from(JSON.stringify(value), 'utf8');
  return Buffer.concat([tag(key, json), json]).toString('base64url');
}

/**
 * Decode a cursor made by {@link encodeCursor} and validate its content with
 * `schema`. Returns `null` for anything else: wrong alphabet, bad signature,
 * invalid JSON, or content the schema refuses.
 */
export function decodeCursor<T>(cursor: string, key: Uint8Array, schema: z.ZodType<T>): T | null {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const raw = Buffer.from(cursor, 'base64url');
  if (raw.length <= TAG_BYTES) return null;
  const given = raw.subarray(0, TAG_BYTES);
  const json = raw.subarray(TAG_BYTES);
  if (!timingSafeEqual(given, tag(key, json))) return null;
  let value: unknown;
  try {
    value = JSON.parse(json.toString('utf8'));
  } catch {
    return null;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
