import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signCursor, signedCursorSchema, verifyCursor } from '../../../../site/lib/api/cursor.ts';
import { jsonSchemaOf } from '../../../../site/lib/api/openapi.ts';

const key = Buffer.from('k'.repeat(32));
const inner = Buffer.from('{"k":"domain","v":"matrix.org"}').toString('base64url');

test('a signed cursor round-trips, adds 22 characters and fits the documented cursor schema', () => {
  const c = signCursor(inner, key);
  assert.equal(c.length, inner.length + 22);
  assert.equal(verifyCursor(c, key), inner);
  assert.ok(signedCursorSchema.safeParse(c).success, c);
  // The shortest signed cursor (one inner character) is the documented minimum.
  assert.ok(signedCursorSchema.safeParse(signCursor('A', key)).success);
});

test('the documented form is exactly what verifyCursor can accept: base64url, 23-600 characters', () => {
  const doc = jsonSchemaOf(signedCursorSchema, 'input');
  assert.deepEqual([doc.minLength, doc.maxLength, doc.pattern], [23, 600, '^[A-Za-z0-9_-]+$']);
  for (const bad of ['', 'A'.repeat(22), 'A'.repeat(601), `${'A'.repeat(30)}.`]) {
    assert.equal(signedCursorSchema.safeParse(bad).success, false, bad.slice(0, 30));
    assert.equal(verifyCursor(bad, key), null);
  }
});

test('a tampered cursor is refused, in the inner part or in the tag', () => {
  const c = signCursor(inner, key);
  const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
  assert.equal(verifyCursor(flip(c, 3), key), null);
  assert.equal(verifyCursor(flip(c, c.length - 2), key), null);
});

test('a cursor signed with another key is refused', () => {
  assert.equal(verifyCursor(signCursor(inner, Buffer.from('x'.repeat(32))), key), null);
});

test('junk, empty, too long and foreign-alphabet cursors are refused; signing refuses non-base64url', () => {
  for (const bad of ['', 'abc', '!!!!'.repeat(10), 'A'.repeat(601), `${inner}.${'A'.repeat(22)}`]) {
    assert.equal(verifyCursor(bad, key), null, bad.slice(0, 30));
  }
  assert.throws(() => signCursor('a.b', key), /base64url/);
});
