/**
 * Issue 13 item 6, "the API does what its document says": schemathesis (PyPI)
 * runs every check it has (`--checks all`) over every operation of the
 * OpenAPI document, in all four phases: examples, coverage (boundary values
 * and undocumented methods), fuzzing and stateful (following the document's
 * links: create a registration, then read and verify it by its id).
 *
 * Served as `chatlas serve` serves it (tests/e2e/api/built-server.ts: the real
 * `astro build` behind jobs/serve/server.ts) on 127.60.0.1, over a small
 * filled chdb store, the ownership checks wired to our DNS server on
 * 127.60.0.53 (every lookup stays on loopback; unknown names are NXDOMAIN).
 * Then the pages and headers of this area (/api docs, /register, the CSP)
 * through the same server.
 *
 * Needs the venv: python3 -m venv /opt/chatlas-schemathesis &&
 * /opt/chatlas-schemathesis/bin/pip install schemathesis==4.32.5
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestStore, type TestStore } from '../../harness/store.ts';
import { TEST_DOMAIN_RULES } from '../../harness/domain-rules.ts';
import { startDnsServer, type DnsServer } from '../../../sim/dns-server.ts';
import { fillStore } from '../../integration/api/fill-store.ts';
import { setStore } from '../../../site/lib/store.ts';
import { configureApi, defaultLimiters, resetApi } from '../../../site/lib/api/deps.ts';
import { RateLimiter } from '../../../site/lib/api/rate-limiter.ts';
import { API_CSP } from '../../../site/lib/api/route.ts';
import { loadCrawlConfig } from '../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../crawler/net/context.ts';
import { createOwnershipNet } from '../../../registration/ownership-net.ts';
import { challengeTxtValue } from '../../../registration/challenge.ts';
import type { OwnershipNet } from '../../../registration/deps.ts';
import type { Db } from '../../../db/client.ts';
import { run, startBuiltServer, type BuiltServer } from './built-server.ts';

const ST = '/opt/chatlas-schemathesis/bin/st';

let store: TestStore;
let dns: DnsServer;
let ctx: NetContext;
let site: BuiltServer;
let reports: string;
/** What the process wrote to stdout and stderr while serving (Astro's logger writes there). */
let logged = '';

/** Registrants under this name publish nothing (the form test's failed verification). */
const SILENT = '.silent.test';

/**
 * Registrants who follow the instructions: when Chatlas reads the challenge
 * record of a domain, the record (in our DNS server) holds the tokens of that
 * domain's pending registrations, except under {@link SILENT}. So the
 * stateful phase's create → verify reaches 200, and that answer is checked
 * against the document too.
 */
function publishingRegistrant(net: OwnershipNet, db: Db, zone: DnsServer): OwnershipNet {
  return {
    ...net,
    async txt(name, signal) {
      const domain = name.replace(/^_chatlas-verify\./, '');
      if (domain.endsWith(SILENT)) return net.txt(name, signal);
      const rs = await db.client.query({
        query: "SELECT DISTINCT token FROM registrations WHERE domain = {domain:String} AND state = 'pending'",
        query_params: { domain }, format: 'JSONEachRow',
      });
      const tokens = (await rs.json<{ token: string }>()).map((r) => challengeTxtValue(r.token));
      if (tokens.length > 0) zone.set(name, { TXT: tokens });
      return net.txt(name, signal);
    },
  };
}

