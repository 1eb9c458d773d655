/**
 * Count only what runs a protocol (issue 13 item 7): two hourly passes of the crawl loop with the
 * REAL probes over a small simulated federation on 127.47.0.0/16, every domain seeded without a
 * protocol, so each is probed as both. Three real Dendrite servers once appeared as six servers,
 * three of them "XMPP, uptime 0%"; here:
 * - mx1.test and mx2.test run Matrix only (no XMPP SRV, nothing on 5222): not-a-server for XMPP,
 *   counted once; mx2 loses its DNS in the second pass: unreachable (it answered before), still counted;
 * - the XMPP domains of sim/sim-xmpp.ts (one down behind its SRV records: unreachable, counted) have no
 *   Matrix: not-a-server for Matrix;
 * - web.test serves a web site and runs neither: in no count, list, export or page.
 * The network totals, their rollup, /servers, the export and the server page agree, and the
 * reachability share is reachable / servers that run the protocol.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDnsServer, type DnsServer, type Zones } from '../../../sim/dns-server.ts';
import { startFakeServer, type FakeServer } from '../../../sim/fake-https.ts';
import { createTestCa, type TestCa } from '../../../sim/test-ca.ts';
import { matrixApiRoutes } from '../../../sim/matrix-federation.ts';
import { startSimXmpp, type SimXmpp } from '../../../sim/sim-xmpp.ts';
import { openTestStore, rows, type TestStore } from '../../harness/store.ts';
import { loadCrawlConfig } from '../../../crawler/config.ts';
import { createNetContext } from '../../../crawler/net/context.ts';
import { probeDomain } from '../../../crawler/index.ts';
import { runCrawlPass } from '../../../jobs/crawl/crawl.ts';
import { DEFAULT_RESERVED_TLDS } from '../../../crawler/discover/domain-name.ts';
import { getNetworkSeries } from '../../../db/queries/stats/get-network-series.ts';
import { planNetworkCells } from '../../../db/queries/stats/plan-network-cells.ts';
import { runNetworkRollup } from '../../../jobs/rollup/network-rollup.ts';
import { listServers } from '../../../db/queries/servers/list-servers.ts';
import { streamServersExport } from '../../../db/queries/export/stream-servers-export.ts';
import { getServer } from '../../../db/queries/servers/get-server.ts';
import { getSoftwareComparison } from '../../../db/queries/software/get-software-comparison.ts';
import { loadServer } from '../../../site/lib/pages/load-server.ts';

const normalise = { reservedTlds: DEFAULT_RESERVED_TLDS.filter((t) => t !== 'test') };
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 2, 10);
const DAY = '2026-03-02';
const MATRIX: Record<string, string> = { 'mx1.test': '127.47.1.1', 'mx2.test': '127.47.1.2' };
const WEB = { name: 'web.test', address: '127.47.1.3' };

let store: TestStore;
let dns: DnsServer;
let ca: TestCa;
let xmpp: SimXmpp;
const servers: FakeServer[] = [];

before(async () => {
  store = await openTestStore();
  ca = await createTestCa();
  const zones: Zones = {};
  for (const [name, address] of Object.entries(MATRIX)) {
    zones[name] = { A: [address] };
    const cert = await ca.issue([name]);
    // The usual set-up: federation on 8448, the client API behind the web server on 443.
    const routes = matrixApiRoutes({ serverName: name, software: { name: 'Dendrite', version: '0.15.2' } });
    for (const port of [8448, 443]) servers.push(await startFakeServer({ host: address, port, tls: cert, routes }));
  }
  zones[WEB.name] = { A: [WEB.address] };
  servers.push(await startFakeServer({ host: WEB.address, port: 443, tls: await ca.issue([WEB.name]), routes: {} }));
  xmpp = await startSimXmpp({ prefix: '127.47', ca, zones });
  dns = await startDnsServer({ host: '127.47.0.53', zones });
  const config = loadCrawlConfig({ env: { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.47.0.0/16', CHATLAS_PROBE_TIMEOUT_MS: '20000' } }, { extraCaPems: [ca.caPem] });
  const seeds = [...Object.keys(MATRIX), WEB.name, ...xmpp.domains].map((domain) => ({ domain, protocol: null, source: 'test' }));
  for (let pass = 0; pass < 2; pass++) {
    // mx2.test vanishes from DNS in the second pass.
    if (pass === 1) dns.remove('mx2.test');
    const net = createNetContext(config);
    try {
      const now = new Date(T0 + pass * HOUR);
      await runCrawlPass({ db: store.db, seeds, probe: (domain, protocol, o) => probeDomain(net, domain, protocol, o), clock: () => now }, { normalise, schedule: { jitter: 0 }, concurrency: 4 });
    } finally {
      await net.close();
    }
  }
});

after(async () => {
  for (const s of servers) await s.close();
  await xmpp?.close();
  await dns?.close();
  await ca?.cleanup();
  await store?.cleanup();
});

/** The XMPP domains that run XMPP: every simulated one (oscar.test is down behind its SRV records). */
const xmppServers = (): string[] => [...xmpp.domains].sort();

