/**
 * Issue 12 item 6, end to end over a real chdb store: a homeserver on
 * 127.24.0.1 (sim/matrix-federation.ts) reports `<img src=x onerror=alert(1)>`
 * as its software name and an HTML version string. probeMatrix identifies it,
 * insertProbeResults writes it, and then the software pages' queries show no
 * implementation made of the payload (a lab once saw `img srcx onerroralerteta`
 * listed), while the server page's view keeps the raw string, which the page
 * renders as text (Astro escapes expressions; tests/e2e/site checks it in a browser).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loadCrawlConfig } from '../../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../../crawler/net/context.ts';
import { probeMatrix } from '../../../../crawler/probe/matrix.ts';
import type { ProbeResult } from '../../../../crawler/types.ts';
import { insertProbeResults } from '../../../../db/queries/observations/insert-probe-results.ts';
import { getSoftwareComparison } from '../../../../db/queries/software/get-software-comparison.ts';
import { getSoftwareSeries } from '../../../../db/queries/software/get-software-series.ts';
import { getVersionSeries } from '../../../../db/queries/software/get-version-series.ts';
import { loadServer } from '../../../../site/lib/pages/load-server.ts';
import { softwareName } from '../../../../site/lib/software-names.ts';
import { startDnsServer, type DnsServer } from '../../../../sim/dns-server.ts';
import { createTestCa, type TestCa } from '../../../../sim/test-ca.ts';
import { matrixApiRoutes, startHomeserver, type FakeHomeserver } from '../../../../sim/matrix-federation.ts';
import { openTestStore, type TestStore } from '../../../harness/store.ts';

const PAYLOAD = '<img src=x onerror=alert(1)>';
const VERSION = '<b>6.6.6</b>';
const HOSTILE = 'payload.test';
const PLAIN = 'synapse.test';

let ca: TestCa;
let dns: DnsServer;
let ctx: NetContext;
let store: TestStore;
const hosts: FakeHomeserver[] = [];
const results: ProbeResult[] = [];
const day = new Date().toISOString().slice(0, 10);

before(async () => {
  ca = await createTestCa();
  dns = await startDnsServer({ host: '127.24.0.53', zones: { [HOSTILE]: { A: ['127.24.0.1'] }, [PLAIN]: { A: ['127.24.0.2'] } } });
  for (const [name, ip, software] of [[HOSTILE, '127.24.0.1', { name: PAYLOAD, version: VERSION }], [PLAIN, '127.24.0.2', { name: 'Synapse', version: '1.163.2' }]] as const) {
    const routes = matrixApiRoutes({ serverName: name, software });
    hosts.push(await startHomeserver(ca, ip, [name], { 8448: routes, 443: routes }));
  }
  ctx = createNetContext(loadCrawlConfig({ env: { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16' } }, { extraCaPems: [ca.caPem] }));
  for (const domain of [HOSTILE, PLAIN]) results.push(await probeMatrix(ctx, domain, { passId: randomUUID() }));
  store = await openTestStore();
  await insertProbeResults(store.db, results);
});

after(async () => {
  await ctx?.close();
  await Promise.all(hosts.map((h) => h.close()));
  await dns?.close();
  await ca?.cleanup();
  await store?.cleanup();
});

test('the probe stores the server as unrecognised software, its raw name and version only in the report and version_raw', () => {
  const s = results[0]!.snapshot;
  assert.equal(s.status, 'ok', s.error);
  assert.deepEqual([s.software, s.versionRaw, s.version], ['unrecognised', VERSION, '']);
  assert.ok(s.report.some((r) => r.level === 'info' && r.message.includes(JSON.stringify(PAYLOAD))), JSON.stringify(s.report));
});

test('no software entry is made of the payload: the comparison, the share series and the version series', async () => {
  const rows = await getSoftwareComparison(store.db);
  assert.deepEqual(rows.map((r) => [r.protocol, r.software, r.servers]), [['matrix', 'synapse', 1], ['matrix', 'unrecognised', 1]]);
  const series = await getSoftwareSeries(store.db, { from: day, to: day });
  assert.deepEqual(series.map((p) => p.software).sort(), ['synapse', 'unrecognised']);
  const stored = await store.db.client.query({ query: 'SELECT DISTINCT software FROM server_snapshots ORDER BY software', format: 'JSONEachRow' });
  assert.deepEqual(await stored.json(), [{ software: 'synapse' }, { software: 'unrecognised' }]);
  assert.deepEqual((await getVersionSeries(store.db, { software: 'unrecognised', from: day, to: day })).map((p) => [p.version, p.servers]), [['', 1]]);
  for (const name of rows.map((r) => softwareName(r.software))) assert.ok(!/img|onerror|alert/i.test(name), name);
});

test('the server page shows "Unrecognised" and keeps the raw string for its report', async () => {
  const page = await loadServer(store.db, new URL(`http://chatlas.test/servers/${HOSTILE}`), HOSTILE, new Date());
  assert.equal(page.kind, 'ok');
  if (page.kind !== 'ok') return;
  const section = page.view.sections[0]!;
  assert.equal(section.detail.latest.software, 'unrecognised');
  assert.equal(softwareName(section.detail.latest.software), 'Unrecognised');
  assert.equal(section.detail.latest.version_raw, VERSION);
  // The finding carries the raw string as text; the page renders findings through Astro expressions.
  const texts = section.findings.map((f) => `${f.title} ${f.detail}`);
  assert.ok(texts.some((t) => t.includes(`"${PAYLOAD}"`)), texts.join('\n'));
});
