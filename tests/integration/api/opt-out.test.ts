/**
 * Opt-out without registration, on loopback (127.60.3.x): a TXT record on
 * one domain, a robots.txt naming Chatlas on another, neither on a third;
 * then the TXT record is removed and the opt-out lifts. Reads go through the
 * crawler's guarded DNS client and fetchBounded, as in production.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestStore, type TestStore } from '../../harness/store.ts';
import { startDnsServer, type DnsServer } from '../../../sim/dns-server.ts';
import { startFakeServer, text, type FakeServer } from '../../../sim/fake-https.ts';
import { createTestCa, type TestCa } from '../../../sim/test-ca.ts';
import { loadCrawlConfig } from '../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../crawler/net/context.ts';
import { createOwnershipNet } from '../../../registration/ownership-net.ts';
import { refreshOptOut } from '../../../registration/refresh-opt-out.ts';
import { listOptedOutDomains } from '../../../db/queries/registrations/list-opted-out-domains.ts';

let store: TestStore;
let dns: DnsServer;
let ca: TestCa;
let robotsHost: FakeServer;
let openHost: FakeServer;
let ctx: NetContext;

before(async () => {
  store = await openTestStore();
  ca = await createTestCa();
  robotsHost = await startFakeServer({ host: '127.60.3.1', port: 443, tls: await ca.issue(['robots-out.test']), routes: { '/robots.txt': text('User-agent: *\nDisallow: /private\n\nUser-agent: Chatlas\nDisallow: /\n') } });
  openHost = await startFakeServer({ host: '127.60.3.2', port: 443, tls: await ca.issue(['open.test']), routes: { '/robots.txt': text('User-agent: *\nDisallow: /\n') } });
  dns = await startDnsServer({ host: '127.60.3.53', zones: {
    '_chatlas.txt-out.test': { TXT: ['chatlas=opt-out'] },
    'robots-out.test': { A: ['127.60.3.1'] },
    'open.test': { A: ['127.60.3.2'] },
  } });
  ctx = createNetContext(loadCrawlConfig({ env: { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16', CHATLAS_DNS_TIMEOUT_MS: '500', CHATLAS_DNS_ATTEMPTS: '1' } }, { extraCaPems: [ca.caPem] }));
});

after(async () => {
  await ctx?.close();
  await robotsHost?.close();
  await openHost?.close();
  await dns?.close();
  await ca?.cleanup();
  await store?.cleanup();
});

test('a TXT record or a robots.txt group for Chatlas opts a domain out; removing the record lifts it', async () => {
  const net = createOwnershipNet(ctx);
  const t0 = new Date('2026-11-24T10:00:00Z');
  assert.deepEqual(await refreshOptOut(store.db, net, 'txt-out.test', t0, 2000), { dnsTxt: true, robots: null }, 'no web server: robots unknown, left alone');
  assert.deepEqual(await refreshOptOut(store.db, net, 'robots-out.test', t0, 2000), { dnsTxt: false, robots: true });
  assert.deepEqual(await refreshOptOut(store.db, net, 'open.test', t0, 2000), { dnsTxt: false, robots: false }, 'a * group is not an opt-out');
  assert.deepEqual(await listOptedOutDomains(store.db), ['robots-out.test', 'txt-out.test']);

  dns.remove('_chatlas.txt-out.test');
  await refreshOptOut(store.db, net, 'txt-out.test', new Date(t0.getTime() + 60_000), 2000);
  assert.deepEqual(await listOptedOutDomains(store.db), ['robots-out.test']);
  assert.ok(robotsHost.requests.some((r) => r.path === '/robots.txt' && /Chatlas/.test(String(r.headers['user-agent']))), 'fetched with our user agent');
});
