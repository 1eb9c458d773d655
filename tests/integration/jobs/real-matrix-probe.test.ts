/**
 * The crawl loop with the REAL Matrix probe (crawler/probe/matrix.ts through
 * crawler/index.ts probeDomain) over a small simulated federation on
 * 127.40.2.0/24, three hourly passes: a server upgrades, one appears, one
 * answers HTTP 500 for an hour, one loses its DNS for an hour (unreachable, not
 * "not a server": it answered before), and both come back. The stored history and the
 * rollups show each change, and the rollups equal a recount from raw.
 * Responses follow Synapse's (federation `server.name` "Synapse", see
 * synapse/federation/transport/server/federation.py FederationVersionServlet).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDnsServer, type DnsServer } from '../../../sim/dns-server.ts';
import { startFakeServer, json, text, type FakeServer, type Handler } from '../../../sim/fake-https.ts';
import { createTestCa, type TestCa } from '../../../sim/test-ca.ts';
import { openTestStore, rows, type TestStore } from '../../harness/store.ts';
import { createNetContext, loadCrawlConfig, probeDomain } from '../../../crawler/index.ts';
import { runCrawlPass, type PassSummary } from '../../../jobs/crawl/crawl.ts';
import { DEFAULT_RESERVED_TLDS } from '../../../crawler/discover/domain-name.ts';

const normalise = { reservedTlds: DEFAULT_RESERVED_TLDS.filter((t) => t !== 'test') };
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 3, 1, 10);
type State = 'S100' | 'S101' | '500' | 'nodns';
const script: Record<string, State[]> = {
  'r1.real.test': ['S100', 'S101', 'S101'],
  'r2.real.test': ['nodns', 'S100', 'S100'],
  'r3.real.test': ['S100', '500', 'S100'],
  'r4.real.test': ['S100', 'nodns', 'S100'],
};
const addressOf = (d: string) => `127.40.2.${Number(d[1])}`;
let store: TestStore;
let dns: DnsServer;
let ca: TestCa;
const servers = new Map<string, FakeServer>();
const summaries: PassSummary[] = [];

const handler = (state: State): Handler => {
  if (state === 'nodns') return (req) => { req.socket.destroy(); };
  if (state === '500') return text('internal error', 500);
  return json({ server: { name: 'Synapse', version: state === 'S101' ? '1.101.0' : '1.100.0' } });
};

before(async () => {
  store = await openTestStore();
  ca = await createTestCa();
  dns = await startDnsServer({ host: '127.40.0.54' });
  for (const d of Object.keys(script)) servers.set(d, await startFakeServer({ host: addressOf(d), port: 8448, tls: await ca.issue([d]) }));
  const config = loadCrawlConfig({ env: { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16', CHATLAS_PROBE_TIMEOUT_MS: '20000' } }, { extraCaPems: [ca.caPem] });
  for (let pass = 0; pass < 3; pass++) {
    for (const [d, states] of Object.entries(script)) {
      const state = states[pass]!;
      if (state === 'nodns') dns.remove(d);
      else dns.set(d, { A: [addressOf(d)] });
      servers.get(d)!.routes.set('/_matrix/federation/v1/version', handler(state));
    }
    const net = createNetContext(config);
    try {
      const now = new Date(T0 + pass * HOUR);
      summaries.push(await runCrawlPass({
        db: store.db, seeds: Object.keys(script).map((domain) => ({ domain, protocol: 'matrix' as const, source: 'test' })),
        probe: (domain, protocol, o) => probeDomain(net, domain, protocol, o), clock: () => now,
      }, { normalise, schedule: { jitter: 0 }, concurrency: 3 }));
    } finally {
      await net.close();
    }
  }
});

after(async () => {
  for (const s of servers.values()) await s.close();
  await dns?.close();
  await ca?.cleanup();
  await store?.cleanup();
});

test('the real Matrix probe through the loop: history shows upgrade, appearance, outage and return', async () => {
  const got = await rows<{ domain: string; t: number; status: string; software: string; version: string }>(store.db,
    `SELECT domain, toUnixTimestamp64Milli(observed_at) AS t, status, software, version FROM server_snapshots ORDER BY domain, t`);
  const shown = got.map((r) => `${r.domain}@${(Number(r.t) - T0) / HOUR} ${r.status} ${r.status === 'ok' ? `${r.software}/${r.version}` : ''}`.trim());
  assert.deepEqual(shown, [
    'r1.real.test@0 ok synapse/1.100.0',
    'r1.real.test@1 ok synapse/1.101.0',
    'r1.real.test@2 ok synapse/1.101.0',
    // Never seen, no DNS: no sign of Matrix, not a server (issue 13 item 7).
    'r2.real.test@0 not-a-server',
    'r2.real.test@1 ok synapse/1.100.0',
    'r2.real.test@2 ok synapse/1.100.0',
    'r3.real.test@0 ok synapse/1.100.0',
    // TLS on 8448 answering HTTP 500: a Matrix server that is broken.
    'r3.real.test@1 error',
    'r3.real.test@2 ok synapse/1.100.0',
    'r4.real.test@0 ok synapse/1.100.0',
    // No sign now, but it answered an hour before: the loop keeps it as a server that is down.
    'r4.real.test@1 unreachable',
    'r4.real.test@2 ok synapse/1.100.0',
  ]);
  for (const s of summaries) assert.equal(s.probeFailures, 0);
});

test('with the real probe, rollups equal a recount from raw and each server is done once per pass', async () => {
  const rollup = await rows(store.db, `SELECT toString(day) AS d, software AS s, version AS v, toUInt64(uniqExactMerge(servers)) AS n FROM software_daily_v1 GROUP BY d, s, v ORDER BY d, s, v`);
  const raw = await rows(store.db, `SELECT toString(toDate(observed_at)) AS d, software AS s, version AS v, toUInt64(uniqExact(domain)) AS n FROM server_snapshots WHERE status = 'ok' GROUP BY d, s, v ORDER BY d, s, v`);
  assert.deepEqual(rollup, raw);
  assert.equal(rollup.length, 2);
  const dupes = await rows(store.db, `SELECT pass_id, domain, count() AS c FROM pass_progress GROUP BY pass_id, domain HAVING c != 1`);
  assert.deepEqual(dupes, []);
});
