/**
 * Opt-out without registration, enforced by the crawl (issue 7 item 2): a DNS
 * TXT record `_chatlas.<domain>` = `chatlas=opt-out`, or a robots.txt group for
 * Chatlas disallowing `/`, is enough. The domain is recorded as opted out,
 * no probe request reaches it (robots.txt is the only path read), and the
 * next plans leave it out. On 127.9.7.0/24, behind our own DNS server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { startDnsServer, type DnsServer } from '../../../sim/dns-server.ts';
import { createTestCa, type TestCa } from '../../../sim/test-ca.ts';
import { startFakeServer, text, type FakeServer } from '../../../sim/fake-https.ts';
import { matrixApiRoutes } from '../../../sim/matrix-federation.ts';
import { openTestStore, rows, type TestStore } from '../../harness/store.ts';
import { createCrawler, type Crawler } from '../../../jobs/runtime.ts';
import { listOptedOutDomains } from '../../../db/queries/registrations/list-opted-out-domains.ts';
import { runHousekeeping } from '../../../jobs/rollup/housekeeping.ts';
import { createOwnershipNet } from '../../../registration/ownership-net.ts';

let dns: DnsServer;
let ca: TestCa;
let store: TestStore;
let crawler: Crawler;
const hosts: Record<string, FakeServer[]> = {};

async function host(name: string, ip: string, extra: Record<string, ReturnType<typeof text>> = {}): Promise<void> {
  const cert = await ca.issue([name]);
  const tls = { certPem: cert.certPem, keyPem: cert.keyPem };
  const routes = { ...matrixApiRoutes({ serverName: name }), ...extra };
  hosts[name] = [
    await startFakeServer({ host: ip, port: 443, tls, routes }),
    await startFakeServer({ host: ip, port: 8448, tls, routes }),
  ];
}

before(async () => {
  ca = await createTestCa();
  dns = await startDnsServer({
    host: '127.9.7.53',
    zones: {
      'txt-out.test': { A: ['127.9.7.1'] },
      '_chatlas.txt-out.test': { TXT: ['chatlas=opt-out'] },
      'robots-out.test': { A: ['127.9.7.2'] },
      'listed.test': { A: ['127.9.7.3'] },
      // A TXT record with another value is not an opt-out.
      '_chatlas.listed.test': { TXT: ['chatlas=hello'] },
      'robots-once.test': { A: ['127.9.7.4'] },
    },
  });
  await host('txt-out.test', '127.9.7.1');
  await host('robots-out.test', '127.9.7.2', { '/robots.txt': text('User-agent: Chatlas\nDisallow: /\n') });
  await host('listed.test', '127.9.7.3', { '/robots.txt': text('User-agent: *\nDisallow: /private\n') });
  await host('robots-once.test', '127.9.7.4', { '/robots.txt': text('User-agent: *\nDisallow: /private\n') });
  store = await openTestStore();
  crawler = createCrawler({
    db: store.db,
    logger: pino({ level: 'silent' }),
    sources: { env: { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_SHIPPED_SEEDS: 'off', CHATLAS_ALLOW_TLDS: 'test', CHATLAS_STEP_TIMEOUT_MS: '3000' } },
    overrides: { extraCaPems: [ca.caPem] },
    extraSeeds: ['txt-out.test', 'robots-out.test', 'listed.test'].map((domain) => ({ domain, protocol: 'matrix' as const, source: 'test' })),
  });
});

after(async () => {
  await crawler?.close();
  await store?.cleanup();
  for (const list of Object.values(hosts)) for (const s of list) await s.close();
  await dns?.close();
  await ca?.cleanup();
});

test('TXT and robots.txt opt-outs are honoured before any probe request; others are probed', async () => {
  const summary = await crawler.runPass();
  assert.equal(summary.state, 'done');
  const snaps = await rows<{ domain: string; status: string }>(store.db, 'SELECT domain, status FROM servers_latest FINAL ORDER BY domain');
  assert.deepEqual(snaps, [
    { domain: 'listed.test', status: 'ok' },
    { domain: 'robots-out.test', status: 'opted-out' },
    { domain: 'txt-out.test', status: 'opted-out' },
  ]);
  // Only robots.txt was read from the opted-out domains: no Matrix API request reached them.
  for (const name of ['txt-out.test', 'robots-out.test']) {
    const paths = hosts[name]!.flatMap((s) => s.requests.map((r) => r.path));
    assert.deepEqual([...new Set(paths)], ['/robots.txt'], name);
  }
  assert.ok(hosts['listed.test']!.some((s) => s.requests.some((r) => r.path === '/_matrix/federation/v1/version')));
  assert.deepEqual(await listOptedOutDomains(store.db), ['robots-out.test', 'txt-out.test']);
  // Only opt-outs are written: a domain without one adds no row per pass.
  const [listed] = await rows<{ n: string }>(store.db, "SELECT count() AS n FROM opt_outs WHERE domain = 'listed.test'");
  assert.equal(Number(listed!.n), 0);
});

test('opted-out domains are left out of the next plans, until the record is removed', async () => {
  const next = await crawler.runPass();
  assert.equal(next.plan.lifecycles['opted-out'], 2);
  assert.ok(!next.byStatus['opted-out'], 'no new opted-out probe rows');
  // The operator removes the TXT record; housekeeping looks again and lifts the opt-out.
  dns.remove('_chatlas.txt-out.test');
  const round = await runHousekeeping({ db: store.db, net: createOwnershipNet(crawler.net) });
  const { roomsCompactedMs, ...rest } = round;
  assert.deepEqual(rest, { expired: 0, optOutsChecked: 2, optOutsLifted: 1 });
  assert.ok(roomsCompactedMs >= 0, 'the room table was compacted');
  assert.deepEqual(await listOptedOutDomains(store.db), ['robots-out.test']);
  const lifted = await crawler.runPass({ only: ['txt-out.test'] });
  assert.deepEqual(lifted.byStatus, { ok: 1 });
});

test('one pass of one domain reads https://<domain>/robots.txt once: the probe reuses the gate\'s fetch', async () => {
  const summary = await crawler.runPass({ only: ['robots-once.test'] });
  assert.equal(summary.byStatus['ok'], 1, 'the Matrix probe went through (robots.txt allows it)');
  const [web, federation] = hosts['robots-once.test']!;
  const robots = (s: FakeServer) => s.requests.filter((r) => r.path === '/robots.txt').length;
  // The gate's read of https://robots-once.test/robots.txt is the client API origin's too.
  assert.equal(robots(web!), 1);
  assert.ok(web!.requests.some((r) => r.path.startsWith('/_matrix/client/')), 'the client API was probed on this origin');
  // The federation port is another origin (RFC 9309 §2.3: per scheme, host and port): its own file, read once.
  assert.equal(robots(federation!), 1);
});