before(async () => {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      logged += String(chunk);
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
  reports = mkdtempSync(join(tmpdir(), 'chatlas-st-'));
  store = await openTestStore();
  await fillStore(store.db);
  setStore(store.db);
  dns = await startDnsServer({ host: '127.60.0.53' });
  ctx = createNetContext(loadCrawlConfig({ env: { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16', CHATLAS_DNS_TIMEOUT_MS: '300', CHATLAS_DNS_ATTEMPTS: '1' } }));
  configureApi({
    db: store.db,
    // The production response cache (the path that used to log Astro's CSP warning on every request).
    ...defaultLimiters(),
    // Generous buckets: the fuzzer should reach the handlers, not the limiter (429 is documented anyway).
    readLimiter: new RateLimiter({ capacity: 100_000, refillPerSecond: 1000 }),
    writeLimiter: new RateLimiter({ capacity: 100_000, refillPerSecond: 1000 }),
    cursorKey: randomBytes(32),
    registration: {
      net: publishingRegistrant(createOwnershipNet(ctx), store.db, dns),
      normalise: TEST_DOMAIN_RULES,
      maxPendingPerClient: 100_000, maxPendingPerDomain: 100_000, verifyTimeoutMs: 2000,
    },
    now: () => new Date(),
    log: () => {},
  });
  site = await startBuiltServer('127.60.0.1');
});

after(async () => {
  resetApi();
  await site?.close();
  setStore(undefined);
  await ctx?.close();
  await dns?.close();
  await store?.cleanup();
  if (reports) rmSync(reports, { recursive: true, force: true });
});

test('schemathesis: every check, every operation, every phase (stateful links included) passes', async (t) => {
  const result = await run(ST, [
    'run', `${site.origin}/api/v1/openapi.json`, '--url', site.origin,
    '--checks', 'all',
    '--phases', 'examples,coverage,fuzzing,stateful',
    '--max-examples', '20', '--seed', '7', '--workers', '1', '--request-timeout', '20',
    '--generation-database', 'none', '--no-color',
    '--report', 'har', '--report-dir', reports,
  ], 540_000, { ...process.env, SCHEMATHESIS_TELEMETRY: 'false', NO_COLOR: '1' });
  const summary = result.output.slice(result.output.indexOf('SUMMARY'));
  assert.equal(result.code, 0, result.output.slice(-8000));
  // Every operation of the served document (built from the operation table) was selected and tested,
  // except the one that serves the document: schemathesis leaves out the URL it loaded the schema from.
  const doc = await (await fetch(`${site.origin}/api/v1/openapi.json`)).json() as { paths: Record<string, Record<string, unknown>> };
  const operations = Object.values(doc.paths).reduce((n, methods) => n + Object.keys(methods).length, 0) - 1;
  assert.match(summary, new RegExp(`Selected: ${operations}/${operations}\\b[\\s\\S]*Tested: ${operations}\\b`), summary);
  assert.doesNotMatch(summary, /Failures:|Errors:/, summary);
  for (const phase of ['Coverage', 'Fuzzing', 'Stateful']) assert.match(summary, new RegExp(`✅ ${phase}`), summary);
  for (const line of summary.split('\n').filter((l) => /Tested|generated|passed|Seed|⚠️/.test(l))) t.diagnostic(line.trim());

  // What was really exercised, from the recorded exchanges.
  const har = JSON.parse(readFileSync(join(reports, readdirSync(reports).find((f) => f.startsWith('har'))!), 'utf8')) as {
    log: { entries: { request: { method: string; url: string }; response: { status: number } }[] };
  };
  const seen = new Set(har.log.entries.map((e) => `${e.request.method} ${new URL(e.request.url).pathname.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/, '{id}')} ${e.response.status}`));
  // Registration ids are random UUIDs: reading or verifying an existing one happens only by following the links.
  assert.ok(seen.has('POST /api/v1/registrations 201'), 'registrations were created');
  assert.ok(seen.has('GET /api/v1/registrations/{id} 200'), 'the link from a new registration to reading it was followed');
  assert.ok(seen.has('POST /api/v1/registrations/{id}/verify 200'), 'the link to verifying it was followed, and the published token proved');
  // Undocumented methods were tried and answered 405, not Astro's cross-site 403.
  assert.ok(seen.has('PUT /api/v1/stats 405'), [...seen].filter((s) => s.startsWith('PUT')).join(', '));
});

test('serving logged no warning per request (Astro CSP warning and the like)', () => {
  assert.doesNotMatch(logged, /CSP was not configured/);
  assert.doesNotMatch(logged, /\[WARN\]/);
});

test('an undocumented method is 405 with Allow before any guard; OPTIONS answers the same Allow', async () => {
  const put = await fetch(`${site.origin}/api/v1/registrations`, { method: 'PUT', body: 'x' });
  assert.equal(put.status, 405);
  assert.equal(put.headers.get('allow'), 'POST, OPTIONS');
  assert.equal((await put.json()).code, 'method-not-allowed');
  const options = await fetch(`${site.origin}/api/v1/registrations/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`, { method: 'OPTIONS' });
  assert.equal(options.status, 204);
  assert.equal(options.headers.get('allow'), 'GET, HEAD, PATCH, OPTIONS');
});

test('a repeated read is answered from the cache by the server as the route answered it', async () => {
  // A query schemathesis is unlikely to have sent, so the first request is a miss (the route) and the second a hit.
  const url = `${site.origin}/api/v1/stats/series?metric=dane&range=1y&step=week&protocol=xmpp`;
  const first = await fetch(url);
  const second = await fetch(url);
  assert.equal(second.status, 200);
  assert.equal(await second.text(), await first.text());
  const names = (r: Response) => [...r.headers.keys()].filter((n) => n !== 'date').sort();
  assert.deepEqual(names(second), names(first));
  for (const name of ['etag', 'cache-control', 'content-type', 'content-length', 'access-control-allow-origin', 'content-security-policy']) {
    assert.equal(second.headers.get(name), first.headers.get(name), name);
  }
  const conditional = await fetch(url, { headers: { 'if-none-match': first.headers.get('etag')! } });
  assert.equal(conditional.status, 304);
  const head = await fetch(url, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-length'), first.headers.get('content-length'));
});

test('pages carry the CSP Astro computed (with hashes, and frame-ancestors as a header); API answers their own', async () => {
  for (const path of ['/api', '/about/data', '/servers/no-such-server.test']) {
    const res = await fetch(`${site.origin}${path}`);
    await res.body?.cancel();
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'( 'sha256-[A-Za-z0-9+/=]+')+/, path);
    assert.match(csp, /frame-ancestors 'none'/, path);
    assert.match(csp, /style-src-attr 'unsafe-inline'/, path);
  }
  const api = await fetch(`${site.origin}/api/v1/stats`);
  await api.body?.cancel();
  assert.equal(api.headers.get('content-security-policy'), API_CSP);
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

  const ok = await post({ action: 'register', domain: `Form-Owner${SILENT.toUpperCase()}` });
  assert.equal(ok.status, 201);
  const html = await ok.text();
  assert.match(html, /_chatlas-verify\.form-owner\.silent\.test/);
  const id = /name="id" value="([0-9a-f-]{36})"/.exec(html)?.[1];
  assert.ok(id, 'the verify form carries the id');

  const verify = await post({ action: 'verify', id: id! });
  assert.equal(verify.status, 422);
  assert.match(await verify.text(), /dns-txt: (absent|dns\.[a-z-]+)/);

  const crossSite = await fetch(`${site.origin}/register`, { method: 'POST', body: new URLSearchParams({ domain: 'x.test' }), headers: { origin: 'https://evil.example' } });
  assert.equal(crossSite.status, 403, "Astro's origin check refuses cross-site form posts");
});
