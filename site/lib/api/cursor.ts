/**
 * Signed paging cursors. The store's queries issue their own opaque cursors
 * (db/queries/servers/list-servers.ts validates what it decodes); the API
 * appends a 128-bit HMAC-SHA256 tag so a client cannot hand-craft a seek
 * position, and a cursor from another server or an older process is a clean
 * 400. The tag adds only 22 characters and keeps the base64url alphabet, so
 * signed cursors still fit the shared `cursor` schema (site/lib/params.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Characters of the tag: 16 bytes in base64url without padding. */
const TAG_CHARS = 22;
/** Longest cursor accepted, characters (the shared schema allows 600). */
export const MAX_CURSOR_LENGTH = 600;
const ALPHABET = /^[A-Za-z0-9_-]+$/;

function tag(key: Uint8Array, inner: string): string {
  return createHmac('sha256', key).update(inner).digest().subarray(0, 16).toString('base64url');
}

/**
 * Sign a query's cursor. @throws {TypeError} when `inner` is not base64url
 * (the query layer's cursors always are).
 */
export function signCursor(inner: string, key: Uint8Array): string {
  if (!ALPHABET.test(inner)) throw new TypeError(`cursor to sign must be base64url, got ${JSON.stringify(inner.slice(0, 40))}`);
  return `${inner}${tag(key, inner)}`;
}

/** The query's cursor inside a signed one, or `null` when the shape or the tag is wrong. */
export function verifyCursor(cursor: string, key: Uint8Array): string | null {
  if (cursor.length <= TAG_CHARS || cursor.length > MAX_CURSOR_LENGTH || !ALPHABET.test(cursor)) return null;
  const inner = cursor.slice(0, -TAG_CHARS);
  const given = Buffer.from(cursor.slice(-TAG_CHARS));
  const expected = Buffer.from(tag(key, inner));
  return given.length === expected.length && timingSafeEqual(given, expected) ? inner : null;
}
