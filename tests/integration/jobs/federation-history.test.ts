/**
 * Five hourly passes over a simulated Matrix federation on 127.40.0.0/16,
 * across a day boundary, with an injected clock. Servers appear, vanish and
 * come back, flap, change version and software, get discovered, and one is
 * opted out. The stored history (server_snapshots) and the rollups
 * (server_daily_v1, software_daily_v1) must show each change exactly, and the
 * rollups must equal a recount from the raw snapshots.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDnsServer, type DnsServer } from '../../../sim/dns-server.ts';
import { startFakeServer, json, text, type FakeServer, type Handler } from '../../../sim/fake-https.ts';
import { createTestCa, type TestCa } from '../../../sim/test-ca.ts';
import { openTestStore, rows, type TestStore } from '../../harness/store.ts';
import { loadCrawlConfig } from '../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../crawler/net/context.ts';
import { runCrawlPass, type PassSummary } from '../../../jobs/crawl/crawl.ts';
import { DEFAULT_RESERVED_TLDS } from '../../../crawler/discover/domain-name.ts';
import { createSimMatrixProbe } from './sim-matrix-probe.ts';

const normalise = { reservedTlds: DEFAULT_RESERVED_TLDS.filter((t) => t !== 'test') };
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 10, 22); // passes at 22:00, 23:00 (day 1) and 00:00, 01:00, 02:00 (day 2)
const PASSES = 5;

/** What each host serves at each pass: S100 = Synapse 1.100.0, 500 = HTTP 500, nodns = no DNS record. */
type State = 'S100' | 'S101' | 'C050' | '500' | 'nodns';
const script: Record<string, State[]> = {
  'hs1.sim.test': ['S100', 'S100', 'S101', 'S101', 'S101'], // upgrades
  'hs2.sim.test': ['nodns', 'S100', 'S100', 'S100', 'S100'], // appears
  'hs3.sim.test': ['S100', 'nodns', 'nodns', 'nodns', 'S100'], // vanishes, comes back
  'hs4.sim.test': ['S100', '500', 'S100', '500', 'S100'], // flaps
  'hs5.sim.test': ['S100', 'S100', 'C050', 'C050', 'C050'], // changes software
  'hs6.sim.test': ['S100', 'S100', 'S100', 'S100', 'S100'], // opted out: must never be contacted
  'hs7.sim.test': ['S100', 'S100', 'S100', 'S100', 'S100'], // not seeded: discovered through a room alias on hs1
};
const seeded = ['hs1', 'hs2', 'hs3', 'hs4', 'hs5', 'hs6'].map((h) => ({ domain: `${h}.sim.test`, protocol: 'matrix' as const, source: 'test' }));
const addressOf = (domain: string) => `127.40.1.${Number(domain.slice(2, 3))}`;

let store: TestStore;
let dns: DnsServer;
let ca: TestCa;
const servers = new Map<string, FakeServer>();
const summaries: PassSummary[] = [];

function versionHandler(state: State): Handler {
  // Gone: no DNS record, and a client still holding a pooled connection gets it reset.
  if (state === 'nodns') return (req) => { req.socket.destroy(); };
  if (state === '500') return text('internal error', 500);
  const [name, version] = state === 'C050' ? ['conduwuit', '0.5.0'] : ['Synapse', state === 'S101' ? '1.101.0' : '1.100.0'];
  return json({ server: { name, version } });
}

function roomsOf(domain: string): unknown {
  return domain === 'hs1.sim.test'
    ? { chunk: [{ room_id: '!a:hs1.sim.test', canonical_alias: '#lobby:hs7.sim.test', name: 'Lobby', num_joined_members: 12 }] }
    : { chunk: [] };
}

function applyPass(pass: number): void {
  for (const [domain, states] of Object.entries(script)) {
    const state = states[pass]!;
    if (state === 'nodns') dns.remove(domain);
    else dns.set(domain, { A: [addressOf(domain)] });
    servers.get(domain)!.routes.set('/_matrix/federation/v1/version', versionHandler(state));
    servers.get(domain)!.routes.set('/_matrix/client/v3/publicRooms', state === 'nodns' ? versionHandler(state) : json(roomsOf(domain)));
  }
}

