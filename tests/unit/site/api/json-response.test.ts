import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ifNoneMatchMatches, jsonResponse, strongEtag } from '../../../../site/lib/api/json-response.ts';

const get = (headers: Record<string, string> = {}, method = 'GET') => new Request('http://127.60.0.1/api/v1/x', { method, headers });

test('a JSON answer carries a strong ETag and Cache-Control', async () => {
  const r = jsonResponse(get(), { a: 1 }, { maxAge: 30 });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('etag')!, /^"[A-Za-z0-9_-]{22}"$/);
  assert.equal(r.headers.get('cache-control'), 'public, max-age=30, stale-while-revalidate=30');
  assert.deepEqual(await r.json(), { a: 1 });
});

test('the same body gives the same ETag, a different body another', () => {
  assert.equal(strongEtag('{"a":1}'), strongEtag('{"a":1}'));
  assert.notEqual(strongEtag('{"a":1}'), strongEtag('{"a":2}'));
});

test('If-None-Match with the current tag answers 304 without a body', async () => {
  const etag = jsonResponse(get(), [1, 2]).headers.get('etag')!;
  const r = jsonResponse(get({ 'if-none-match': `"other", ${etag}` }), [1, 2]);
  assert.equal(r.status, 304);
  assert.equal(r.headers.get('etag'), etag);
  assert.equal(await r.text(), '');
});

test('a stale tag gets the full body', () => {
  const r = jsonResponse(get({ 'if-none-match': '"stale"' }), [1, 2]);
  assert.equal(r.status, 200);
});

test('If-None-Match uses the weak comparison (RFC 9110 §13.1.2)', () => {
  assert.ok(ifNoneMatchMatches('W/"abc"', '"abc"'));
  assert.ok(ifNoneMatchMatches('*', '"abc"'));
  assert.ok(!ifNoneMatchMatches('"abd"', '"abc"'));
  assert.ok(!ifNoneMatchMatches(null, '"abc"'));
});

test('HEAD gets the headers and no body', async () => {
  const r = jsonResponse(get({}, 'HEAD'), { a: 1 });
  assert.equal(r.status, 200);
  assert.ok(r.headers.get('etag'));
  assert.equal(await r.text(), '');
});
