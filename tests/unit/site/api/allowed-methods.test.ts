import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { allowedMethods, methodNotAllowed } from '../../../../site/lib/api/allowed-methods.ts';
import { OPERATIONS } from '../../../../site/lib/api/operations.ts';

const PAGES = new URL('../../../../site/pages', import.meta.url).pathname;

test('each documented path answers its documented methods, HEAD with GET, and OPTIONS', () => {
  assert.deepEqual(allowedMethods('/api/v1/stats'), ['GET', 'HEAD', 'OPTIONS']);
  assert.deepEqual(allowedMethods('/api/v1/stats/'), ['GET', 'HEAD', 'OPTIONS'], "Astro's trailingSlash 'ignore'");
  assert.deepEqual(allowedMethods('/api/v1/registrations'), ['POST', 'OPTIONS']);
  assert.deepEqual(allowedMethods('/api/v1/registrations/9b2c6a52-0000-4000-8000-000000000000'), ['GET', 'HEAD', 'PATCH', 'OPTIONS']);
  assert.deepEqual(allowedMethods('/api/v1/registrations/x/verify'), ['POST', 'OPTIONS']);
  assert.deepEqual(allowedMethods('/api/v1/badge/matrix.org.svg'), ['GET', 'HEAD', 'OPTIONS']);
  assert.deepEqual(allowedMethods('/api/v1/servers/matrix.org'), ['GET', 'HEAD', 'OPTIONS']);
  // Not an operation of the document: left to the router.
  assert.equal(allowedMethods('/api/v1/problems/not-found'), null);
  assert.equal(allowedMethods('/api/v1/servers/a/b'), null);
  assert.equal(allowedMethods('/servers'), null);
});

test('another method is a 405 problem with Allow; documented ones and other paths pass', async () => {
  const refused = methodNotAllowed('PUT', '/api/v1/stats');
  assert.ok(refused);
  assert.equal(refused.status, 405);
  assert.equal(refused.headers.get('allow'), 'GET, HEAD, OPTIONS');
  assert.match(refused.headers.get('content-type')!, /^application\/problem\+json/);
  const body = await refused.json();
  assert.equal(body.code, 'method-not-allowed');
  assert.match(body.detail, /"PUT"/);
  assert.equal(methodNotAllowed('TRACE', '/api/v1/registrations')?.headers.get('allow'), 'POST, OPTIONS');
  assert.equal(methodNotAllowed('GET', '/api/v1/stats'), null);
  assert.equal(methodNotAllowed('HEAD', '/api/v1/servers/matrix.org'), null);
  assert.equal(methodNotAllowed('PUT', '/register'), null);
});

test('every route file exports exactly the methods the document lists for its path (plus OPTIONS)', async () => {
  const paths = [...new Set(OPERATIONS.map((o) => o.path))];
  for (const path of paths) {
    // Astro's file routing: {name} is [name]; a path is <path>.ts or <path>/index.ts.
    const base = `${PAGES}${path.replace(/\{([^}]+)\}/g, '[$1]')}`;
    const file = [`${base}.ts`, `${base}/index.ts`].find((f) => existsSync(f));
    assert.ok(file, `no route file for ${path}`);
    const mod = await import(file) as Record<string, unknown>;
    const exported = Object.keys(mod).filter((k) => /^[A-Z]+$/.test(k) && typeof mod[k] === 'function');
    const sample = path.replace(/\{[^}]+\}/g, 'x');
    const documented = allowedMethods(sample)!.filter((m) => m !== 'HEAD');
    assert.deepEqual(exported.sort(), [...documented].sort(), path);
  }
});