before(async () => {
  store = await openTestStore();
  ca = await createTestCa();
  dns = await startDnsServer({ host: '127.40.0.53' });
  for (const domain of Object.keys(script)) {
    const cert = await ca.issue([domain]);
    servers.set(domain, await startFakeServer({ host: addressOf(domain), port: 8448, tls: cert }));
  }
  const config = loadCrawlConfig({ env: { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16' } }, { extraCaPems: [ca.caPem] });
  // The owner of hs6 opted out (as jobs/registration writes it).
  await store.db.client.insert({ table: 'opt_outs', values: [{ domain: 'hs6.sim.test', source: 'registration', active: true, observed_at: T0 - HOUR }], format: 'JSONEachRow' });

  for (let pass = 0; pass < PASSES; pass++) {
    applyPass(pass);
    const now = new Date(T0 + pass * HOUR);
    // One network context per pass, as the scheduler does: no connection outlives its pass.
    const ctx: NetContext = createNetContext(config);
    try {
      const probe = createSimMatrixProbe(ctx);
      summaries.push(await runCrawlPass({ db: store.db, probe, seeds: seeded, clock: () => now }, { normalise, schedule: { jitter: 0 }, batchSize: 3, concurrency: 4 }));
    } finally {
      await ctx.close();
    }
  }
});

after(async () => {
  for (const s of servers.values()) await s.close();
  await dns?.close();
  await ca?.cleanup();
  await store?.cleanup();
});

/** Expected status of a server at a pass, or null when the schedule must skip it. */
const expected: Record<string, Array<string | null>> = {
  'hs1.sim.test': ['ok', 'ok', 'ok', 'ok', 'ok'],
  'hs2.sim.test': ['unreachable', 'ok', 'ok', 'ok', 'ok'],
  // 2 failures in a row: backoff 2h, so pass 4 skips it and pass 5 sees it back
  'hs3.sim.test': ['ok', 'unreachable', 'unreachable', null, 'ok'],
  'hs4.sim.test': ['ok', 'error', 'ok', 'error', 'ok'],
  'hs5.sim.test': ['ok', 'ok', 'ok', 'ok', 'ok'],
  'hs7.sim.test': ['ok', 'ok', 'ok', 'ok', 'ok'],
};

test('the stored history shows every appearance, outage, return, flap and change exactly', async () => {
  const got = await rows<{ domain: string; t: number; status: string; software: string; version: string }>(store.db,
    `SELECT domain, toUnixTimestamp64Milli(observed_at) AS t, status, software, version FROM server_snapshots ORDER BY domain, t`);
  const byDomain = new Map<string, Array<string | null>>();
  for (const r of got) {
    const list = byDomain.get(r.domain) ?? new Array<string | null>(PASSES).fill(null);
    const pass = (Number(r.t) - T0) / HOUR;
    assert.equal(list[pass], null, `${r.domain} has two snapshots at pass ${pass}`);
    list[pass] = r.status;
    byDomain.set(r.domain, list);
  }
  assert.deepEqual(Object.fromEntries(byDomain), expected);
  const versions = got.filter((r) => r.status === 'ok').map((r) => `${r.domain}@${(Number(r.t) - T0) / HOUR}=${r.software}/${r.version}`);
  assert.ok(versions.includes('hs1.sim.test@1=synapse/1.100.0') && versions.includes('hs1.sim.test@2=synapse/1.101.0'));
  assert.ok(versions.includes('hs5.sim.test@1=synapse/1.100.0') && versions.includes('hs5.sim.test@2=conduwuit/0.5.0'));
});

test('the opted-out server was never contacted, the discovered one was probed in the pass that found it', async () => {
  assert.equal(servers.get('hs6.sim.test')!.connections, 0);
  assert.equal(summaries[0]!.discoveredAccepted, 1);
  assert.equal(summaries[0]!.plan.lifecycles['opted-out'], 1);
  // Every later pass knows hs7 from the domains table: not "discovered" again.
  for (const s of summaries.slice(1)) assert.equal(s.discoveredAccepted, 0);
});

test('the lifecycle is visible in each plan', () => {
  // plan of pass 3 (index 2): hs3 and hs4 failing after pass 2, hs2 alive again
  assert.equal(summaries[2]!.plan.lifecycles.failing, 2);
  // pass 4: hs3 not due (2 failures: backoff 2h), everything else probed
  assert.equal(summaries[3]!.plan.notDue, 1);
  assert.equal(summaries[3]!.probed, 5);
  for (const s of summaries) assert.equal(s.state, 'done');
});

test('server_daily_v1 holds each server-day with its last state and probe count', async () => {
  const got = await rows<{ day: string; domain: string; probes: number; status: string; software: string; version: string }>(store.db,
    `SELECT toString(day) AS day, domain, sum(probes) AS probes, argMaxMerge(status) AS status, argMaxMerge(software) AS software, argMaxMerge(version) AS version
     FROM server_daily_v1 GROUP BY day, domain ORDER BY day, domain`);
  const shown = got.map((r) => `${r.day} ${r.domain} ${r.probes} ${r.status} ${r.software}/${r.version}`);
  assert.deepEqual(shown, [
    '2026-01-10 hs1.sim.test 2 ok synapse/1.100.0',
    '2026-01-10 hs2.sim.test 2 ok synapse/1.100.0',
    '2026-01-10 hs3.sim.test 2 unreachable unknown/',
    '2026-01-10 hs4.sim.test 2 error unknown/',
    '2026-01-10 hs5.sim.test 2 ok synapse/1.100.0',
    '2026-01-10 hs7.sim.test 2 ok synapse/1.100.0',
    '2026-01-11 hs1.sim.test 3 ok synapse/1.101.0',
    '2026-01-11 hs2.sim.test 3 ok synapse/1.100.0',
    '2026-01-11 hs3.sim.test 2 ok synapse/1.100.0',
    '2026-01-11 hs4.sim.test 3 ok synapse/1.100.0',
    '2026-01-11 hs5.sim.test 3 ok conduwuit/0.5.0',
    '2026-01-11 hs7.sim.test 3 ok synapse/1.100.0',
  ]);
});

test('software_daily_v1 counts each version per day exactly, and equals a recount from raw snapshots', async () => {
  const rollup = await rows<{ day: string; software: string; version: string; servers: number }>(store.db,
    `SELECT toString(day) AS day, software, version, uniqExactMerge(servers) AS servers FROM software_daily_v1
     GROUP BY day, software, version ORDER BY day, software, version`);
  assert.deepEqual(rollup.map((r) => `${r.day} ${r.software}/${r.version} ${r.servers}`), [
    '2026-01-10 synapse/1.100.0 6',
    '2026-01-11 conduwuit/0.5.0 1',
    '2026-01-11 synapse/1.100.0 4',
    '2026-01-11 synapse/1.101.0 1',
  ]);
  const raw = await rows<{ day: string; software: string; version: string; servers: number }>(store.db,
    `SELECT toString(toDate(observed_at)) AS day, software, version, uniqExact(domain) AS servers FROM server_snapshots
     WHERE status = 'ok' GROUP BY day, software, version ORDER BY day, software, version`);
  assert.deepEqual(rollup.map((r) => ({ ...r, servers: Number(r.servers) })), raw.map((r) => ({ ...r, servers: Number(r.servers) })));
});

test('every (pass, server) is marked done exactly once and every pass is recorded done', async () => {
  const dupes = await rows(store.db, `SELECT pass_id, domain, count() AS c FROM pass_progress GROUP BY pass_id, domain HAVING c != 1`);
  assert.deepEqual(dupes, []);
  const [pp] = await rows<{ c: number }>(store.db, `SELECT count() AS c FROM pass_progress`);
  const [ss] = await rows<{ c: number }>(store.db, `SELECT count() AS c FROM server_snapshots`);
  assert.equal(Number(pp!.c), Number(ss!.c));
  const passes = await rows<{ state: string; planned: number; done: number }>(store.db,
    `SELECT argMax(state, updated_at) AS state, argMax(planned, updated_at) AS planned, argMax(done, updated_at) AS done FROM passes GROUP BY pass_id`);
  assert.equal(passes.length, PASSES);
  for (const p of passes) assert.equal(p.state, 'done');
});
