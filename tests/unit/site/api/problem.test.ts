import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROBLEMS, problem, quote } from '../../../../site/lib/api/problem.ts';

test('a problem is application/problem+json with a stable type URI and matching status', async () => {
  const r = problem('not-found', 'no server "x.test"');
  assert.equal(r.status, 404);
  assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const body = await r.json();
  assert.deepEqual(body, { type: '/api/v1/problems/not-found', title: PROBLEMS['not-found'].title, status: 404, detail: 'no server "x.test"', code: 'not-found' });
});

test('extensions cannot overwrite the standard members', async () => {
  const body = await problem('invalid-parameter', 'bad', { extra: { status: 200, type: 'x', errors: [] } }).json();
  assert.equal(body.status, 400);
  assert.equal(body.type, '/api/v1/problems/invalid-parameter');
  assert.deepEqual(body.errors, []);
});

test('every problem code has a 4xx or 5xx status', () => {
  for (const [code, p] of Object.entries(PROBLEMS)) assert.ok(p.status >= 400 && p.status < 600, code);
});

test('quote JSON-quotes and cuts long client values', () => {
  assert.equal(quote('a"b'), '"a\\"b"');
  assert.equal(quote('x'.repeat(500)).length, 103);
});
