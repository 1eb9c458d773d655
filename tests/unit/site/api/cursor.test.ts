import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { decodeCursor, encodeCursor } from '../../../../site/lib/api/cursor.ts';
import { serverListParams } from '../../../../site/lib/params.ts';

const key = Buffer.from('k'.repeat(32));
const schema = z.object({ after: z.string(), n: z.number() });

test('a cursor round-trips and fits the shared cursor parameter schema', () => {
  const c = encodeCursor({ after: 'matrix.org', n: 5 }, key);
  assert.deepEqual(decodeCursor(c, key, schema), { after: 'matrix.org', n: 5 });
  assert.ok(serverListParams.shape.cursor.safeParse(c).success, c);
});

test('a tampered cursor is refused', () => {
  const c = encodeCursor({ after: 'a', n: 1 }, key);
  const raw = Buffer.from(c, 'base64url');
  raw[raw.length - 2] = raw[raw.length - 2]! ^ 1;
  assert.equal(decodeCursor(raw.toString('base64url'), key, schema), null);
});

test('a cursor signed with another key is refused', () => {
  assert.equal(decodeCursor(encodeCursor({ after: 'a', n: 1 }, Buffer.from('x'.repeat(32))), key, schema), null);
});

test('junk, empty, too long and schema-invalid cursors are refused', () => {
  for (const bad of ['', 'abc', '!!!!', 'A'.repeat(601), Buffer.alloc(40).toString('base64url')]) {
    assert.equal(decodeCursor(bad, key, schema), null, bad);
  }
  assert.equal(decodeCursor(encodeCursor({ after: 1 }, key), key, schema), null);
});
