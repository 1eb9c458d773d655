/**
 * Issue 13 item 2, "errors survive the bundle": `chatlas serve` answers the
 * registration routes from the Astro bundle (dist/server), which carries its
 * own copy of crawler/errors.ts, while the ownership network it installs
 * (registration/ownership-net.ts over crawler/net) runs from source. A
 * ProbeError thrown by the source copy must reach the registrant with its
 * code, not as `internal`.
 *
 * Served as `chatlas serve` serves it: the real `astro build` output
 * (tests/e2e/api/built-server.ts) on 127.60.13.1, the API dependencies
 * installed from source, our DNS server on 127.60.13.53. `refused.test`
 * points at 127.60.13.9, where nothing listens, so the well-known fetch throws
 * a connection refusal; its challenge TXT name answers REFUSED.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openTestStore, type TestStore } from '../../harness/store.ts';
import { TEST_DOMAIN_RULES } from '../../harness/domain-rules.ts';
import { startDnsServer, type DnsServer } from '../../../sim/dns-server.ts';
import { setStore } from '../../../site/lib/store.ts';
import { configureApi, resetApi } from '../../../site/lib/api/deps.ts';
import { RateLimiter } from '../../../site/lib/api/rate-limiter.ts';
import { loadCrawlConfig } from '../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../crawler/net/context.ts';
import { createOwnershipNet } from '../../../registration/ownership-net.ts';
import { startBuiltServer, type BuiltServer } from './built-server.ts';

/** Where nothing listens: a connect there is refused at once by the kernel. */
const CLOSED = '127.60.13.9';

let store: TestStore;
let dns: DnsServer;
let ctx: NetContext;
let site: BuiltServer;

before(async () => {
  store = await openTestStore();
  setStore(store.db);
  dns = await startDnsServer({ host: '127.60.13.53', zones: { 'refused.test': { A: [CLOSED] } } });
  dns.fault('_chatlas-verify.refused.test', 'refused');
  ctx = createNetContext(loadCrawlConfig({ env: { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16', CHATLAS_DNS_TIMEOUT_MS: '1000', CHATLAS_DNS_ATTEMPTS: '1' } }));
  configureApi({
    db: store.db,
    readLimiter: new RateLimiter({ capacity: 1000, refillPerSecond: 100 }),
    writeLimiter: new RateLimiter({ capacity: 1000, refillPerSecond: 100 }),
    cursorKey: randomBytes(32),
    registration: { net: createOwnershipNet(ctx), normalise: TEST_DOMAIN_RULES, verifyTimeoutMs: 10_000 },
    now: () => new Date(),
    log: () => {},
  });
  site = await startBuiltServer('127.60.13.1');
});

after(async () => {
  resetApi();
  setStore(undefined);
  await site?.close();
  await ctx?.close();
  await dns?.close();
  await store?.cleanup();
});

test('issue 13 item 2: an ownership fetch that throws (connection refused) is answered with its code, not internal', async () => {
  const created = await fetch(`${site.origin}/api/v1/registrations`, {
    method: 'POST', body: JSON.stringify({ domain: 'refused.test' }), headers: { 'content-type': 'application/json', origin: site.origin },
  });
  const reg = await created.json() as { registration: { id: string; domain: string } };
  assert.equal(created.status, 201, JSON.stringify(reg));
  assert.equal(reg.registration.domain, 'refused.test');

  const res = await fetch(`${site.origin}/api/v1/registrations/${reg.registration.id}/verify`, { method: 'POST', headers: { origin: site.origin } });
  const body = await res.json() as { type: string; evidence: Array<{ method: string; outcome: string; detail: string }> };
  assert.equal(res.status, 409, JSON.stringify(body));
  assert.equal(body.type, '/api/v1/problems/verification-failed');
  const byMethod = Object.fromEntries(body.evidence.map((e) => [e.method, e]));
  // Both errors were thrown by the source copy of crawler/errors.ts and judged by the bundle's.
  assert.equal(byMethod['dns-txt']?.outcome, 'dns.refused', JSON.stringify(body.evidence));
  assert.equal(byMethod['well-known']?.outcome, 'net.connect-refused', JSON.stringify(body.evidence));
  assert.match(byMethod['well-known']!.detail, /ECONNREFUSED/);
  // The DNS server really was asked, and only for names of this test's zone.
  assert.ok(dns.queries.some((q) => q.name === '_chatlas-verify.refused.test' && q.type === 'TXT'));
  assert.ok(dns.queries.some((q) => q.name === 'refused.test'));
});