test('each domain is a server only of the protocol it runs; one that answered before stays a server when it vanishes', async () => {
  const got = await rows<{ domain: string; protocol: string; t: number; status: string }>(store.db,
    `SELECT domain, protocol, toUnixTimestamp64Milli(observed_at) AS t, status FROM server_snapshots ORDER BY domain, protocol, t`);
  const at = (pass: number) => Object.fromEntries(got.filter((r) => Number(r.t) === T0 + pass * HOUR).map((r) => [`${r.protocol}:${r.domain}`, r.status]));
  const first = at(0);
  assert.equal(first['matrix:mx1.test'], 'ok');
  assert.equal(first['matrix:mx2.test'], 'ok');
  assert.equal(first['xmpp:mx1.test'], 'not-a-server');
  assert.equal(first['xmpp:mx2.test'], 'not-a-server');
  assert.equal(first['matrix:web.test'], 'not-a-server');
  assert.equal(first['xmpp:web.test'], 'not-a-server');
  for (const d of xmpp.domains) {
    assert.equal(first[`matrix:${d}`], 'not-a-server', d);
    assert.equal(first[`xmpp:${d}`], d === 'oscar.test' ? 'unreachable' : 'ok', d);
  }
  // An hour later: mx2.test has no DNS, no sign of Matrix, but it answered in the first pass.
  assert.equal(at(1)['matrix:mx2.test'], 'unreachable');
  assert.equal(at(1)['matrix:mx1.test'], 'ok');
});

test('the network totals count each server once, and reachability is over the servers that run the protocol', async () => {
  const points = await getNetworkSeries(store.db, { from: DAY, to: DAY });
  const matrix = points.find((p) => p.protocol === 'matrix')!;
  const x = points.find((p) => p.protocol === 'xmpp')!;
  // Matrix: mx1 and mx2 (down at its last probe of the day); no XMPP domain, no web.test.
  assert.deepEqual([matrix.probed, matrix.reachable], [2, 1]);
  assert.deepEqual([x.probed, x.reachable], [xmppServers().length, xmppServers().length - 1]);
  // The same shares from the raw snapshots: each server's last state of the day, status not-a-server left out.
  const recount = await rows<{ protocol: string; servers: number; reachable: number }>(store.db, `
    SELECT protocol, count() AS servers, countIf(status = 'ok') AS reachable
    FROM (SELECT protocol, domain, argMax(status, observed_at) AS status FROM server_snapshots GROUP BY protocol, domain)
    WHERE status != 'not-a-server' GROUP BY protocol ORDER BY protocol`);
  assert.deepEqual(recount.map((r) => [r.protocol, Number(r.reachable) / Number(r.servers)]), [['matrix', matrix.reachable / matrix.probed], ['xmpp', x.reachable / x.probed]]);

  // Once the day is closed, the rollup holds it and answers the same.
  const rolled = await runNetworkRollup(store.db, new Date(T0 + 2 * 24 * HOUR));
  assert.equal(rolled.day.written, 2);
  const plan = await planNetworkCells(store.db, { from: DAY, to: DAY });
  assert.ok(plan.buckets.every((b) => b.useStored), 'the closed day is read from network_buckets_v1');
  assert.deepEqual(await getNetworkSeries(store.db, { from: DAY, to: DAY }), points);
});

test('/servers lists mx1 and mx2 only as Matrix, the XMPP domains only as XMPP, web.test nowhere', async () => {
  const all = await listServers(store.db, { sort: 'domain', limit: 100 });
  assert.deepEqual(all.rows.map((r) => `${r.protocol}:${r.domain}`).sort(), [...Object.keys(MATRIX).map((d) => `matrix:${d}`), ...xmppServers().map((d) => `xmpp:${d}`)].sort());
  assert.equal(all.total, 2 + xmppServers().length);
  const onlyXmpp = await listServers(store.db, { protocol: 'xmpp', health: 'down', limit: 100 });
  assert.deepEqual(onlyXmpp.rows.map((r) => r.domain), ['oscar.test'], 'down means down, not "runs something else"');
});

test('the export holds no XMPP row for a Matrix-only domain', async () => {
  const exported: string[] = [];
  for await (const r of streamServersExport(store.db)) exported.push(`${r.protocol}:${r.domain}`);
  assert.deepEqual(exported.filter((k) => k.startsWith('xmpp:')), xmppServers().map((d) => `xmpp:${d}`));
  assert.deepEqual(exported.filter((k) => k.startsWith('matrix:')), ['matrix:mx1.test', 'matrix:mx2.test']);
});

test('the server page of a Matrix-only domain has only its Matrix section; a domain that runs neither is a 404', async () => {
  assert.deepEqual((await getServer(store.db, { domain: 'mx1.test' })).map((d) => d.protocol), ['matrix']);
  const page = await loadServer(store.db, new URL('http://chatlas.test/servers/mx1.test'), 'mx1.test', new Date(T0 + 2 * HOUR));
  assert.equal(page.kind, 'ok');
  if (page.kind === 'ok') assert.deepEqual(page.view.sections.map((s) => s.detail.protocol), ['matrix']);
  assert.deepEqual((await getServer(store.db, { domain: 'kilo.test' })).map((d) => d.protocol), ['xmpp']);
  assert.deepEqual(await getServer(store.db, { domain: WEB.name }), []);
  assert.equal((await loadServer(store.db, new URL('http://chatlas.test/servers/web.test'), WEB.name, new Date(T0 + 2 * HOUR))).kind, 'not-found');
});

test('the software comparison counts Dendrite on its two Matrix servers, never under XMPP', async () => {
  const dendrite = (await getSoftwareComparison(store.db, { protocol: 'matrix' })).find((r) => r.software === 'dendrite');
  assert.deepEqual([dendrite?.servers, dendrite?.reachable], [2, 1]);
  assert.ok(!(await getSoftwareComparison(store.db, { protocol: 'xmpp' })).some((r) => r.software === 'dendrite'));
});
