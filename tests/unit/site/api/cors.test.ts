import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyCors, preflight } from '../../../../site/lib/api/cors.ts';

test('GET answers allow any origin and expose the cache and rate-limit headers', () => {
  const h = new Headers();
  applyCors(h);
  assert.equal(h.get('access-control-allow-origin'), '*');
  assert.match(h.get('access-control-expose-headers')!, /ETag/);
  assert.match(h.get('access-control-expose-headers')!, /Retry-After/);
});

test('a preflight for GET is allowed; Allow lists the methods of the path', () => {
  const r = preflight(new Request('http://127.60.0.1/api/v1/stats', { method: 'OPTIONS', headers: { origin: 'https://other.example', 'access-control-request-method': 'GET' } }), ['GET', 'HEAD', 'OPTIONS']);
  assert.equal(r.status, 204);
  assert.equal(r.headers.get('allow'), 'GET, HEAD, OPTIONS');
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  assert.equal(r.headers.get('access-control-allow-methods'), 'GET, HEAD, OPTIONS');
});

test('a preflight for POST is not granted', () => {
  const r = preflight(new Request('http://127.60.0.1/api/v1/registrations', { method: 'OPTIONS', headers: { origin: 'https://other.example', 'access-control-request-method': 'POST' } }), ['POST', 'OPTIONS']);
  assert.equal(r.status, 204);
  assert.equal(r.headers.get('allow'), 'POST, OPTIONS');
  assert.equal(r.headers.get('access-control-allow-origin'), null);
});
