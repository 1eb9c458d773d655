/**
 * Issue 11 item 6, end to end over a real chdb store: what federates without
 * being a homeserver. Simulated servers on 127.23.0.0/16 answer
 * /_matrix/federation/v1/version with the strings their sources produce
 * (tests/fixtures/matrix-federation-version, SOURCE.md): ejabberd's gateway
 * (`ejabberd/mod_matrix_gw` 0.1, federation endpoints only, as
 * src/mod_matrix_gw.erl serves them), MRS (`MatrixRoomsSearch` v0.0.0) and a
 * Synapse. Beside them, an ejabberd XMPP server's snapshot. probeMatrix
 * identifies them, insertProbeResults writes them, and the software pages,
 * the overview and one software's page count only Synapse among the Matrix
 * homeservers, list the gateway and the directory apart, and keep ejabberd's
 * versions its XMPP servers'.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loadCrawlConfig } from '../../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../../crawler/net/context.ts';
import { probeMatrix } from '../../../../crawler/probe/matrix.ts';
import type { ProbeResult } from '../../../../crawler/types.ts';
import { insertProbeResults } from '../../../../db/queries/observations/insert-probe-results.ts';
import { loadSoftwareIndex } from '../../../../site/lib/pages/load-software-index.ts';
import { loadSoftware } from '../../../../site/lib/pages/load-software.ts';
import { loadOverview } from '../../../../site/lib/pages/load-overview.ts';
import { startDnsServer, type DnsServer } from '../../../../sim/dns-server.ts';
import { createTestCa, type TestCa } from '../../../../sim/test-ca.ts';
import { matrixApiRoutes, startHomeserver, type FakeHomeserver } from '../../../../sim/matrix-federation.ts';
import { openTestStore, type TestStore } from '../../../harness/store.ts';
import { result, snap } from '../../db/queries/store.ts';

const GATEWAY = 'gw.test';
const MRS = 'mrs.test';
const SYNAPSE = 'synapse.test';

let ca: TestCa;
let dns: DnsServer;
let ctx: NetContext;
let store: TestStore;
const hosts: FakeHomeserver[] = [];
const probed = new Map<string, ProbeResult>();
const now = new Date();

before(async () => {
  ca = await createTestCa();
  dns = await startDnsServer({
    host: '127.23.0.53',
    zones: { [GATEWAY]: { A: ['127.23.0.1'] }, [MRS]: { A: ['127.23.0.2'] }, [SYNAPSE]: { A: ['127.23.0.3'] } },
  });
  // mod_matrix_gw answers the federation API only (its request handler is mounted at /_matrix on 8448): no client API.
  const gw = matrixApiRoutes({ serverName: GATEWAY, software: { name: 'ejabberd/mod_matrix_gw', version: '0.1' } });
  hosts.push(await startHomeserver(ca, '127.23.0.1', [GATEWAY], {
    8448: { '/_matrix/federation/v1/version': gw['/_matrix/federation/v1/version']!, '/_matrix/key/v2/server': gw['/_matrix/key/v2/server']! },
  }));
  const mrs = matrixApiRoutes({ serverName: MRS, software: { name: 'MatrixRoomsSearch', version: 'v0.0.0' } });
  hosts.push(await startHomeserver(ca, '127.23.0.2', [MRS], { 8448: mrs, 443: mrs }));
  const synapse = matrixApiRoutes({ serverName: SYNAPSE, software: { name: 'Synapse', version: '1.163.2' } });
  hosts.push(await startHomeserver(ca, '127.23.0.3', [SYNAPSE], { 8448: synapse, 443: synapse }));
  ctx = createNetContext(loadCrawlConfig({
    env: { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16', CHATLAS_STEP_TIMEOUT_MS: '3000', CHATLAS_CONNECT_TIMEOUT_MS: '2000' },
  }, { extraCaPems: [ca.caPem] }));
  for (const domain of [GATEWAY, MRS, SYNAPSE]) probed.set(domain, await probeMatrix(ctx, domain, { passId: randomUUID(), now }));
  store = await openTestStore();
  // ejabberd's own XMPP server, as the XMPP probe stores it (its version is ejabberd's, not the gateway module's).
  const xmpp = result(snap('xmpp.test', 'xmpp', now.toISOString(), { software: 'ejabberd', versionRaw: '24.12', version: '24.12.0' }));
  await insertProbeResults(store.db, [...probed.values(), xmpp]);
});

after(async () => {
  await ctx?.close();
  await Promise.all(hosts.map((h) => h.close()));
  await dns?.close();
  await ca?.cleanup();
  await store?.cleanup();
});

test('the probe recognises the gateway as ejabberd and MRS as mrs, and its report says neither is a homeserver', () => {
  const gw = probed.get(GATEWAY)!.snapshot;
  assert.equal(gw.status, 'ok', gw.error);
  assert.deepEqual([gw.software, gw.versionRaw], ['ejabberd', '0.1']);
  assert.ok(gw.report.some((r) => r.level === 'info' && /"ejabberd\/mod_matrix_gw".*not a Matrix homeserver/.test(r.message)), JSON.stringify(gw.report));
  const mrs = probed.get(MRS)!.snapshot;
  assert.deepEqual([mrs.status, mrs.software, mrs.versionRaw], ['ok', 'mrs', 'v0.0.0']);
  assert.ok(mrs.report.some((r) => /"MatrixRoomsSearch".*room directory, not a homeserver/.test(r.message)), JSON.stringify(mrs.report));
  const synapse = probed.get(SYNAPSE)!.snapshot;
  assert.equal(synapse.software, 'synapse');
  assert.ok(!synapse.report.some((r) => /not a homeserver/.test(r.message)));
});

test('/software: Synapse alone among the Matrix homeservers and their share; the gateway and MRS listed apart', async () => {
  const page = await loadSoftwareIndex(store.db, new URL('http://chatlas.test/software?range=30d'), now);
  assert.equal(page.kind, 'ok');
  if (page.kind !== 'ok') return;
  const v = page.view;
  assert.deepEqual(v.comparison.matrix.map((r) => [r.software, r.servers]), [['synapse', 1]]);
  assert.deepEqual(v.comparison.xmpp.map((r) => [r.software, r.servers]), [['ejabberd', 1]]);
  assert.deepEqual(v.others.map((r) => [r.protocol, r.software, r.role, r.servers]).sort(), [['matrix', 'ejabberd', 'gateway', 1], ['matrix', 'mrs', 'directory', 1]]);
  const matrixShare = v.charts.find((c) => c.id === 'share-matrix')!;
  assert.deepEqual(matrixShare.spec.datasets.map((d) => [d.label, d.data.at(-1)]), [['Synapse', 100]]);
  assert.ok(!v.registration.matrix.rows.some((r) => r.software === 'ejabberd' || r.software === 'mrs'), JSON.stringify(v.registration.matrix));
});

test('the overview: the Matrix homeserver share counts Synapse only and says what it left out', async () => {
  const page = await loadOverview(store.db, new URL('http://chatlas.test/?range=30d'), now);
  assert.equal(page.kind, 'ok');
  if (page.kind !== 'ok') return;
  const today = page.view.shares.find((s) => s.id === 'share-matrix')!;
  assert.deepEqual(today.spec.labels, ['Synapse']);
  assert.match(today.source, /^1 reachable servers .*; 2 gateways and room directories not counted\.$/);
  const series = page.view.shares.find((s) => s.id === 'share-series-matrix')!;
  assert.deepEqual(series.spec.datasets.map((d) => d.label), ['Synapse']);
});

test('/software/ejabberd: the Matrix row says gateway, and the versions are its XMPP servers\' only', async () => {
  const page = await loadSoftware(store.db, new URL('http://chatlas.test/software/ejabberd?range=30d'), 'ejabberd', now);
  assert.equal(page.kind, 'ok');
  if (page.kind !== 'ok') return;
  assert.deepEqual(page.view.rows.map((r) => [r.protocol, r.role]).sort(), [['matrix', 'Matrix gateway, not a homeserver'], ['xmpp', null]]);
  assert.deepEqual(page.view.chart.spec.datasets.map((d) => d.label), ['24.12.0']);
  assert.match(page.view.chart.source, /\(XMPP only\)/);
});
