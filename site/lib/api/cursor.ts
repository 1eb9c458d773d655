/**
 * Signed paging cursors. The store's queries issue their own opaque cursors
 * (db/queries/servers/list-servers.ts validates what it decodes); the API
 * appends a 128-bit HMAC-SHA256 tag so a client cannot hand-craft a seek
 * position. A cursor's shape is documented ({@link signedCursorSchema}: what
 * a malformed one gets is a 400 naming the parameter); a well-formed cursor
 * this server did not issue (another server, a process since restarted, or
 * one for another sort) names no page, and the API answers 404
 * `invalid-cursor`, as documented in the OpenAPI document.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** Characters of the tag: 16 bytes in base64url without padding. */
const TAG_CHARS = 22;
/** Longest cursor accepted, characters. */
export const MAX_CURSOR_LENGTH = 600;
const ALPHABET = /^[A-Za-z0-9_-]+$/;

/**
 * The `cursor` parameter of `GET /api/v1/servers`: base64url, the query's
 * position (at least one character) followed by the 22-character tag.
 */
export const signedCursorSchema = z
  .string()
  .min(TAG_CHARS + 1)
  .max(MAX_CURSOR_LENGTH)
  .regex(ALPHABET, 'expected a cursor from nextCursor (base64url)')
  .describe(`Opaque cursor: the \`nextCursor\` of the previous page, unchanged (base64url, ${TAG_CHARS + 1}-${MAX_CURSOR_LENGTH} characters, signed by this server). A well-formed cursor this server did not issue, issued before it restarted, or issued for another sort or order is answered 404 \`invalid-cursor\`: start again from the first page.`);

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
