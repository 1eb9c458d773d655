/**
 * The store suite: runs on the embedded engine, and on a ClickHouse server
 * whenever CLICKHOUSE_URL is set (fresh database per run).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { migrate } from '../../../db/migrate.ts';
import { insertProbeResults } from '../../../db/queries/observations/insert-probe-results.ts';
import { openTestStore, rows, type TestStore } from '../../harness/store.ts';
import { syntheticNetwork } from '../../harness/synthetic.ts';
import { runNetworkRollup } from '../../../jobs/rollup/network-rollup.ts';
import type { ProbeResult } from '../../../crawler/types.ts';

let store: TestStore;
before(async () => { store = await openTestStore(); });
after(async () => { await store?.cleanup(); });

function probe(domain: string, at: string, software: string, version: string, status: 'ok' | 'unreachable' = 'ok', passId = crypto.randomUUID()): ProbeResult {
  const observedAt = new Date(at);
  return {
    snapshot: {
      passId, domain, protocol: 'matrix', observedAt, status, software, versionRaw: version, version, registration: 'closed',
      features: ['m.login.password'], specVersions: ['v1.11'], tls: null, dnssec: null, dane: null, ipv4: true, ipv6: false,
      publicRooms: 0, publicMembers: 0, users: null, endpoint: '', error: status === 'ok' ? '' : 'down', report: [],
    },
    observations: [{ passId, domain, protocol: 'matrix', step: 'matrix.federation-version', observedAt, outcome: status === 'ok' ? 'ok' : 'net.connect-timeout', durationMs: 5, facts: { software, version }, raw: `{"server":{"name":"${software}","version":"${version}"}}`, error: '' }],
    rooms: [],
    discoveries: [],
  };
}

test('migrate is idempotent: a second run applies nothing', async () => {
  const again = await migrate(store.db);
  assert.deepEqual(again.applied, []);
  assert.ok(again.alreadyApplied >= 6);
});

test('latest state is derived by the database, newest observation wins', async () => {
  await insertProbeResults(store.db, [probe('latest.test', '2026-01-01T10:00:00Z', 'synapse', '1.100.0')]);
  await insertProbeResults(store.db, [probe('latest.test', '2026-01-02T10:00:00Z', 'dendrite', '0.15.0')]);
  await insertProbeResults(store.db, [probe('latest.test', '2026-01-01T12:00:00Z', 'conduit', '0.9.0')]);
  const [latest] = await rows<{ software: string; version: string }>(store.db, "SELECT software, version FROM servers_latest FINAL WHERE domain = 'latest.test'");
  assert.deepEqual(latest, { software: 'dendrite', version: '0.15.0' });
  const [lastOk] = await rows<{ n: string }>(store.db, "SELECT count() AS n FROM server_snapshots WHERE domain = 'latest.test'");
  assert.equal(Number(lastOk!.n), 3);
});

test('last good state survives a failure', async () => {
  await insertProbeResults(store.db, [probe('flaky.test', '2026-01-05T10:00:00Z', 'synapse', '1.150.0')]);
  await insertProbeResults(store.db, [probe('flaky.test', '2026-01-06T10:00:00Z', 'unknown', '', 'unreachable')]);
  const [latest] = await rows<{ status: string }>(store.db, "SELECT status FROM servers_latest FINAL WHERE domain = 'flaky.test'");
  const [ok] = await rows<{ software: string }>(store.db, "SELECT software FROM servers_last_ok FINAL WHERE domain = 'flaky.test'");
  assert.equal(latest!.status, 'unreachable');
  assert.equal(ok!.software, 'synapse');
});

test('daily rollup: a server that changed software within a day counts once, with its last state', async () => {
  await insertProbeResults(store.db, [probe('switch.test', '2026-02-01T01:00:00Z', 'synapse', '1.1.0')]);
  await insertProbeResults(store.db, [probe('switch.test', '2026-02-01T23:00:00Z', 'conduwuit', '0.5.0')]);
  const daily = await rows<{ software: string; n: string }>(store.db, `
    SELECT software, count() AS n FROM (
      SELECT domain, argMaxMerge(software) AS software FROM server_daily_v1
      WHERE day = '2026-02-01' AND domain = 'switch.test' GROUP BY domain
    ) GROUP BY software`);
  assert.deepEqual(daily.map((r) => [r.software, Number(r.n)]), [['conduwuit', 1]]);
});

test('a retried batch is dropped, in the source tables and in the rollups', async () => {
  const batch = [probe('retry.test', '2026-03-01T10:00:00Z', 'synapse', '1.2.3')];
  await insertProbeResults(store.db, batch);
  await insertProbeResults(store.db, batch);
  const [obs] = await rows<{ n: string }>(store.db, "SELECT count() AS n FROM observations WHERE domain = 'retry.test'");
  const [daily] = await rows<{ p: string }>(store.db, "SELECT sum(probes) AS p FROM server_daily_v1 WHERE domain = 'retry.test'");
  assert.equal(Number(obs!.n), 1);
  assert.equal(Number(daily!.p), 1);
});

test('rollups match a recount from raw snapshots over a synthetic week', async () => {
  const end = new Date('2026-04-08T12:00:00Z');
  for (const day of syntheticNetwork({ servers: 300, days: 7, end, seed: 42 })) await insertProbeResults(store.db, day);
  const fromRollup = await rows<{ day: string; software: string; n: string }>(store.db, `
    SELECT day, software, uniqExactMerge(servers) AS n FROM software_daily_v1
    WHERE day BETWEEN '2026-04-01' AND '2026-04-08'
    GROUP BY day, software ORDER BY day, software`);
  const fromRaw = await rows<{ day: string; software: string; n: string }>(store.db, `
    SELECT toDate(observed_at) AS day, software, uniqExact(domain) AS n FROM server_snapshots
    WHERE status = 'ok' AND toDate(observed_at) BETWEEN '2026-04-01' AND '2026-04-08'
    GROUP BY day, software ORDER BY day, software`);
  assert.ok(fromRaw.length > 20, 'the synthetic week produced data');
  assert.deepEqual(fromRollup.map((r) => [r.day, r.software, Number(r.n)]), fromRaw.map((r) => [r.day, r.software, Number(r.n)]));
});

test('the network rollup matches a recount from raw snapshots, last state per server and bucket', async () => {
  // Two weeks of March, plus servers that change software or go down later the same day: the last state wins.
  const end = new Date('2026-03-15T12:00:00Z');
  for (const day of syntheticNetwork({ servers: 200, days: 14, end, seed: 7 })) await insertProbeResults(store.db, day);
  const domains = await rows<{ domain: string }>(store.db, `
    SELECT DISTINCT domain FROM server_snapshots WHERE protocol = 'matrix' AND toDate(observed_at) = '2026-03-10' ORDER BY domain LIMIT 6`);
  await insertProbeResults(store.db, domains.map((d, i) => probe(d.domain, '2026-03-10T23:30:00Z', i % 2 ? 'dendrite' : 'conduit', '0.1.0', i % 3 ? 'ok' : 'unreachable')));
  await runNetworkRollup(store.db, new Date('2026-03-16T08:00:00Z'));
  for (const step of ['day', 'week'] as const) {
    const bucket = step === 'day' ? 'toDate(observed_at)' : 'toMonday(toDate(observed_at))';
    const fromRollup = await rows<{ b: string; software: string; n: string; p: string }>(store.db, `
      SELECT toString(bucket) AS b, software, sum(reachable) AS n, sum(probed) AS p FROM network_buckets_v1
      WHERE step = {step:String} AND bucket BETWEEN '2026-03-02' AND '2026-03-15'
      GROUP BY bucket, software ORDER BY b, software`, { step });
    const fromRaw = await rows<{ b: string; software: string; n: string; p: string }>(store.db, `
      SELECT toString(b) AS b, software, countIf(status = 'ok') AS n, count() AS p FROM (
        SELECT ${bucket} AS b, domain, argMax(status, observed_at) AS status, argMax(software, observed_at) AS software
        FROM server_snapshots WHERE toDate(observed_at) BETWEEN '2026-03-02' AND '2026-03-15'
        GROUP BY b, protocol, domain)
      GROUP BY b, software ORDER BY b, software`);
    assert.ok(fromRaw.length > 20, 'the synthetic weeks produced data');
    assert.deepEqual(fromRollup.map((r) => [r.b, r.software, Number(r.n), Number(r.p)]), fromRaw.map((r) => [r.b, r.software, Number(r.n), Number(r.p)]), step);
  }
});

test('discoveries fold into one row per domain with first/last seen and every way it was found', async () => {
  const passId = crypto.randomUUID();
  const base = probe('finder.test', '2026-05-01T10:00:00Z', 'synapse', '1.0.0', 'ok', passId);
  base.discoveries = [
    { domain: 'found.test', protocol: 'matrix', via: 'room-alias', sourceDomain: 'finder.test', foundAt: new Date('2026-05-01T10:00:00Z') },
    { domain: 'found.test', protocol: null, via: 'room-via', sourceDomain: 'other.test', foundAt: new Date('2026-05-03T10:00:00Z') },
  ];
  await insertProbeResults(store.db, [base]);
  const [d] = await rows<{ first_seen: string; last_seen: string; vias: string[]; sources: string[]; protocols: string[] }>(store.db, `
    SELECT min(first_seen) AS first_seen, max(last_seen) AS last_seen, arraySort(groupUniqArrayArray(vias)) AS vias,
           arraySort(groupUniqArrayArray(sources)) AS sources, groupUniqArrayArray(protocols) AS protocols
    FROM domains WHERE domain = 'found.test'`);
  assert.match(d!.first_seen, /^2026-05-01 10:00:00/);
  assert.match(d!.last_seen, /^2026-05-03 10:00:00/);
  assert.deepEqual(d!.vias, ['room-alias', 'room-via']);
  assert.deepEqual(d!.sources, ['finder.test', 'other.test']);
  assert.deepEqual(d!.protocols, ['matrix']);
});

test('bound parameters carry hostile strings as data', async () => {
  const evil = "x'); DROP TABLE observations; --";
  await insertProbeResults(store.db, [probe(evil, '2026-06-01T10:00:00Z', 'synapse', '1')]);
  const found = await rows<{ domain: string }>(store.db, 'SELECT domain FROM servers_latest FINAL WHERE domain = {d:String}', { d: evil });
  assert.equal(found[0]?.domain, evil);
  const [n] = await rows<{ n: string }>(store.db, 'SELECT count() AS n FROM observations');
  assert.ok(Number(n!.n) > 0);
});

test('regression: a call\'s clickhouse_settings never leak into later calls (chdb applies them with SET on its session)', async () => {
  const setting = async (name: string) => (await rows<{ value: string }>(store.db, 'SELECT value FROM system.settings WHERE name = {n:String}', { n: name }))[0]!.value;
  await store.db.client.query({ query: 'SELECT 1', format: 'JSONEachRow', clickhouse_settings: { prefer_column_name_to_alias: 1 } });
  assert.equal(await setting('prefer_column_name_to_alias'), '0');
  // An insert's dedup token must not be reused by the next insert without one (it would be dropped).
  const row = (n: number) => ({ domain: `leak${n}.test`, source: 'dns-txt', active: true, observed_at: Date.now() });
  await store.db.client.insert({ table: 'observations', values: [{ observed_at: Date.now(), pass_id: crypto.randomUUID(), domain: 'leak.test', protocol: 'xmpp', step: 's', outcome: 'ok', duration_ms: 1, facts: '{}', raw: '', error: '' }], format: 'JSONEachRow', clickhouse_settings: { insert_deduplication_token: 'leak-test' } });
  assert.equal(await setting('insert_deduplication_token'), '');
  await store.db.client.insert({ table: 'opt_outs', values: [row(1)], format: 'JSONEachRow' });
  await store.db.client.insert({ table: 'opt_outs', values: [row(2)], format: 'JSONEachRow' });
  const [n] = await rows<{ n: string }>(store.db, "SELECT count() AS n FROM opt_outs WHERE startsWith(domain, 'leak')");
  assert.equal(Number(n!.n), 2);
});
