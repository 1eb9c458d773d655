/**
 * Fuzz the API from its own OpenAPI document with schemathesis (PyPI), through
 * the real Astro build (tests/e2e/api/built-server.ts) on 127.60.0.1, with a
 * small filled chdb store and the ownership checks wired to our DNS server on
 * 127.60.0.53 (every lookup stays on loopback; unknown names are NXDOMAIN).
 * Then the two pages of this area (/api docs, /register) through the same server.
 *
 * Needs the venv: python3 -m venv /opt/chatlas-schemathesis &&
 * /opt/chatlas-schemathesis/bin/pip install schemathesis
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openTestStore, type TestStore } from '../../harness/store.ts';
import { startDnsServer, type DnsServer } from '../../../sim/dns-server.ts';
import { fillStore } from '../../integration/api/fill-store.ts';
import { setStore } from '../../../site/lib/store.ts';
import { configureApi, resetApi } from '../../../site/lib/api/deps.ts';
import { RateLimiter } from '../../../site/lib/api/rate-limiter.ts';
import { loadCrawlConfig } from '../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../crawler/net/context.ts';
import { createOwnershipNet } from '../../../registration/ownership-net.ts';
import { run, startBuiltServer, type BuiltServer } from './built-server.ts';
import { TEST_DOMAIN_RULES } from '../../harness/domain-rules.ts';

const ST = '/opt/chatlas-schemathesis/bin/st';

let store: TestStore;
let dns: DnsServer;
let ctx: NetContext;
let site: BuiltServer;

before(async () => {
  store = await openTestStore();
  await fillStore(store.db);
  setStore(store.db);
  dns = await startDnsServer({ host: '127.60.0.53' });
  ctx = createNetContext(loadCrawlConfig({ env: { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16', CHATLAS_DNS_TIMEOUT_MS: '300', CHATLAS_DNS_ATTEMPTS: '1' } }));
  configureApi({
    db: store.db,
    // Generous buckets: the fuzzer should reach the handlers, not the limiter (429 is documented anyway).
    readLimiter: new RateLimiter({ capacity: 100_000, refillPerSecond: 1000 }),
    writeLimiter: new RateLimiter({ capacity: 100_000, refillPerSecond: 1000 }),
    cursorKey: randomBytes(32),
    registration: { net: createOwnershipNet(ctx), normalise: TEST_DOMAIN_RULES, maxPendingPerClient: 100_000, maxPendingPerDomain: 100_000, verifyTimeoutMs: 2000 },
    now: () => new Date(),
    log: () => {},
  });
  site = await startBuiltServer('127.60.0.1');
});

after(async () => {
  resetApi();
  setStore(undefined);
  await site?.close();
  await ctx?.close();
  await dns?.close();
  await store?.cleanup();
});

test('schemathesis finds no 5xx and no response outside the OpenAPI document', async (t) => {
  const result = await run(ST, [
    'run', `${site.origin}/api/v1/openapi.json`, '--url', site.origin,
    '--checks', 'not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance',
    '--max-examples', '20', '--seed', '7', '--workers', '1', '--request-timeout', '20',
    '--generation-database', 'none', '--no-color', '--warnings', 'off', '--phases', 'examples,coverage,fuzzing',
    // The shared domain pattern (site/lib/params.ts) has a length lookahead that hypothesis filters a lot; not a defect.
    '--suppress-health-check', 'filter_too_much',
  ], 540_000, { ...process.env, SCHEMATHESIS_TELEMETRY: 'false', NO_COLOR: '1' });
  assert.equal(result.code, 0, result.output.slice(-8000));
  // The run really exercised every operation.
  assert.match(result.output, /Tested: 13\b/, result.output.slice(-3000));
  const summary = result.output.slice(result.output.indexOf('SUMMARY'));
  for (const line of summary.split('\n').filter((l) => /Tested|generated|passed|Seed/.test(l))) t.diagnostic(line.trim());
});

test('GET /api renders the docs from the OpenAPI document', async () => {
  const res = await fetch(`${site.origin}/api`);
  assert.equal(res.status, 200);
  const html = await res.text();
  // assert.ok, not assert.match: a failure must not print the whole page.
  assert.ok(/<code[^>]*>\/api\/v1\/servers\/\{domain\}<\/code>/.test(html), 'the server operation is listed');
  assert.ok(html.includes('/api/v1/problems/rate-limited'), 'problem types are listed');
  assert.ok(html.includes('<main id="main"'), 'inside the site layout');
});

test('the register form registers, reflects bad input escaped, and verify reports the evidence', async () => {
  const post = (body: Record<string, string>) => fetch(`${site.origin}/register`, {
    method: 'POST', body: new URLSearchParams(body), headers: { origin: site.origin }, redirect: 'manual',
  });
  const bad = await post({ action: 'register', domain: '"><script>alert(1)</script>.org' });
  assert.equal(bad.status, 400);
  const badHtml = await bad.text();
  // Reflected twice: in the error text (escaped) and as the field's value (quoted, `"` escaped, so no breakout).
  assert.ok(!badHtml.includes('"><script>'), 'the attribute cannot be closed by the input');
  assert.ok(badHtml.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the error text is escaped');
  assert.ok(!/<p[^>]*role="alert"[^>]*>[^<]*<script>/.test(badHtml), 'no script element in the error');

  const ok = await post({ action: 'register', domain: 'Form-Owner.test' });
  assert.equal(ok.status, 201);
  const html = await ok.text();
  assert.match(html, /_chatlas-verify\.form-owner\.test/);
  const id = /name="id" value="([0-9a-f-]{36})"/.exec(html)?.[1];
  assert.ok(id, 'the verify form carries the id');

  const verify = await post({ action: 'verify', id: id! });
  assert.equal(verify.status, 422);
  assert.match(await verify.text(), /dns-txt: (absent|dns\.[a-z-]+)/);

  const crossSite = await fetch(`${site.origin}/register`, { method: 'POST', body: new URLSearchParams({ domain: 'x.test' }), headers: { origin: 'https://evil.example' } });
  assert.equal(crossSite.status, 403, "Astro's origin check refuses cross-site form posts");
});
